#!/usr/bin/env bash
# bench/soak.sh: a bounded soak of planmap. 64 concurrent clients for 60
# seconds over a mixed read workload (feeds, filters, bbox pages, items by
# id, tiles when the endpoint exists), sampling planmap's resident memory
# (VmRSS) every second. Prints the peak RSS and the error counts; exits 1
# on any 5xx answer (or when wrk fails).
#
#   bench/soak.sh                        # starts its own cluster, data and planmap
#   BASE_URL=http://127.0.0.1:8080 PLANMAP_PID=1234 [PLANMAP_LOG=file] bench/soak.sh   # an existing planmap
#
# Environment: DURATION=60s CONNECTIONS=64 THREADS=2 WRK_TIMEOUT=30s; standalone only:
# FEATURES=200000 CACHE_MB=256 LOG_LEVEL=info KEEP=1.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
FEATURES=${FEATURES:-200000}
LAYER=${LAYER:-bench_polygons}
DUR_S=$(seconds "$DURATION")

for t in wrk curl python3 timeout; do command -v "$t" >/dev/null || die "$t is missing"; done
trap stop_all EXIT
trap 'exit 130' INT TERM
make_work

if [[ -z ${BASE_URL:-} ]]; then
	build
	start_cluster
	load_data
	gen "$LAYER" polygons "$FEATURES" >&2
	start_planmap S "${CACHE_MB:-256}"
	BASE_URL=$S_URL PLANMAP_PID=$S_PID PLANMAP_LOG=$WORK/log/planmap-S.err
fi
[[ -n ${PLANMAP_PID:-} && -r /proc/$PLANMAP_PID/status ]] || die "set PLANMAP_PID to planmap's pid (to sample its memory)"
if [[ -z ${Z14X0:-} ]]; then tile_block; fi
TILES=${TILES:-$(tile_probe "$BASE_URL")}

# ------------------------------------------------------------- the paths
paths=$WORK/mixed.paths
{
	# Feeds and filters.
	for p in \
		"/collections/projects/items" \
		"/collections/projects/items?limit=1000" \
		"/collections/projects/items?section=7" \
		"/collections/projects/items?section=2,3" \
		"/collections/projects/items?status=under_construction&category=railway" \
		"/collections/projects/items?q=%E6%B0%B4%E5%BA%93&bbox=121,39,126,42" \
		"/collections/projects/items?city=Dalian" \
		"/collections/projects/items?city=%E5%A4%A7%E8%BF%9E%E5%B8%82" \
		"/collections/projects/items?filter=section%3D7" \
		"/collections/projects/items?filter=status%3D'under_construction'" \
		"/collections/projects/items?f=csv" \
		"/collections/programmes/items" \
		"/collections/$LAYER/items?filter=kind%3D'industrial'&limit=50" \
		"/collections/$LAYER/items?limit=100&offset=5000" \
		"/collections/liaoning/items" \
		"/collections/cities/items" \
		"/collections" \
		"/collections/projects" \
		"/plan/sections" \
		"/plan/programmes"; do
		echo "$p"
	done
	# 0.2-degree bbox pages of the synthetic layer, inland Liaoning.
	awk -v layer="$LAYER" 'BEGIN { srand(17); for (i = 0; i < 60; i++) { x = 121.0 + rand() * 3.5; y = 40.3 + rand() * 2.2;
		printf "/collections/%s/items?bbox=%.4f,%.4f,%.4f,%.4f&limit=100\n", layer, x - 0.1, y - 0.1, x + 0.1, y + 0.1 } }'
} >"$paths.checked"
# Items by id: projects from the feed, synthetic features by number.
curl -s --max-time 60 "$BASE_URL/collections/projects/items?limit=1000" |
	python3 -c 'import json, sys; [print("/collections/projects/items/" + f["id"]) for f in json.load(sys.stdin)["features"]]' >"$WORK/projects.ids"
n=$(curl -s --max-time 60 "$BASE_URL/collections/$LAYER" | python3 -c 'import json, sys; print(json.load(sys.stdin)["numberOfFeatures"])')
[[ $n -gt 0 ]] || die "layer $LAYER has no features"
awk -v layer="$LAYER" -v n="$n" 'BEGIN { srand(23); for (i = 0; i < 200; i++) printf "/collections/%s/items/f%07d\n", layer, 1 + int(rand() * n) }' >"$WORK/features.ids"
if [[ $TILES == ok ]]; then
	tile_paths 14 "$Z14X0" "$Z14X1" "$Z14Y0" "$Z14Y1" 100 41 >>"$paths.checked"
	tile_paths 11 "$((Z14X0 / 8))" "$((Z14X1 / 8))" "$((Z14Y0 / 8))" "$((Z14Y1 / 8))" 20 43 >>"$paths.checked"
	echo "/collections/$LAYER/tiles/WebMercatorQuad/8/$((Z14Y0 / 64))/$((Z14X0 / 64))" >>"$paths.checked"
fi
# Every path must answer 2xx before the soak, so that errors mean something.
bad=0
while IFS= read -r p; do
	code=$(status "$BASE_URL$p")
	if [[ $code != 2* ]]; then say "precheck: HTTP $code for $p"; bad=$((bad + 1)); fi
done < <(cat "$paths.checked"; head -5 "$WORK/projects.ids"; head -5 "$WORK/features.ids")
[[ $bad == 0 ]] || die "$bad paths fail before the soak"
cat "$paths.checked" "$WORK/projects.ids" "$WORK/features.ids" >"$paths"
say "soak: $(wc -l <"$paths") paths ($(wc -l <"$WORK/projects.ids") projects, 200 features by id, tiles: $TILES), $CONNECTIONS connections for $DURATION against $BASE_URL"

# ------------------------------------------------------------------- run
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PLANMAP_PID/status" 2>/dev/null || echo 0; }
rss_start=$(rss)
soak_start=$(date -u +%Y-%m-%dT%H:%M:%S)
(
	for ((i = 0; i < DUR_S + 20; i++)); do
		[[ -e $WORK/done ]] && break
		echo "$(date +%s) $(rss)"
		sleep 1
	done
) >"$WORK/rss.log" &
sampler=$!
PIDS+=($sampler)
log=$WORK/wrk-soak.log
wrk_rc=0
PATHS_FILE=$paths SEED=2012 timeout -k 5 $((DUR_S + $(seconds "${WRK_TIMEOUT:-30s}") + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "${WRK_TIMEOUT:-30s}" --latency \
	-s "$BENCH/mixed.lua" "$BASE_URL" >"$log" 2>&1 || wrk_rc=$?
touch "$WORK/done"
wait "$sampler" 2>/dev/null || true
rss_end=$(rss)
rss_peak=$(awk -v s="$rss_start" 'BEGIN { m = s } $2 > m { m = $2 } END { print m }' "$WORK/rss.log")

res=$(grep -m1 '^WRK_RESULT' "$log" || true)
soak=$(grep -m1 '^SOAK_RESULT' "$log" || true)
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$log")
s5=$(kv "$soak" status5xx)
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
echo "soak: $CONNECTIONS connections, $THREADS threads, $DURATION, $(wc -l <"$paths") mixed paths (tiles: $TILES)"
echo "soak: $(kv "$res" requests) requests, $(kv "$res" rps) req/s, p50 $(kv "$res" p50_ms) ms, p99 $(kv "$res" p99_ms) ms, max $(kv "$res" max_ms) ms"
echo "soak: status 2xx $(kv "$soak" status2xx), 3xx $(kv "$soak" status3xx), 4xx $(kv "$soak" status4xx), 5xx ${s5:-?}; wrk 'Non-2xx or 3xx responses': ${non2xx:-0}; socket errors connect $(kv "$res" connect) read $(kv "$res" read) write $(kv "$res" write), no answer within ${WRK_TIMEOUT:-30s} $(kv "$res" timeout)"
echo "soak: planmap RSS start $(mib "$rss_start"), peak $(mib "$rss_peak"), end $(mib "$rss_end") ($(wc -l <"$WORK/rss.log") samples, 1 s apart)"
if [[ -z $res || -z $soak || $wrk_rc != 0 ]]; then
	tail -5 "$log" >&2
	die "wrk failed (exit $wrk_rc)"
fi
if [[ $s5 != 0 ]]; then
	if [[ -r ${PLANMAP_LOG:-} ]]; then
		say "5xx answers in planmap's log during the soak, by status and path (request lines need LOG_LEVEL=info):"
		awk -v t="$soak_start" '{ ts = ""; st = ""; p = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^time=/) ts = substr($i, 6)
				if ($i ~ /^status=5/) st = substr($i, 8)
				if ($i ~ /^path=/) p = substr($i, 6)
			}
			sub(/\/items\/[^\/]+$/, "/items/{id}", p)
			sub(/\/[0-9]+\/[0-9]+$/, "/{y}/{x}", p)
			if (ts >= t && st != "") n[st " " p]++
		} END { for (k in n) printf "  %6d  %s\n", n[k], k }' "$PLANMAP_LOG" >&2
		say "errors in planmap's log during the soak (a client that hangs up is logged as a 500 too):"
		awk -v t="$soak_start" '{ for (i = 1; i <= NF; i++) if ($i ~ /^time=/) ts = substr($i, 6) } ts >= t && /level=ERROR/' "$PLANMAP_LOG" |
			grep -o 'err="[^"]*"' | sort | uniq -c | sort -rn | head -10 >&2 || true
	fi
	die "$s5 answers were 5xx"
fi
