# bench/lib.sh: shared by bench/run.sh and bench/soak.sh (sourced, not run).
# Starts and stops the private stack: a throwaway PostGIS cluster, the
# plan's data, synthetic layers and planmap servers. Every wait is bounded;
# every process started here is stopped by its own pid on exit.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
PIDS=()          # processes to stop on exit, newest last
WORK=${WORK:-}
KEEP=${KEEP:-0}  # 1 keeps $WORK (cluster, logs, saved responses)

say() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# seconds DURATION: "10s", "2m" or "30" in seconds.
seconds() {
	case $1 in
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}

make_work() {
	if [[ -z $WORK ]]; then
		WORK=$(mktemp -d /tmp/planmap-bench.XXXXXX)
	fi
	mkdir -p "$WORK"
	# As root the PostgreSQL server runs as user postgres, which must enter it.
	chmod 0755 "$WORK"
	mkdir -p "$WORK/bin" "$WORK/log"
}

stop_all() {
	local i pid
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		pid=${PIDS[i]}
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			for _ in $(seq 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null || true
		fi
	done
	PIDS=()
	if [[ -n $WORK && $KEEP != 1 ]]; then
		rm -rf "$WORK"
	elif [[ -n $WORK && -z ${PARENT_WORK:-} ]]; then
		say "kept $WORK"
	fi
}

# wait_for FILE PATTERN SECONDS PID: until FILE has a line matching PATTERN.
wait_for() {
	local file=$1 pattern=$2 secs=$3 pid=$4 i
	for ((i = 0; i < secs * 10; i++)); do
		grep -q "$pattern" "$file" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$file" "${file%.out}.err" >&2 2>/dev/null; die "process $pid exited while waiting for '$pattern' in $file"; }
		sleep 0.1
	done
	die "no '$pattern' in $file after ${secs}s"
}

build() {
	say "building planmap and the bench tools from $ROOT"
	(cd "$ROOT" && go build -o "$WORK/bin/planmap" ./cmd/planmap &&
		go build -o "$WORK/bin/cluster" ./bench/cluster &&
		go build -o "$WORK/bin/gen" ./bench/gen &&
		go build -o "$WORK/bin/static" ./bench/static) || die "build failed"
}

# start_cluster: sets DATABASE_URL. PG_SET="name=value name=value" adds settings.
start_cluster() {
	local args=(--dir "$WORK/pg") s
	for s in ${PG_SET:-}; do args+=(--set "$s"); done
	mkdir -p "$WORK/pg"
	"$WORK/bin/cluster" "${args[@]}" >"$WORK/log/cluster.out" 2>"$WORK/log/cluster.err" &
	PIDS+=($!)
	wait_for "$WORK/log/cluster.out" '^ready' 120 $!
	DATABASE_URL=$(sed -n 's/^DATABASE_URL=//p' "$WORK/log/cluster.out")
	export DATABASE_URL
	say "PostGIS cluster up: $DATABASE_URL"
}

# load_data: the plan's projects and basemap (the Liaoning outline for gen).
load_data() {
	mkdir -p "$WORK/data-load"
	timeout 300 "$WORK/bin/planmap" load --database-url "$DATABASE_URL" --data-dir "$WORK/data-load" >"$WORK/log/load.out" 2>&1 ||
		{ cat "$WORK/log/load.out" >&2; die "planmap load failed"; }
	say "$(head -1 "$WORK/log/load.out")"
}

# gen LAYER KIND FEATURES: prints gen's summary line (with the time).
gen() {
	local out
	out=$(timeout 3600 "$WORK/bin/gen" --database-url "$DATABASE_URL" --layer "$1" --kind "$2" --features "$3" --timeout 59m 2>>"$WORK/log/gen.err") ||
		{ tail -5 "$WORK/log/gen.err" >&2; die "gen $1 failed"; }
	echo "$(date -u +%H:%M:%S) $out"
}

# start_planmap NAME CACHE_MB [INDEX_MB]: sets ${NAME}_URL and ${NAME}_PID.
# INDEX_MB defaults to $INDEX_MB, else planmap's default.
start_planmap() {
	local name=$1 cache=$2 index=${3:-${INDEX_MB:-1024}} out=$WORK/log/planmap-$1.out seed=-1
	# Tiles drawn ahead (--seed-mb) only where there is a cache to hold them.
	((cache > 0)) && seed=${SEED_MB:--1}
	mkdir -p "$WORK/data-$name"
	"$WORK/bin/planmap" serve --listen 127.0.0.1:0 --database-url "$DATABASE_URL" --data-dir "$WORK/data-$name" \
		--cache-mb "$cache" --index-mb "$index" --seed-mb "$seed" --log-level "${LOG_LEVEL:-info}" >"$out" 2>"$WORK/log/planmap-$name.err" &
	local pid=$!
	PIDS+=($pid)
	wait_for "$out" 'serving on http://' 180 $pid
	printf -v "${name}_URL" '%s' "$(sed -n 's/.*serving on \(http:[^ ]*\)\/$/\1/p' "$out")"
	PLANMAP_URLS+=("$(sed -n 's/.*serving on \(http:[^ ]*\)\/$/\1/p' "$out")")
	printf -v "${name}_PID" '%s' "$pid"
	local u=${name}_URL
	say "planmap $name (--cache-mb $cache, pid $pid) on ${!u}"
}

# settle: until no planmap server started here is still answering a
# request (planmap_http_requests_in_flight counts the /metrics request
# asking), for at most 60 s. A tile drawing goes on after its client has
# gone, for the cache; without this, a server still drawing what the last
# run asked for takes processor time from the next run's server.
PLANMAP_URLS=()
settle() {
	local url i n
	for url in "${PLANMAP_URLS[@]}"; do
		for ((i = 0; i < 600; i++)); do
			n=$(metric "$url" planmap_http_requests_in_flight)
			awk -v n="${n:-0}" 'BEGIN { exit !(n <= 1) }' && break
			sleep 0.1
		done
	done
}

# metric URL NAME: one gauge from planmap's /metrics (empty if absent).
metric() { curl -s --max-time 10 "$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'; }

# wait_index URL FEATURES: until the server's layer index holds at least
# FEATURES features (it reads layers at start), or it gives up on one.
wait_index() {
	local url=$1 want=$2 i have failed
	for ((i = 0; i < 6000; i++)); do
		have=$(metric "$url" planmap_index_features)
		failed=$(metric "$url" planmap_index_failures)
		[[ ${failed:-0} != 0 ]] && { say "layer index at $url gave up on a layer (see its log)"; return 0; }
		awk -v h="${have:-0}" -v w="$want" 'BEGIN { exit !(h >= w) }' && return 0
		sleep 0.1
	done
	die "the layer index at $url holds ${have:-0} features after 600 s, want $want"
}

# wait_seed URL: until the server has drawn ahead some tiles and has no
# layer left to draw ahead (a layer is handed over just after the index
# counts its features, so pending alone could still be 0).
wait_seed() {
	local url=$1 i pending tiles
	for ((i = 0; i < 6000; i++)); do
		pending=$(metric "$url" planmap_seed_pending) tiles=$(metric "$url" planmap_seed_tiles)
		[[ ${pending:-0} == 0 && ${tiles:-0} != 0 ]] && return 0
		sleep 0.1
	done
	die "the server at $url is still drawing tiles ahead after 600 s"
}

# rss_mib PID: resident memory of a process, in MiB.
rss_mib() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# status URL: the HTTP status of a GET.
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$1"; }

# Tile block: the z8 tile that holds TILE_LON,TILE_LAT (inland Liaoning by
# default, fully covered by features) and its z11 and z14 descendants.
tile_x() { awk -v lon="$1" -v z="$2" 'BEGIN { printf "%d", int((lon + 180) / 360 * 2^z) }'; }
tile_y() { awk -v lat="$1" -v z="$2" 'BEGIN { pi = atan2(0, -1); r = lat * pi / 180; printf "%d", int((1 - log(sin(r) / cos(r) + 1 / cos(r)) / pi) / 2 * 2^z) }'; }
tile_block() {
	local lon=${TILE_LON:-123.0} lat=${TILE_LAT:-41.5}
	Z8X=$(tile_x "$lon" 8)
	Z8Y=$(tile_y "$lat" 8)
	Z11X0=$((Z8X * 8)) Z11X1=$((Z8X * 8 + 7)) Z11Y0=$((Z8Y * 8)) Z11Y1=$((Z8Y * 8 + 7))
	Z14X0=$((Z8X * 64)) Z14X1=$((Z8X * 64 + 63)) Z14Y0=$((Z8Y * 64)) Z14Y1=$((Z8Y * 64 + 63))
}

# tile_probe URL: "ok" when the tile endpoint answers 200, else a reason.
tile_probe() {
	local code
	code=$(status "$1/collections/${LAYER:-bench_polygons}/tiles/WebMercatorQuad/8/$Z8Y/$Z8X")
	if [[ $code == 200 ]]; then echo ok; else echo "skipped: no tile endpoint (HTTP $code)"; fi
}

# bbox_paths N SEED: N items paths with 0.2-degree boxes centred on points
# drawn by PostGIS inside the Liaoning outline.
bbox_paths() {
	psql "$DATABASE_URL" -AtX -v ON_ERROR_STOP=1 -c "
SELECT format('/collections/%s/items?bbox=%s,%s,%s,%s&limit=100', '${LAYER:-bench_polygons}',
       round((ST_X(d.geom) - 0.1)::numeric, 5), round((ST_Y(d.geom) - 0.1)::numeric, 5),
       round((ST_X(d.geom) + 0.1)::numeric, 5), round((ST_Y(d.geom) + 0.1)::numeric, 5))
FROM ST_Dump(ST_GeneratePoints((SELECT ST_Union(geom) FROM layer_feature WHERE layer_id = 'liaoning'), $1, $2)) d"
}

# tile_paths Z X0 X1 Y0 Y1 N SEED: N random tile paths in the block.
tile_paths() {
	awk -v z="$1" -v x0="$2" -v x1="$3" -v y0="$4" -v y1="$5" -v n="$6" -v seed="$7" -v layer="${LAYER:-bench_polygons}" 'BEGIN {
		srand(seed)
		for (i = 0; i < n; i++)
			printf "/collections/%s/tiles/WebMercatorQuad/%d/%d/%d\n", layer, z, y0 + int(rand() * (y1 - y0 + 1)), x0 + int(rand() * (x1 - x0 + 1))
	}'
}
