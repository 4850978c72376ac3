// Command static serves every file under --dir from memory with net/http:
// the "small Go server" ceiling that planmap's cached answers are compared
// with, next to nginx. It prints "static serving on http://ADDR/".
//
//	go run ./bench/static --dir DIR [--listen 127.0.0.1:0]
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
)

var types = map[string]string{".json": "application/json", ".geojson": "application/geo+json", ".mvt": "application/vnd.mapbox-vector-tile"}

func main() {
	dir := flag.String("dir", ".", "directory to serve")
	listen := flag.String("listen", "127.0.0.1:0", "address")
	flag.Parse()
	files := map[string][]byte{}
	err := filepath.WalkDir(*dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(*dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		files["/"+filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "static:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "static:", err)
		os.Exit(1)
	}
	fmt.Printf("static serving on http://%s/ (%d files)\n", ln.Addr(), len(files))
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		ct := types[path.Ext(r.URL.Path)]
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	}))
	fmt.Fprintln(os.Stderr, "static:", err)
	os.Exit(1)
}
