package ingest

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/planmap/planmap/internal/domain"
)

// maxRatio is the most an archive member may expand (uncompressed over
// compressed) once it is larger than ratioFloor; deflate tops out near 1032.
const (
	maxRatio   = 200
	ratioFloor = 8 << 20
)

var nestedExts = map[string]bool{".zip": true, ".kmz": true, ".rar": true, ".7z": true, ".gz": true, ".tgz": true, ".tar": true, ".bz2": true, ".xz": true, ".zst": true}

// archive is a checked ZIP upload.
type archive struct {
	name    string
	members []*member
}

// member is one archive file with its name decoded (GBK names included).
type member struct {
	f    *zip.File
	name string
	ext  string // lower case, with the dot
	base string // path without extension
}

// openArchive checks every member's name and sizes before anything is read.
func openArchive(filename string, r io.ReaderAt, size int64, opt Options) (*archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, syntaxf("%s is not a readable ZIP archive: %v", filename, err)
	}
	if len(zr.File) > opt.MaxArchiveEntries {
		return nil, fail(ErrZipBomb, domain.ETOOLARGE, "%s holds %d files; the limit is %d", filename, len(zr.File), opt.MaxArchiveEntries)
	}
	a := &archive{name: filename}
	var total uint64
	for _, f := range zr.File {
		name := zipName(f)
		clean := strings.ReplaceAll(name, "\\", "/")
		if strings.HasPrefix(clean, "/") || len(clean) > 1 && clean[1] == ':' || hasDotDot(clean) {
			return nil, fail(ErrZipSlip, domain.EINVALID, "%s: member %q points outside the archive (zip slip); refused", filename, name)
		}
		if strings.HasSuffix(clean, "/") || strings.HasPrefix(clean, "__MACOSX/") || strings.HasPrefix(path.Base(clean), "._") {
			continue
		}
		ext := strings.ToLower(path.Ext(clean))
		if nestedExts[ext] {
			return nil, fail(ErrNestedArchive, domain.EUNSUPPORTED, "%s: member %q is itself an archive; upload its contents in one .zip", filename, name)
		}
		us, cs := f.UncompressedSize64, f.CompressedSize64
		total += us
		if us > uint64(opt.MaxUncompressed) || total > uint64(opt.MaxUncompressed) {
			return nil, fail(ErrZipBomb, domain.ETOOLARGE, "%s: members declare more than %d bytes uncompressed (at %q); refused", filename, opt.MaxUncompressed, name)
		}
		if us > ratioFloor && (cs == 0 || us/cs > maxRatio) {
			return nil, fail(ErrZipBomb, domain.ETOOLARGE, "%s: member %q expands %d-fold (%d to %d bytes); refused as a zip bomb", filename, name, us/max(cs, 1), cs, us)
		}
		a.members = append(a.members, &member{f: f, name: clean, ext: ext, base: strings.TrimSuffix(clean, path.Ext(clean))})
	}
	sort.SliceStable(a.members, func(i, j int) bool { return a.members[i].name < a.members[j].name })
	return a, nil
}

func hasDotDot(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == ".." {
			return true
		}
	}
	return false
}

// zipName decodes a member name: UTF-8 when flagged or valid, else GBK as
// written by Chinese Windows tools.
func zipName(f *zip.File) string {
	if utf8.ValidString(f.Name) {
		return f.Name
	}
	if s, err := simplifiedchinese.GB18030.NewDecoder().String(f.Name); err == nil && !strings.ContainsRune(s, utf8.RuneError) {
		return s
	}
	return strings.ToValidUTF8(f.Name, "?")
}

// open returns the member's bytes, failing with ETOOLARGE if it expands
// beyond its declared size or limit.
func (a *archive) open(m *member, limit int64) (io.ReadCloser, error) {
	rc, err := m.f.Open()
	if err != nil {
		return nil, syntaxf("%s: cannot read member %q: %v", a.name, m.name, err)
	}
	n := min(int64(m.f.UncompressedSize64), limit)
	return &memberReader{rc: rc, left: n, a: a, m: m}, nil
}

type memberReader struct {
	rc   io.ReadCloser
	left int64
	a    *archive
	m    *member
}

func (r *memberReader) Read(p []byte) (int, error) {
	if int64(len(p)) > r.left+1 {
		p = p[:r.left+1]
	}
	n, err := r.rc.Read(p)
	r.left -= int64(n)
	if r.left < 0 {
		return n, fail(ErrZipBomb, domain.ETOOLARGE, "%s: member %q expands beyond its declared size; refused", r.a.name, r.m.name)
	}
	if err != nil && err != io.EOF {
		if errors.Is(err, zip.ErrFormat) { // archive/zip's verdict on data beyond the declared size
			return n, fail(ErrZipBomb, domain.ETOOLARGE, "%s: member %q expands beyond its declared size; refused", r.a.name, r.m.name)
		}
		return n, syntaxf("%s: member %q is corrupt: %v", r.a.name, r.m.name, err)
	}
	return n, err
}

func (r *memberReader) Close() error { return r.rc.Close() }

// readSmall reads a small member (.prj, .cpg) whole.
func (a *archive) readSmall(m *member, limit int64) ([]byte, error) {
	if m.f.UncompressedSize64 > uint64(limit) {
		return nil, syntaxf("%s: member %q is %d bytes; expected at most %d", a.name, m.name, m.f.UncompressedSize64, limit)
	}
	rc, err := a.open(m, limit)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (a *archive) list() string {
	var names []string
	for _, m := range a.members {
		names = append(names, m.name)
	}
	if len(names) > 10 {
		names = append(names[:10], fmt.Sprintf("and %d more", len(names)-10))
	}
	return strings.Join(names, ", ")
}

// openZip reads a zipped Shapefile (each .shp a layer) or a KMZ.
func (r *Reader) openZip(filename string, ra io.ReaderAt, size int64) error {
	a, err := openArchive(filename, ra, size, r.opt)
	if err != nil {
		return err
	}
	var shps, kmls []*member
	for _, m := range a.members {
		switch m.ext {
		case ".shp":
			shps = append(shps, m)
		case ".kml":
			kmls = append(kmls, m)
		}
	}
	switch {
	case len(shps) > 0:
		r.res.Format = FormatShapefile
		return r.openShapefiles(a, shps)
	case len(kmls) > 0:
		r.res.Format = FormatKMZ
		k := kmls[0]
		for _, m := range kmls { // doc.kml at the root wins, as in Google Earth
			if strings.EqualFold(m.name, "doc.kml") {
				k = m
			}
		}
		rc, err := a.open(k, r.opt.MaxUncompressed)
		if err != nil {
			return err
		}
		r.cleanup = append(r.cleanup, func() { rc.Close() })
		if err := r.openKML(filename, rc); err != nil {
			return err
		}
		src := r.src.(*kmlSource)
		src.member, src.visited = k.name, map[string]bool{k.name: true}
		src.open = func(name string) (io.Reader, bool) {
			for _, m := range kmls {
				if m.name == name {
					rc, err := a.open(m, r.opt.MaxUncompressed)
					if err != nil {
						return nil, false
					}
					r.cleanup = append(r.cleanup, func() { rc.Close() })
					return rc, true
				}
			}
			return nil, false
		}
		return nil
	}
	if len(a.members) == 0 {
		return syntaxf("%s is an empty archive", filename)
	}
	return fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s holds no .shp or .kml (it holds %s)", filename, a.list())
}
