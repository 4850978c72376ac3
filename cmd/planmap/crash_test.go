package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A kill -9 of planmap in the middle of an upload commit leaves either
// the whole commit or none of it: never a part.
func TestKillDuringUploadCommitLeavesNoPartialData(t *testing.T) {
	bin := buildBinary(t)
	url := server.URL(t)
	env := append(os.Environ(), "DATABASE_URL="+url)
	run := func(stdin string, args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("planmap %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("a long password 1\n", "user", "add", "gis", "--role", "editor")
	token := strings.TrimSpace(run("", "token", "create", "gis", "--name", "crash"))
	token = token[strings.LastIndex(token, "\n")+1:]

	// 20,000 small polygons: a commit that takes a while.
	var src bytes.Buffer
	src.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := 0; i < 20000; i++ {
		if i > 0 {
			src.WriteByte(',')
		}
		x, y := 121+float64(i%200)*0.01, 39+float64(i/200)*0.01
		fmt.Fprintf(&src, `{"type":"Feature","properties":{"n":%d},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
			i, x, y, x+0.005, y, x+0.005, y+0.005, x, y)
	}
	src.WriteString(`]}`)

	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--cache-mb", "0")
		cmd.Env = env
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		buf := make([]byte, 4096)
		var got string
		for !strings.Contains(got, "serving on ") {
			n, err := out.Read(buf)
			if err != nil {
				t.Fatalf("serve: %v (%q)", err, got)
			}
			got += string(buf[:n])
		}
		go io.Copy(io.Discard, out)
		base := got[strings.Index(got, "serving on ")+len("serving on "):]
		return cmd, strings.TrimSuffix(strings.TrimSpace(strings.SplitN(base, "\n", 2)[0]), "/")
	}
	cmd, base := start()
	do := func(method, path, ctype string, body io.Reader) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, body)
		req.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "many.geojson")
	fw.Write(src.Bytes())
	mw.Close()
	code, body := do("POST", "/uploads", mw.FormDataContentType(), &form)
	if code != 202 {
		t.Fatalf("upload: %d %s", code, body)
	}
	var up struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	json.Unmarshal(body, &up)
	deadline := time.Now().Add(2 * time.Minute)
	for up.Status != "ready" {
		if time.Now().After(deadline) {
			t.Fatalf("upload not ready: %s", body)
		}
		<-time.After(100 * time.Millisecond)
		_, body = do("GET", fmt.Sprintf("/uploads/%d", up.ID), "", nil)
		json.Unmarshal(body, &up)
	}
	// Commit, and kill planmap while the transaction runs.
	go do("POST", fmt.Sprintf("/uploads/%d/commit", up.ID), "application/json",
		strings.NewReader(`{"target":"layer","layer_id":"crash-test","title_zh":"崩溃","title_en":"Crash"}`))
	<-time.After(150 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// After a restart the layer holds all 20,000 features or does not exist,
	// and the upload says which.
	_, base = start()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var features, versions int
	var status string
	if err := conn.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM layer_feature WHERE layer_id = 'crash-test'),
	(SELECT count(*) FROM feature_version WHERE collection = 'crash-test'), (SELECT status FROM upload WHERE id = $1)`, up.ID).Scan(&features, &versions, &status); err != nil {
		t.Fatal(err)
	}
	t.Logf("after the kill: upload %s, %d features, %d versions", status, features, versions)
	switch {
	case status == "committed" && features == 20000 && versions == 20000:
	case status == "ready" && features == 0 && versions == 0:
	default:
		t.Fatalf("partial commit: upload %s, %d features, %d versions", status, features, versions)
	}
}
