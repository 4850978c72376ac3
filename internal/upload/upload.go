// Package upload runs the upload workflow: it keeps the uploaded file,
// reads it with package ingest in the background, stages its features in
// the database for validation, and hands drafts to be committed.
package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

// Store keeps uploads and drafts; package postgis implements it.
type Store interface {
	CreateUpload(ctx context.Context, who *domain.Principal, filename string, size int64, opt domain.UploadOptions) (*domain.Upload, error)
	Progress(ctx context.Context, id, bytesRead int64, features int) error
	Stage(ctx context.Context, id int64, batch []domain.StagedFeature) error
	Finish(ctx context.Context, id int64, srid int, layerSRIDs map[string]int, result json.RawMessage) (*domain.UploadSummary, error)
	Fail(ctx context.Context, id int64, msg string) error
	Upload(ctx context.Context, id int64) (*domain.Upload, error)
	Uploads(ctx context.Context, limit int) ([]*domain.Upload, error)
	EachDraftFeature(ctx context.Context, id int64, offset, limit int, fn func(*domain.DraftFeature) error) (int, error)
	Commit(ctx context.Context, who *domain.Principal, id int64, req domain.CommitRequest) (*domain.CommitResult, error)
	Discard(ctx context.Context, who *domain.Principal, id int64) error
}

// Config bounds uploads.
type Config struct {
	// Dir holds files while they are processed.
	Dir string
	// MaxBytes is the largest file accepted (413 beyond).
	MaxBytes int64
	// Batch is how many features go to the database at once.
	Batch  int
	Ingest ingest.Options
	Logger *slog.Logger
}

// Service implements domain.UploadService.
type Service struct {
	store Store
	cfg   Config
	wg    sync.WaitGroup
	stop  context.CancelFunc
	ctx   context.Context
}

var _ domain.UploadService = (*Service)(nil)

// New returns a Service; Close waits for background processing.
func New(store Store, cfg Config) *Service {
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 512 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Dir == "" {
		cfg.Dir = os.TempDir()
	}
	cfg.Ingest.MaxBytes = cfg.MaxBytes
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{store: store, cfg: cfg, ctx: ctx, stop: cancel}
}

// Close stops background processing and waits for it.
func (s *Service) Close() {
	s.stop()
	s.wg.Wait()
}

// Receive keeps the file and starts processing it. The answer comes
// before processing ends: poll the upload for progress.
func (s *Service) Receive(ctx context.Context, who *domain.Principal, filename string, body io.Reader, opt domain.UploadOptions) (*domain.Upload, error) {
	if who == nil || !who.Role.Can(domain.RoleEditor) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "uploading needs the editor role")
	}
	name := filepath.Base(strings.ReplaceAll(filename, "\\", "/"))
	if name == "" || name == "." || name == "/" || len(name) > 255 || strings.ContainsRune(name, 0) {
		return nil, domain.Errorf(domain.EINVALID, "give the file's name (filename), with its extension")
	}
	if err := os.MkdirAll(s.cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.cfg.Dir, "upload-*")
	if err != nil {
		return nil, err
	}
	size, err := io.Copy(f, io.LimitReader(body, s.cfg.MaxBytes+1))
	if err == nil && size > s.cfg.MaxBytes {
		err = domain.Errorf(domain.ETOOLARGE, "the file is larger than %d MiB", s.cfg.MaxBytes>>20)
	}
	if err == nil && size == 0 {
		err = domain.Errorf(domain.EINVALID, "the file is empty")
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		if domain.ErrorCode(err) == domain.EINTERNAL {
			return nil, domain.Errorf(domain.EINVALID, "the upload was cut off before its end")
		}
		return nil, err
	}
	// Refuse, before keeping anything, what is not a planmap format or
	// cannot be opened: a lying extension, a zip slip or bomb, a nested
	// archive, a Shapefile without its .shx or .dbf, an XML DOCTYPE.
	head := make([]byte, 4096)
	n, _ := f.ReadAt(head, 0)
	if _, err := ingest.Sniff(name, head[:n]); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	if err := s.check(name, f, size, opt); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	u, err := s.store.CreateUpload(ctx, who, name, size, opt)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer os.Remove(f.Name())
		defer f.Close()
		s.process(u.ID, name, f, size, opt)
	}()
	return u, nil
}

// check opens the file and reads its first feature, so that a file that
// is broken as a whole gets its 4xx now rather than a failed draft later.
func (s *Service) check(name string, f *os.File, size int64, opt domain.UploadOptions) error {
	iopt := s.cfg.Ingest
	iopt.DeclaredCRS, iopt.Encoding, iopt.Correct = opt.CRS, opt.Encoding, opt.Correct
	r, err := ingest.Open(name, f, size, iopt)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := r.Next(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// process reads the file into the draft; any failure is recorded on the
// upload for the uploader to read.
func (s *Service) process(id int64, name string, f *os.File, size int64, opt domain.UploadOptions) {
	ctx := s.ctx
	start := time.Now()
	err := s.read(ctx, id, name, f, size, opt)
	if err != nil {
		msg := domain.ErrorMessage(err)
		if domain.ErrorCode(err) == domain.EINTERNAL {
			s.cfg.Logger.Error("upload processing failed", "upload", id, "err", err)
			msg = "processing failed inside planmap; the log has the details"
		}
		// A new context: the failure must be recorded even at shutdown.
		fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if ferr := s.store.Fail(fctx, id, msg); ferr != nil {
			s.cfg.Logger.Error("recording an upload failure", "upload", id, "err", ferr)
		}
		return
	}
	s.cfg.Logger.Info("upload processed", "upload", id, "file", name, "bytes", size, "seconds", time.Since(start).Seconds())
}

// countingReaderAt counts the bytes read, for progress.
type countingReaderAt struct {
	r  io.ReaderAt
	mu sync.Mutex
	n  int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.mu.Lock()
	if end := off + int64(n); end > c.n {
		c.n = end
	}
	c.mu.Unlock()
	return n, err
}

func (c *countingReaderAt) read() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (s *Service) read(ctx context.Context, id int64, name string, f *os.File, size int64, opt domain.UploadOptions) error {
	iopt := s.cfg.Ingest
	iopt.DeclaredCRS, iopt.Encoding, iopt.Correct = opt.CRS, opt.Encoding, opt.Correct
	cr := &countingReaderAt{r: f}
	r, err := ingest.Open(name, cr, size, iopt)
	if err != nil {
		return err
	}
	batch := make([]domain.StagedFeature, 0, s.cfg.Batch)
	count := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.store.Stage(ctx, id, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return s.store.Progress(ctx, id, cr.read(), count)
	}
	for {
		feat, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		sf, err := staged(feat)
		if err != nil {
			return err
		}
		batch = append(batch, sf)
		count++
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	res := r.Result()
	srid := res.CRS.EPSG
	if srid == 0 {
		srid = 4326
	}
	// Layers of one archive may each have their own CRS.
	layerSRIDs := map[string]int{}
	for _, l := range res.Layers {
		if l.CRS.EPSG != 0 {
			layerSRIDs[l.Name] = l.CRS.EPSG
		}
	}
	result, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = s.store.Finish(ctx, id, srid, layerSRIDs, result)
	return err
}

// staged turns an ingested feature into a draft row.
func staged(f *ingest.Feature) (domain.StagedFeature, error) {
	props := make(map[string]any, len(f.Properties))
	for _, p := range f.Properties {
		switch v := p.Value.(type) {
		case time.Time:
			props[p.Name] = v.Format(time.RFC3339)
		default:
			props[p.Name] = v
		}
	}
	pb, err := json.Marshal(props)
	if err != nil {
		return domain.StagedFeature{}, fmt.Errorf("feature %d: properties: %w", f.Index, err)
	}
	issues := f.Issues
	if issues == nil {
		issues = []ingest.Issue{}
	}
	ib, err := json.Marshal(issueViews(issues))
	if err != nil {
		return domain.StagedFeature{}, err
	}
	return domain.StagedFeature{Index: f.Index, Layer: f.Layer, FID: f.ID, Properties: pb, Geometry: f.Geometry, Issues: ib}, nil
}

type issueView struct {
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

func issueViews(in []ingest.Issue) []issueView {
	out := make([]issueView, len(in))
	for i, is := range in {
		out[i] = issueView{Field: is.Field, Code: is.Code, Message: is.Message, Severity: is.Severity}
	}
	return out
}

// Upload returns an upload with its progress or report.
func (s *Service) Upload(ctx context.Context, id int64) (*domain.Upload, error) {
	return s.store.Upload(ctx, id)
}

// Uploads lists recent uploads.
func (s *Service) Uploads(ctx context.Context, limit int) ([]*domain.Upload, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return s.store.Uploads(ctx, limit)
}

// EachDraftFeature streams a page of a draft.
func (s *Service) EachDraftFeature(ctx context.Context, id int64, offset, limit int, fn func(*domain.DraftFeature) error) (int, error) {
	return s.store.EachDraftFeature(ctx, id, offset, limit, fn)
}

// Commit writes a draft in one transaction.
func (s *Service) Commit(ctx context.Context, who *domain.Principal, id int64, req domain.CommitRequest) (*domain.CommitResult, error) {
	return s.store.Commit(ctx, who, id, req)
}

// Discard drops a draft.
func (s *Service) Discard(ctx context.Context, who *domain.Principal, id int64) error {
	if who == nil || !who.Role.Can(domain.RoleEditor) {
		return domain.Errorf(domain.EFORBIDDEN, "discarding needs the editor role")
	}
	return s.store.Discard(ctx, who, id)
}
