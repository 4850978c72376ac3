#!/usr/bin/env bash
# bench/run.sh: planmap's load test against its targets, in one run on one
# machine. It builds planmap from this checkout, starts a private PostGIS
# cluster, loads the plan, generates FEATURES synthetic polygons (and a
# 300-point layer), starts two planmap servers (answer cache off = "cold",
# cache on = "warm"), saves each case's response bodies and serves the
# same bytes from nginx and from a small Go server (the ceiling), runs wrk
# for every case against planmap and the ceiling, and prints a table
# (plain and markdown) with the targets. Everything it starts is stopped on
# exit; every wrk run is bounded by DURATION plus a minute.
#
#   bench/run.sh                                   # defaults below
#   FEATURES=1000000 bench/run.sh                  # the 1M-feature p99 targets
#   DURATION=5s SOAK=0 bench/run.sh                # quicker
#
# Environment:
#   DURATION=10s CONNECTIONS=32 THREADS=2 P99_CONNECTIONS=64 FEATURES=200000
#   WRK_TIMEOUT=30s (wrk's --timeout; planmap's request timeout is 30 s)
#   CACHE_MB=256 (the warm server; 1536 above 400,000 features)
#   SEED_MB=-1 (the warm server's --seed-mb, tiles drawn ahead once the
#   layer is read: -1 is planmap's default, a quarter of the cache; 384
#   above 400,000 features, where the costly tiles of the layer, all of
#   zooms 0-11, take 295 MB)   LOG_LEVEL=info (planmap's default)
#   INDEX_MB=1024 (planmap's layer index on the cold and warm servers; a
#   third server, "PostgreSQL only", runs with cache and index off; the
#   default is 3072 above 400,000 features)
#   CEIL_ROUNDS=3 (a cached case is measured in this many rounds of nginx
#   then planmap, and its row is the round with the median ratio)
#   SOAK=1 (then run bench/soak.sh against the warm server)   SOAK_DURATION=60s SOAK_CONNECTIONS=64
#   RESULTS=dir (default /tmp/planmap-bench-results-<time>)   KEEP=1 keeps the work dir
#   PG_SET="shared_buffers=1GB ..." (ALTER SYSTEM settings for the cluster)
#   TILE_LON=123.0 TILE_LAT=41.5 (the z8 tile of the dense area holds this point)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
P99_CONNECTIONS=${P99_CONNECTIONS:-64}
FEATURES=${FEATURES:-200000}
CACHE_MB=${CACHE_MB:-$((FEATURES > 400000 ? 1536 : 256))}
SEED_MB=${SEED_MB:-$((FEATURES > 400000 ? 384 : -1))}
INDEX_MB=${INDEX_MB:-$((FEATURES > 400000 ? 3072 : 1024))}
LOG_LEVEL=${LOG_LEVEL:-info}
SOAK=${SOAK:-1}
CEIL_ROUNDS=${CEIL_ROUNDS:-3}
LAYER=bench_polygons
SMALL_LAYER=bench_points300
RESULTS=${RESULTS:-/tmp/planmap-bench-results-$(date -u +%Y%m%dT%H%M%SZ)}
WRK_TIMEOUT=${WRK_TIMEOUT:-30s}
DUR_S=$(seconds "$DURATION")
WRK_LIMIT=$((DUR_S + $(seconds "$WRK_TIMEOUT") + 60))
export LOG_LEVEL LAYER WRK_TIMEOUT INDEX_MB

# Reference figures (pg_featureserv / pg_tileserv, same kind of machine)
# and the targets derived from them.
REF_ITEMS=735   # items bbox, best of 140 / 735 req/s
REF_SMALL=975   # 300-feature layer, limit=1000
REF_Z8=11       # best of 8-11 req/s
REF_Z11=350     # best of 175-350 req/s
REF_Z14=6200
T_ITEMS=$((3 * REF_ITEMS))        # >= 3x reference, uncached
T_Z8=$((10 * REF_Z8))             # >= 10x reference, and < 500 KB
T_Z11=$((REF_Z11 * 3 / 2))        # >= 1.5x reference, uncached
T_Z14=$((REF_Z14 * 3 / 2))
T_CEIL=0.70                       # cached: >= 70% of nginx serving the same bytes

for t in wrk nginx curl psql go awk python3 timeout; do
	command -v "$t" >/dev/null || die "$t is missing (apt-get install -y wrk nginx-light curl postgresql-client gawk python3)"
done

trap stop_all EXIT
trap 'exit 130' INT TERM
make_work
mkdir -p "$RESULTS" "$WORK/lists" "$WORK/static"
say "work dir $WORK, results in $RESULTS"

# ---------------------------------------------------------------- machine
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), nproc $(nproc)"
	echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel: $(uname -sr)"
	echo "load before: $(uptime | sed 's/.*load average/load average/')"
	echo "go: $(go version | cut -d' ' -f3-)"
	echo "wrk: $(wrk -v 2>&1 | head -1)"
	echo "nginx: $(nginx -v 2>&1)"
	echo "planmap: commit $(git -C "$ROOT" rev-parse --short HEAD); files changed or new since (git status): $(git -C "$ROOT" status --porcelain -- cmd internal frontend geodata seeds go.mod | wc -l) under cmd/ internal/ frontend/ geodata/ seeds/"
	echo "settings: DURATION=$DURATION WRK_TIMEOUT=$WRK_TIMEOUT THREADS=$THREADS CONNECTIONS=$CONNECTIONS P99_CONNECTIONS=$P99_CONNECTIONS FEATURES=$FEATURES CACHE_MB=$CACHE_MB SEED_MB=$SEED_MB INDEX_MB=$INDEX_MB LOG_LEVEL=$LOG_LEVEL"
} | tee "$RESULTS/machine.txt" >&2

# ------------------------------------------------------------------ stack
build
start_cluster
load_data
{
	echo "postgres: $(psql "$DATABASE_URL" -AtX -c 'SHOW server_version')"
	echo "postgis: $(psql "$DATABASE_URL" -AtX -c 'SELECT postgis_lib_version()')"
	gen "$LAYER" polygons "$FEATURES"
	gen "$SMALL_LAYER" points 300
} | tee -a "$RESULTS/machine.txt" >&2
start_planmap A 0
start_planmap B "$CACHE_MB"
start_planmap P 0 0
T0=$(date +%s.%N)
wait_index "$A_URL" "$FEATURES"
wait_index "$B_URL" "$FEATURES"
[[ $SEED_MB != 0 ]] && wait_seed "$B_URL"
{
	echo "layer index: A and B hold $(metric "$A_URL" planmap_index_features) features in $(metric "$A_URL" planmap_index_bytes) bytes; A read $LAYER in $(sed -n "s/.*layer index: layer read.* layer=$LAYER .*seconds=\([0-9.]*\).*/\1/p" "$WORK/log/planmap-A.err" | head -1) s (B at the same time); ready $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s after the last server started"
	echo "RSS at start: A $(rss_mib "$A_PID") MiB, B $(rss_mib "$B_PID") MiB, P $(rss_mib "$P_PID") MiB"
	echo "tiles drawn ahead by B (--seed-mb $SEED_MB):"
	sed -n 's/.*tile seeding: tiles drawn ahead" \(.*\)/  \1/p' "$WORK/log/planmap-B.err"
} | tee -a "$RESULTS/machine.txt" >&2
tile_block
TILES=$(tile_probe "$A_URL")
say "tiles: $TILES (z8 tile $Z8X/$Z8Y)"

# ------------------------------------------------------- PostgreSQL notes
# The query planmap runs for a layer's items with a bbox (as built by
# internal/postgis/layers.go EachFeature), with and without parallel workers.
items_sql() { # "minx, miny, maxx, maxy"
	echo "SELECT f.fid, f.properties, ST_AsBinary(f.geom), f.version, count(*) OVER () FROM layer_feature f
WHERE f.layer_id = '$LAYER' AND f.geom && ST_MakeEnvelope($1, 4326) ORDER BY f.seq LIMIT 100 OFFSET 0"
}
# explain_median WORKERS [STATEMENT ...] SQL: the median execution time of
# 7 EXPLAIN ANALYZE runs of SQL (after the statements, in one session),
# how many plans had a Gather node and how many workers launched.
explain_median() {
	local w=$1 out med gather launched args=()
	shift
	while (($# > 1)); do args+=(-c "$1"); shift; done
	out=$(for _ in 1 2 3 4 5 6 7; do
		psql "$DATABASE_URL" -AtX -c "SET max_parallel_workers_per_gather = $w" "${args[@]}" -c "EXPLAIN (ANALYZE, COSTS OFF) $1"
	done)
	med=$(grep 'Execution Time' <<<"$out" | awk '{print $3}' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
	gather=$(grep -c 'Gather' <<<"$out" || true)
	launched=$(grep -o 'Workers Launched: [0-9]*' <<<"$out" | awk '{s += $3} END {print s + 0}')
	echo "median execution $med ms of 7 runs; plans with Gather: $gather of 7; workers launched in all: $launched"
}
box() { # DEG: a box of DEG degrees around 123.0E 41.5N
	awk -v d="$1" 'BEGIN { h = d / 2; printf "%s, %s, %s, %s", 123.0 - h, 41.5 - h, 123.0 + h, 41.5 + h }'
}
{
	echo "server settings that matter (pg_settings):"
	psql "$DATABASE_URL" -AtX -F' ' -c "SELECT '  ' || name, setting || COALESCE(unit, ''), '(' || source || ')' FROM pg_settings
WHERE name IN ('shared_buffers', 'effective_cache_size', 'work_mem', 'max_connections', 'max_parallel_workers_per_gather',
  'max_parallel_workers', 'max_worker_processes', 'jit', 'random_page_cost', 'fsync', 'synchronous_commit') ORDER BY name"
	echo "planmap's connections: max_parallel_workers_per_gather=0 (set by internal/postgis.Open), statement_timeout=10s"
	echo "layer_feature: $(psql "$DATABASE_URL" -AtX -c "SELECT pg_size_pretty(pg_table_size('layer_feature')) || ' table (with TOAST), ' || pg_size_pretty(pg_indexes_size('layer_feature')) || ' indexes'")"
	echo "planmap's items query for $LAYER (internal/postgis/layers.go), bbox around 123.0E 41.5N:"
	for d in 0.2 1.0; do
		for w in 0 2; do
			echo "  ${d}-degree bbox, max_parallel_workers_per_gather=$w: $(explain_median "$w" "$(items_sql "$(box "$d")")")"
		done
	done
	echo "the collection metadata query planmap runs for every items page and single item of a layer"
	echo "(ogcapi findLayer -> postgis LayerService.FindLayer: count and extent of all its features);"
	echo "custom plan = the layer id as a literal; generic plan = what a prepared statement (pgx caches them) may switch to:"
	meta_sql="SELECT (SELECT count(*) FROM layer_feature f WHERE f.layer_id = l.id), (SELECT ST_AsBinary(ST_Extent(f.geom)::geometry) FROM layer_feature f WHERE f.layer_id = l.id) FROM layer l WHERE l.id"
	for l in "$LAYER" "$SMALL_LAYER"; do
		for w in 0 2; do
			echo "  $l, custom plan, max_parallel_workers_per_gather=$w: $(explain_median "$w" "$meta_sql = '$l'")"
		done
		echo "  $l, generic plan, max_parallel_workers_per_gather=0: $(explain_median 0 "SET plan_cache_mode = force_generic_plan" "PREPARE meta(text) AS $meta_sql = \$1" "EXECUTE meta('$l')")"
	done
	echo "plan of the 0.2-degree items query with 2 workers allowed:"
	psql "$DATABASE_URL" -AtX -c "SET max_parallel_workers_per_gather = 2" -c "EXPLAIN (ANALYZE, COSTS OFF, BUFFERS) $(items_sql "$(box 0.2)")" | sed 's/^/  /'
} >"$RESULTS/postgres.txt" 2>&1
cat "$RESULTS/postgres.txt" >&2

# ------------------------------------------------ paths and saved answers
bbox_paths 50 7 >"$WORK/lists/bbox.paths"
echo "/collections/$LAYER/items/f$(printf '%07d' $((FEATURES / 2)))" >"$WORK/lists/item.paths"
echo "/collections/projects/items?limit=1000" >"$WORK/lists/projects.paths"
echo "/collections/$SMALL_LAYER/items?limit=1000" >"$WORK/lists/small.paths"
echo "/collections/$LAYER/tiles/WebMercatorQuad/8/$Z8Y/$Z8X" >"$WORK/lists/z8.paths"
tile_paths 11 "$Z11X0" "$Z11X1" "$Z11Y0" "$Z11Y1" 50 11 >"$WORK/lists/z11.paths"
tile_paths 14 "$Z14X0" "$Z14X1" "$Z14Y0" "$Z14Y1" 50 14 >"$WORK/lists/z14.paths"

# save NAME EXT: fetch every path of NAME from the warm server as wrk asks
# (no Accept, no Accept-Encoding), store the bodies under static/NAME/ and
# list them in NAME.static.
save() {
	local name=$1 ext=$2 i=0 p code
	mkdir -p "$WORK/static/$name"
	: >"$WORK/lists/$name.static"
	while IFS= read -r p; do
		i=$((i + 1))
		code=$(curl -s -H 'Accept:' -H 'User-Agent:' --max-time 120 -o "$WORK/static/$name/$i.$ext" -w '%{http_code}' "$B_URL$p")
		# An empty tile is 204 No Content; nginx serves the empty file as 200.
		[[ $code == 200 || ($code == 204 && $ext == mvt) ]] || die "GET $p: HTTP $code"
		[[ $code == 204 ]] && EMPTY[$name]=$((${EMPTY[$name]:-0} + 1))
		echo "/$name/$i.$ext" >>"$WORK/lists/$name.static"
	done <"$WORK/lists/$name.paths"
}
mean_bytes() { stat -c %s "$WORK/static/$1"/* | awk '{s += $1} END {printf "%d", s / NR}'; }
cache_note() { # NAME: does the warm server answer the list's first path from its cache?
	if curl -s -H 'Accept:' -H 'User-Agent:' -D - -o /dev/null "$B_URL$(head -1 "$WORK/lists/$1.paths")" | grep -qi '^x-cache: *hit'; then
		echo "X-Cache: hit"
	else echo "no X-Cache: hit"; fi
}
declare -A EMPTY
LISTS="bbox item projects small"
for n in bbox item projects small; do save "$n" json; done
if [[ $TILES == ok ]]; then
	for n in z8 z11 z14; do save "$n" mvt; done
	LISTS="$LISTS z8 z11 z14"
fi
declare -A BYTES
for n in $LISTS; do BYTES[$n]=$(mean_bytes "$n"); done

# ----------------------------------------------------------- the ceiling
NGINX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    open_file_cache max=1000;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    types { application/json json; application/vnd.mapbox-vector-tile mvt; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/static;
    }
}
EOF
chmod -R a+rX "$WORK/static"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/log/nginx.err" &
PIDS+=($!)
NGINX_URL=http://127.0.0.1:$NGINX_PORT
"$WORK/bin/static" --dir "$WORK/static" >"$WORK/log/static.out" 2>"$WORK/log/static.err" &
PIDS+=($!)
wait_for "$WORK/log/static.out" 'serving on' 30 $!
STATIC_URL=$(sed -n 's/.*serving on \(http:[^ ]*\)\/ .*/\1/p' "$WORK/log/static.out")
for _ in $(seq 50); do [[ $(status "$NGINX_URL$(head -1 "$WORK/lists/item.static")") == 200 ]] && break; sleep 0.1; done
[[ $(status "$NGINX_URL$(head -1 "$WORK/lists/item.static")") == 200 ]] || die "nginx does not serve $WORK/static: $(cat "$WORK/log/nginx.err" "$WORK/nginx/error.log" 2>/dev/null)"
say "ceiling: nginx $NGINX_URL, Go static $STATIC_URL"

# ------------------------------------------------------------------- wrk
# run NAME URL CONNS SCRIPT [VAR=value ...]: the WRK_RESULT line of one run.
run() {
	local name=$1 url=$2 conns=$3 script=$4
	shift 4
	local log=$WORK/log/wrk-$name.log
	settle
	env "$@" timeout -k 5 "$WRK_LIMIT" wrk -t"$THREADS" -c"$conns" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency \
		-s "$BENCH/$script" "$url" >"$log" 2>&1 || say "wrk $name exited $?: $(tail -2 "$log" | tr '\n' ' ')"
	grep -m1 '^WRK_RESULT' "$log" || echo "WRK_RESULT failed=1"
}
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
prime() { # NAME: one short pass over the list on the warm server
	PATHS_FILE="$WORK/lists/$1.paths" timeout -k 5 30 wrk -t1 -c2 -d2s -s "$BENCH/paths.lua" "$B_URL" >/dev/null 2>&1 || true
}

declare -A CEIL_NGINX CEIL_GO
ceiling() { # NAME
	local r
	r=$(run "nginx-$1" "$NGINX_URL" "$CONNECTIONS" paths.lua PATHS_FILE="$WORK/lists/$1.static")
	CEIL_NGINX[$1]=$(kv "$r" rps)
	r=$(run "gostatic-$1" "$STATIC_URL" "$CONNECTIONS" paths.lua PATHS_FILE="$WORK/lists/$1.static")
	CEIL_GO[$1]=$(kv "$r" rps)
	say "ceiling $1: nginx ${CEIL_NGINX[$1]} req/s, Go static ${CEIL_GO[$1]} req/s"
}

ROWS=$RESULTS/rows.tsv
: >"$ROWS"
# row CASE SERVER CONNS RESULT LIST TARGET NOTE: evaluate and record a row.
# TARGET: rps:N | ceil:F | p99:MS | z8:N | ref:N | -
row() {
	local case=$1 server=$2 conns=$3 r=$4 list=$5 target=$6 note=${7:-}
	local rps p50 p99 non2xx timeouts bytes ng go ratio tdesc met
	rps=$(kv "$r" rps) p50=$(kv "$r" p50_ms) p99=$(kv "$r" p99_ms) non2xx=$(kv "$r" non2xx3xx) timeouts=$(kv "$r" timeout)
	bytes=${BYTES[$list]:-} ng=${CEIL_NGINX[$list]:-} go=${CEIL_GO[$list]:-}
	if [[ -z $rps ]]; then
		printf '%s\t%s\t%s\t-\t-\t-\t%s\t%s\t%s\t-\t%s\tno\twrk failed\n' "$case" "$server" "$conns" "$bytes" "$ng" "$go" "$target" >>"$ROWS"
		return
	fi
	ratio=$(awk -v a="$rps" -v b="$ng" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')
	case $target in
	rps:*) tdesc=">= ${target#rps:} req/s" met=$(awk -v a="$rps" -v t="${target#rps:}" 'BEGIN { print (a >= t) ? "yes" : "no" }') ;;
	ceil:*) tdesc=">= ${target#ceil:} x nginx" met=$(awk -v a="$ratio" -v t="${target#ceil:}" 'BEGIN { print (a >= t) ? "yes" : "no" }') ;;
	p99:*) tdesc="p99 < ${target#p99:} ms at 1M features" met=$(awk -v a="$p99" -v t="${target#p99:}" 'BEGIN { print (a != "-" && a < t) ? "yes" : "no" }')
		[[ $FEATURES == 1000000 ]] || met="$met (at $FEATURES)" ;;
	z8:*) tdesc="< 500 KB and >= ${target#z8:} req/s" met=$(awk -v a="$rps" -v t="${target#z8:}" -v b="$bytes" 'BEGIN { print (a >= t && b < 500000) ? "yes" : "no" }') ;;
	ref:*) tdesc="none (reference ${target#ref:} req/s)" met="-" ;;
	*) tdesc="-" met="-" ;;
	esac
	if [[ ${non2xx:-0} != 0 ]]; then
		met="no"
		note="${note:+$note; }$non2xx non-2xx/3xx answers"
	fi
	if [[ $(kv "$r" samples) == 0 ]]; then
		met="no"
		note="${note:+$note; }no answer completed during the run"
	fi
	if [[ ${timeouts:-0} != 0 ]]; then
		met="no"
		note="${note:+$note; }$timeouts requests got no answer within $WRK_TIMEOUT (not in the latencies)"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$server" "$conns" "$rps" "$p50" "$p99" "$bytes" "${ng:--}" "${go:--}" "$ratio" "$tdesc" "$met" "$note" >>"$ROWS"
	say "$case [$server c$conns]: $rps req/s, p50 $p50 ms, p99 $p99 ms -> $met"
}
# ceil_row CASE SERVER CONNS URL LIST NOTE: a cached case against its
# ceiling. The machine's speed drifts by a third over minutes (other
# guests), so nginx and planmap are measured in CEIL_ROUNDS alternating
# rounds, nginx first, each ratio from one round's pair; the row is the
# round with the median ratio, and the note lists every round.
ceil_row() {
	local case=$1 server=$2 conns=$3 url=$4 list=$5 note=$6 i ng r rps ratio rounds=() results=() order pick
	for ((i = 1; i <= CEIL_ROUNDS; i++)); do
		ng=$(kv "$(run "nginx-$list-c$conns-r$i" "$NGINX_URL" "$conns" paths.lua PATHS_FILE="$WORK/lists/$list.static")" rps)
		r=$(run "$list-B-c$conns-r$i" "$url" "$conns" paths.lua PATHS_FILE="$WORK/lists/$list.paths")
		rps=$(kv "$r" rps)
		ratio=$(awk -v a="${rps:-0}" -v b="${ng:-0}" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "0" }')
		rounds+=("$ratio $ng $rps")
		results+=("$r")
	done
	# The index of the median ratio (the lower middle one for an even count).
	order=$(for i in "${!rounds[@]}"; do echo "${rounds[$i]%% *} $i"; done | sort -n | awk '{ print $2 }')
	pick=$(sed -n "$(((CEIL_ROUNDS + 1) / 2))p" <<<"$order")
	read -r _ ng _ <<<"${rounds[$pick]}"
	CEIL_NGINX[$list]=$ng
	local summary=""
	for i in "${!rounds[@]}"; do
		read -r ratio ng rps <<<"${rounds[$i]}"
		summary+="${summary:+, }r$((i + 1)) ${rps:--}/${ng:--} = $ratio"
	done
	row "$case" "$server" "$conns" "${results[$pick]}" "$list" "ceil:$T_CEIL" "${note:+$note; }rounds (planmap/nginx req/s): $summary; the median round shown"
}
skip() { # CASE REASON
	printf '%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t%s\n' "$1" "$2" >>"$ROWS"
	say "$1: $2"
}

C=$CONNECTIONS
COLD="cold (cache off)"
PGONLY="PostgreSQL only (cache, index off)"
WARM="warm (cache ${CACHE_MB} MB)"
RB=(COLLECTION="$LAYER" BBOX_DEG=0.2 LIMIT=100 SEED=2012)

# Items, 0.2-degree bbox, limit=100.
ceiling bbox
row "items bbox 0.2° random" "$COLD" $C "$(run bbox-random-A "$A_URL" $C random_bbox.lua "${RB[@]}")" bbox "rps:$T_ITEMS" "a new bbox every request; bytes: mean of 50 sampled answers"
row "items bbox 0.2° random" "$PGONLY" $C "$(run bbox-random-P "$P_URL" $C random_bbox.lua "${RB[@]}")" bbox "-" "for comparison: every request a query"
row "items bbox 0.2° random" "warm, every request a miss" $C "$(run bbox-random-B "$B_URL" $C random_bbox.lua "${RB[@]}")" bbox "rps:$T_ITEMS" "cache on, so misses pay the cache's store"
row "items bbox 0.2° 50-list" "$COLD" $C "$(run bbox-list-A "$A_URL" $C paths.lua PATHS_FILE="$WORK/lists/bbox.paths")" bbox "rps:$T_ITEMS" "50 fixed boxes in turn"
prime bbox
ceil_row "items bbox 0.2° 50-list" "$WARM" $C "$B_URL" bbox "$(cache_note bbox)"

# One item by id, the projects feed, the 300-feature layer.
for n in item projects small; do
	ceiling "$n"
	case $n in
	item) label="one item by id" t=ceil:$T_CEIL ;;
	projects) label="projects feed limit=1000" t=ceil:$T_CEIL ;;
	small) label="300-point layer limit=1000" t=ref:$REF_SMALL ;;
	esac
	# One item and the projects feed are one request repeated: their
	# ceiling target is the warm row's; the cold row shows the cost of a
	# miss. The 300-point layer's cold row is set against its reference.
	tcold=-
	[[ $n == small ]] && tcold=$t
	row "$label" "$COLD" $C "$(run "$n-A" "$A_URL" $C paths.lua PATHS_FILE="$WORK/lists/$n.paths")" "$n" "$tcold"
	prime "$n"
	if [[ $t == ceil:* ]]; then
		ceil_row "$label" "$WARM" $C "$B_URL" "$n" "$(cache_note "$n")"
	else
		row "$label" "$WARM" $C "$(run "$n-B" "$B_URL" $C paths.lua PATHS_FILE="$WORK/lists/$n.paths")" "$n" "$t" "$(cache_note "$n")"
	fi
done

# Tiles over the dense area.
if [[ $TILES == ok ]]; then
	ceiling z8
	row "tile z8 $Z8Y/$Z8X" "$COLD" $C "$(run z8-A "$A_URL" $C paths.lua PATHS_FILE="$WORK/lists/z8.paths")" z8 "z8:$T_Z8"
	row "tile z8 $Z8Y/$Z8X" "$PGONLY" $C "$(run z8-P "$P_URL" $C paths.lua PATHS_FILE="$WORK/lists/z8.paths")" z8 "-" "for comparison"
	prime z8
	row "tile z8 $Z8Y/$Z8X" "$WARM" $C "$(run z8-B "$B_URL" $C paths.lua PATHS_FILE="$WORK/lists/z8.paths")" z8 - "$(cache_note z8)"
	for z in 11 14; do
		x0=Z${z}X0 x1=Z${z}X1 y0=Z${z}Y0 y1=Z${z}Y1 t=T_Z$z
		ceiling "z$z"
		row "tiles z$z random" "$COLD" $C "$(run "z$z-random-A" "$A_URL" $C random_tile.lua COLLECTION="$LAYER" Z="$z" X0="${!x0}" X1="${!x1}" Y0="${!y0}" Y1="${!y1}" SEED=2012)" "z$z" "rps:${!t}" "random tiles of the z8 tile's block; bytes: mean of 50 sampled"
		row "tiles z$z random" "$PGONLY" $C "$(run "z$z-random-P" "$P_URL" $C random_tile.lua COLLECTION="$LAYER" Z="$z" X0="${!x0}" X1="${!x1}" Y0="${!y0}" Y1="${!y1}" SEED=2012)" "z$z" "-" "for comparison"
		row "tiles z$z 50-list" "$COLD" $C "$(run "z$z-list-A" "$A_URL" $C paths.lua PATHS_FILE="$WORK/lists/z$z.paths")" "z$z" "rps:${!t}"
		prime "z$z"
		ceil_row "tiles z$z 50-list" "$WARM" $C "$B_URL" "z$z" "$(cache_note "z$z"); ${EMPTY[z$z]:-0} of 50 tiles empty (204)"
	done
else
	for c in "tile z8" "tiles z11 random" "tiles z11 50-list" "tiles z14 random" "tiles z14 50-list"; do skip "$c" "$TILES"; done
fi

# p99 at 64 connections.
P=$P99_CONNECTIONS
row "items bbox 0.2° random" "$COLD" $P "$(run bbox-random-A-$P "$A_URL" $P random_bbox.lua "${RB[@]}")" bbox "p99:50"
row "items bbox 0.2° 50-list" "$WARM" $P "$(run bbox-list-B-$P "$B_URL" $P paths.lua PATHS_FILE="$WORK/lists/bbox.paths")" bbox "p99:50"
if [[ $TILES == ok ]]; then
	for z in 11 14; do
		x0=Z${z}X0 x1=Z${z}X1 y0=Z${z}Y0 y1=Z${z}Y1
		row "tiles z$z random" "$COLD" $P "$(run "z$z-random-A-$P" "$A_URL" $P random_tile.lua COLLECTION="$LAYER" Z="$z" X0="${!x0}" X1="${!x1}" Y0="${!y0}" Y1="${!y1}" SEED=2012)" "z$z" "p99:100"
		# The warm server: tiles drawn ahead or asked for before come from
		# the cache, others are drawn; the block has 64 z11 and 4,096 z14 tiles.
		row "tiles z$z random" "warm (cache ${CACHE_MB} MB)" $P "$(run "z$z-random-B-$P" "$B_URL" $P random_tile.lua COLLECTION="$LAYER" Z="$z" X0="${!x0}" X1="${!x1}" Y0="${!y0}" Y1="${!y1}" SEED=2012)" "z$z" "p99:100" "the same random tiles; tiles of 500 features or more were drawn ahead (SEED_MB), the others are drawn when first asked for"
	done
else
	skip "tiles z11/z14 random p99" "$TILES"
fi
{
	echo "load after: $(uptime | sed 's/.*load average/load average/')"
	echo "RSS after the runs: A $(rss_mib "$A_PID") MiB, B $(rss_mib "$B_PID") MiB, P $(rss_mib "$P_PID") MiB; index hits: A $(metric "$A_URL" planmap_index_hits), B $(metric "$B_URL" planmap_index_hits), P $(metric "$P_URL" planmap_index_hits)"
} | tee -a "$RESULTS/machine.txt" >&2

# ----------------------------------------------------------------- table
HEAD=(case server conns "req/s" "p50 ms" "p99 ms" "body bytes" "nginx req/s" "Go static req/s" "ratio" "target" "met" "note")
{
	(IFS=$'\t'; echo "${HEAD[*]}")
	cat "$ROWS"
} | awk -F'\t' '{ printf "%-28s %-28s %5s %9s %8s %8s %10s %11s %15s %5s %-36s %-14s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }' | tee "$RESULTS/table.txt"
{
	printf '|'
	printf ' %s |' "${HEAD[@]}"
	echo
	printf '|'
	for _ in "${HEAD[@]}"; do printf -- '---|'; done
	echo
	awk -F'\t' '{ printf "|"; for (i = 1; i <= NF; i++) printf " %s |", ($i == "" ? " " : $i); printf "\n" }' "$ROWS"
} >"$RESULTS/table.md"
echo
echo "markdown ($RESULTS/table.md):"
cat "$RESULTS/table.md"

# ------------------------------------------------------------------ soak
if [[ $SOAK == 1 ]]; then
	echo
	BASE_URL=$B_URL PLANMAP_PID=$B_PID PLANMAP_LOG=$WORK/log/planmap-B.err TILES=$TILES DURATION=${SOAK_DURATION:-60s} CONNECTIONS=${SOAK_CONNECTIONS:-64} \
		Z14X0=$Z14X0 Z14X1=$Z14X1 Z14Y0=$Z14Y0 Z14Y1=$Z14Y1 WORK=$WORK/soak KEEP=1 PARENT_WORK=$WORK \
		"$BENCH/soak.sh" | tee "$RESULTS/soak.txt" || SOAK_RC=$?
	if [[ ${SOAK_RC:-0} != 0 ]]; then say "soak exited ${SOAK_RC}"; fi
fi
say "results in $RESULTS"
exit "${SOAK_RC:-0}"
