// Package bench holds planmap's benchmarks and load tests: the Go
// benchmarks in bench_test.go (go test ./bench -bench . -benchtime 2s),
// the wrk runs in run.sh and soak.sh, the data generator (bench/gen), a
// throwaway PostGIS cluster (bench/cluster) and a static file server from
// memory (bench/static) for the ceiling. See docs/benchmarks.md.
package bench
