#!/usr/bin/env python3
"""Add the Hun, Daling and Yalu rivers from GSHHG's WDB II river lines to rivers.geojson.

Python 3, standard library only.  The river lines come from the Debian packages
gmt (GMT 6.4.0) and gmt-gshhg-full (GSHHG 2.3.7, full resolution), dumped as text
with GMT's coast module:

    apt-get install gmt gmt-gshhg-full
    python3 geodata/basemap/tools/gshhg_rivers.py            # runs gmt itself
    python3 geodata/basemap/tools/gshhg_rivers.py --dump F   # or reads a saved dump:
        gmt coast -R117.5/126.5/38/44 -Ir -M -Df > F

The WDB II river lines carry no names.  Each river below is picked out of the
network by the ends of its stretches (points on the WDB II lines themselves), and
is only written if its course passes the places the river is known to pass, within
the distance given (see RIVERS); otherwise the script stops with an error.  The
Hun and the Daling are clipped to the Liaoning outline (liaoning.geojson); the
Yalu, which is the national border, is cut where the Liaoning-Jilin boundary
(provinces.geojson) meets it and checked against the China-DPRK border line
(border.geojson).

The features already in rivers.geojson that this script does not make (the
Natural Earth Liao) are kept as they are.  The output is written in the form
build_helpers.mjs normalize gives (one feature per line), 5 decimals.
"""

import argparse
import hashlib
import heapq
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASEMAP = os.path.dirname(HERE)

FRAME = (117.5, 38.0, 126.5, 44.0)
GMT_ARGS = ["gmt", "coast", "-R117.5/126.5/38/44", "-Ir", "-M", "-Df"]
GSHHG_FILE = "/usr/share/gmt-gshhg/binned_river_f.nc"
# The versions the shipped file was made with; others are refused unless
# --any-version is given (the source string then names what was found).
WANT = {"gmt": "6.4.0+dfsg-2", "gmt-gshhg-full": "2.3.7-6"}
GSHHG_SHA256 = "1e0f34b06bb73fa21ee1a52764d6979521c3342215e0a2cdc8de6c72d37d0cb6"

# GMT's river levels (coast -I).
LEVELS = {1: "permanent major river", 2: "additional major river", 3: "additional river", 4: "minor river"}

SNAP_KM = 0.15        # chain ends closer than this are one node
ANCHOR_KM = 0.5       # a stretch end must lie this close to a node of the network
PRECISION = 5
MIN_PART_KM = 2.0     # shorter pieces left by the clip (at the coast) are dropped

LICENSE = "LGPL-3.0-or-later"

# Places are approximate centres from general knowledge (like cities.geojson);
# max_km allows for that and for the few kilometres WDB II can be off.
RIVERS = [
    {
        "id": "river-hun", "name_zh": "浑河", "name_en": "Hun River",
        # upstream to downstream; the gap between the stretches is the Dahuofang reservoir
        "stretches": [[(125.214, 41.961), (124.292, 41.927)], [(124.095, 41.875), (122.404, 41.000)]],
        "clip": "liaoning",
        "passes": [
            ("Qingyuan county seat (清原)", 124.92, 42.10, 8),
            ("Fushun (抚顺), city centre", 123.957, 41.88, 3),
            ("Shenyang (沈阳), city centre (the Hun runs through the south of the city)", 123.4315, 41.8057, 8),
        ],
        "joins_network": True,
        "course": "Qingyuan - Dahuofang reservoir - Fushun - Shenyang - Sanchahe (三岔河), where it meets "
                  "the Liao-Daliao line of the same data set",
        "gaps": "broken at the Dahuofang reservoir (大伙房水库), a lake in the source",
    },
    {
        "id": "river-daling", "name_zh": "大凌河", "name_en": "Daling River",
        "stretches": [[(118.933, 41.070), (121.561, 40.840)]],
        "clip": "liaoning",
        "passes": [
            ("Lingyuan (凌源), city centre", 119.40, 41.24, 6),
            ("Kazuo county seat (喀左)", 119.74, 41.13, 6),
            ("Chaoyang (朝阳), city centre", 120.45, 41.576, 4),
            ("Yixian county seat (义县)", 121.24, 41.53, 4),
            ("Linghai (凌海), city centre", 121.36, 41.17, 4),
        ],
        "course": "Lingyuan - Kazuo - Chaoyang - Yixian - Linghai - Liaodong Bay",
        "gaps": None,
    },
    {
        "id": "river-yalu", "name_zh": "鸭绿江", "name_en": "Yalu River",
        # the gap between the stretches is the Sup'ung (水丰) reservoir
        "stretches": [[(127.000, 41.742), (125.326, 40.633)], [(124.958, 40.453), (124.372, 40.093)]],
        "clip": "yalu",
        "passes": [
            ("Sup'ung (水丰) dam", 124.96, 40.45, 3),
            ("Dandong (丹东), city centre", 124.383, 40.125, 3),
        ],
        "border_km": (1.5, 3.0),   # median and maximum distance to the China-DPRK border line
        "course": "along the China-DPRK border from the Liaoning-Jilin boundary past the Sup'ung dam to Dandong",
        "gaps": "broken at the Sup'ung reservoir, a lake in the source; it ends at Dandong, above the estuary",
    },
]


# Not here: the Taizi (太子河) and the Xiaoling (小凌河).  No line of the source passes
# Benxi and Liaoyang, or Jinzhou, so neither river is in it at any level; they are
# left out rather than drawn by hand.  The Liao stays the Natural Earth line.


# --- geometry (km on a local equirectangular plane; good to ~0.5% in this frame) ---

KM_PER_DEG = 111.32


def xy(p, lat0=41.0):
    return (p[0] * math.cos(math.radians(lat0)) * KM_PER_DEG, p[1] * KM_PER_DEG)


def seg_dist_km(p, a, b):
    (px, py), (ax, ay), (bx, by) = xy(p), xy(a), xy(b)
    dx, dy = bx - ax, by - ay
    L = dx * dx + dy * dy
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L)) if L else 0.0
    return math.hypot(ax + t * dx - px, ay + t * dy - py)


def dist_to_lines_km(p, lines):
    return min(seg_dist_km(p, l[i], l[i + 1]) for l in lines for i in range(len(l) - 1))


def geodesic_km(a, b):
    r = 6371.0088
    la1, la2 = math.radians(a[1]), math.radians(b[1])
    dl = math.radians(b[0] - a[0])
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def length_km(line):
    return sum(geodesic_km(line[i], line[i + 1]) for i in range(len(line) - 1))


def rings_of(geom):
    if geom["type"] == "Polygon":
        return list(geom["coordinates"])
    return [r for poly in geom["coordinates"] for r in poly]


def lines_of(geom):
    return [geom["coordinates"]] if geom["type"] == "LineString" else list(geom["coordinates"])


def point_in_rings(p, rings):
    """Even-odd rule over all rings (outer rings and holes alike)."""
    x, y = p
    inside = False
    for r in rings:
        for i in range(len(r) - 1):
            (x1, y1), (x2, y2) = r[i], r[i + 1]
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def seg_intersections(a, b, rings):
    """Parameters t in (0, 1] where segment a-b crosses a ring edge."""
    out = []
    ax, ay = a
    dx, dy = b[0] - a[0], b[1] - a[1]
    minx, maxx, miny, maxy = min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])
    for r in rings:
        for i in range(len(r) - 1):
            (x1, y1), (x2, y2) = r[i], r[i + 1]
            if max(x1, x2) < minx or min(x1, x2) > maxx or max(y1, y2) < miny or min(y1, y2) > maxy:
                continue
            ex, ey = x2 - x1, y2 - y1
            den = dx * ey - dy * ex
            if den == 0:
                continue
            t = ((x1 - ax) * ey - (y1 - ay) * ex) / den
            u = ((x1 - ax) * dy - (y1 - ay) * dx) / den
            if 0 < t <= 1 and 0 <= u <= 1:
                out.append(t)
    return sorted(out)


def clip_to_rings(line, rings):
    """Parts of a polyline inside the rings (even-odd), cut at the crossings."""
    parts, cur = [], []
    inside = point_in_rings(line[0], rings)
    if inside:
        cur.append(line[0])
    for i in range(len(line) - 1):
        a, b = line[i], line[i + 1]
        for t in seg_intersections(a, b, rings):
            q = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
            if inside:
                cur.append(q)
                if len(cur) > 1:
                    parts.append(cur)
                cur = []
            else:
                cur = [q]
            inside = not inside
        if inside:
            cur.append(b)
    if inside and len(cur) > 1:
        parts.append(cur)
    return parts


def cut_after(line, p):
    """The part of a polyline downstream of its point nearest to p."""
    best, bi, bt = None, 0, 0.0
    for i in range(len(line) - 1):
        (ax, ay), (bx, by), (px, py) = xy(line[i]), xy(line[i + 1]), xy(p)
        dx, dy = bx - ax, by - ay
        L = dx * dx + dy * dy
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L)) if L else 0.0
        d = math.hypot(ax + t * dx - px, ay + t * dy - py)
        if best is None or d < best:
            best, bi, bt = d, i, t
    a, b = line[bi], line[bi + 1]
    q = (a[0] + bt * (b[0] - a[0]), a[1] + bt * (b[1] - a[1]))
    return [q] + line[bi + 1:], best


# --- reading GMT's dump and joining its pieces into a network ---------------------

def read_dump(text):
    """[(level, [(lon, lat), ...]), ...] from `gmt coast -I.. -M` output."""
    segs, cur, level = [], None, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(">"):
            if cur:
                segs.append((level, cur))
            cur = []
            level = int(line.rsplit("Level", 1)[1]) if "Level" in line else None
            continue
        x, y = (float(v) for v in line.split()[:2])
        if cur and (x, y) == cur[-1]:
            continue
        cur.append((x, y))
    if cur:
        segs.append((level, cur))
    # GMT cuts the lines at its 1-degree bins and adds zero-length pieces at bin
    # edges: keep only pieces with two or more distinct points
    return [(lv, s) for lv, s in segs if len(s) >= 2]


class Network:
    """Pieces joined at shared ends into chains (ends: river ends and confluences)."""

    def __init__(self, segs):
        self.nodes = []            # node positions

        def node(p):
            for i, q in enumerate(self.nodes):
                if abs(q[0] - p[0]) < 0.01 and abs(q[1] - p[1]) < 0.01 and geodesic_km(p, q) < SNAP_KM:
                    return i
            self.nodes.append(p)
            return len(self.nodes) - 1

        ends = [(node(s[0]), node(s[-1])) for _, s in segs]
        deg = {}
        for a, b in ends:
            deg[a] = deg.get(a, 0) + 1
            deg[b] = deg.get(b, 0) + 1
        at = {}
        for i, (a, b) in enumerate(ends):
            at.setdefault(a, []).append(i)
            at.setdefault(b, []).append(i)
        used = set()
        self.chains = []           # (from node, to node, levels, points)

        def walk(start, i):
            lv, s = segs[i]
            a, b = ends[i]
            pts = list(s) if a == start else list(reversed(s))
            end = b if a == start else a
            levels = {lv}
            used.add(i)
            while deg[end] == 2:
                nxt = [j for j in at[end] if j not in used]
                if not nxt:
                    break
                j = nxt[0]
                used.add(j)
                lv2, s2 = segs[j]
                a2, b2 = ends[j]
                more = list(s2) if a2 == end else list(reversed(s2))
                pts += more[1:]
                levels.add(lv2)
                end = b2 if a2 == end else a2
            self.chains.append((start, end, levels, pts))

        for n in sorted(at):
            if deg[n] != 2:
                for i in at[n]:
                    if i not in used:
                        walk(n, i)
        for i in range(len(segs)):      # closed loops, if any
            if i not in used:
                walk(ends[i][0], i)

    def nearest_node(self, p):
        d, i = min((geodesic_km(p, q), i) for i, q in enumerate(self.nodes))
        return i, d

    def path(self, a, b):
        """Chains (oriented a -> b) on the shortest way between two nodes."""
        adj = {}
        for ci, (u, v, _, pts) in enumerate(self.chains):
            w = length_km(pts)
            adj.setdefault(u, []).append((w, v, ci, False))
            adj.setdefault(v, []).append((w, u, ci, True))
        dist, prev, heap = {a: 0.0}, {}, [(0.0, a)]
        while heap:
            d, u = heapq.heappop(heap)
            if u == b:
                break
            if d > dist.get(u, math.inf):
                continue
            for w, v, ci, rev in adj.get(u, []):
                if d + w < dist.get(v, math.inf):
                    dist[v] = d + w
                    prev[v] = (u, ci, rev)
                    heapq.heappush(heap, (d + w, v))
        if b not in dist:
            return None
        steps, n = [], b
        while n != a:
            u, ci, rev = prev[n]
            steps.append((ci, rev))
            n = u
        return list(reversed(steps))


# --- the script ---------------------------------------------------------------------

def package_versions():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n"] + list(WANT),
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def num(v):
    """Integral values as integers, as JSON.stringify writes them."""
    return int(v) if v == int(v) else v


def rnd(p):
    return [num(round(p[0], PRECISION)), num(round(p[1], PRECISION))]


def tidy(line):
    out = []
    for p in line:
        q = rnd(p)
        if not out or q != out[-1]:
            out.append(q)
    return out


def load(name):
    with open(os.path.join(BASEMAP, name), encoding="utf-8") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", help="text dump of `%s` (default: run gmt)" % " ".join(GMT_ARGS))
    ap.add_argument("--out", default=os.path.join(BASEMAP, "rivers.geojson"))
    ap.add_argument("--any-version", action="store_true",
                    help="accept other gmt / gmt-gshhg-full versions than the pinned ones")
    args = ap.parse_args()

    versions = package_versions()
    if args.dump:
        with open(args.dump, encoding="utf-8") as f:
            text = f.read()
    else:
        if os.path.exists(GSHHG_FILE) and sha256(GSHHG_FILE) != GSHHG_SHA256 and not args.any_version:
            print("error: %s is not the GSHHG 2.3.7 file this was made with" % GSHHG_FILE, file=sys.stderr)
            return 2
        try:
            # in a scratch folder: gmt leaves a gmt.history file where it runs
            with tempfile.TemporaryDirectory() as tmp:
                text = subprocess.run(GMT_ARGS, capture_output=True, text=True, check=True, cwd=tmp).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            print("error: %s (apt-get install gmt gmt-gshhg-full)" % e, file=sys.stderr)
            return 2
    for pkg, want in WANT.items():
        have = versions.get(pkg)
        if have is not None and have != want and not args.any_version:
            print("error: %s %s installed, %s expected (or --any-version)" % (pkg, have, want), file=sys.stderr)
            return 2
    gshhg_version = versions.get("gmt-gshhg-full", WANT["gmt-gshhg-full"])
    gmt_version = versions.get("gmt", WANT["gmt"])

    segs = read_dump(text)
    net = Network(segs)
    print("GSHHG river pieces: %d, chains: %d, nodes: %d" % (len(segs), len(net.chains), len(net.nodes)))

    ln_rings = rings_of(load("liaoning.geojson")["features"][0]["geometry"])
    border = [l for f in load("border.geojson")["features"] for l in lines_of(f["geometry"])]
    ln_jl = next(f for f in load("provinces.geojson")["features"]
                 if (f.get("id") or f["properties"].get("id")) == "province-border-LN-JL")
    ln_jl_lines = lines_of(ln_jl["geometry"])
    # the Liaoning-Jilin boundary ends on the Yalu at its end nearest the border line
    tri = min((p for l in ln_jl_lines for p in (l[0], l[-1])), key=lambda p: dist_to_lines_km(p, border))

    source = ("GSHHG %s (The GMT Team; LGPL-3.0-or-later) river lines from the CIA World Data Bank II "
              "(public domain), full resolution, via Debian gmt-gshhg-full %s and GMT %s coast; "
              "unnamed in the source, identified by planmap from its course"
              % (gshhg_version.split("-")[0], gshhg_version, gmt_version.split("+")[0]))

    made, errors = [], []
    for r in RIVERS:
        parts, levels, used_chains = [], set(), set()
        for a, b in r["stretches"]:
            na, da = net.nearest_node(a)
            nb, db = net.nearest_node(b)
            if da > ANCHOR_KM or db > ANCHOR_KM:
                errors.append("%s: stretch end %s / %s is %.2f / %.2f km from the network" % (r["id"], a, b, da, db))
                continue
            steps = net.path(na, nb)
            if not steps:
                errors.append("%s: no way through the network from %s to %s" % (r["id"], a, b))
                continue
            line = []
            for ci, rev in steps:
                used_chains.add(ci)
                pts = net.chains[ci][3]
                pts = list(reversed(pts)) if rev else pts
                line += pts if not line else pts[1:]
                levels |= net.chains[ci][2]
            parts.append(line)
        if not parts:
            continue

        if r["clip"] == "liaoning":
            parts = [q for p in parts for q in clip_to_rings(p, ln_rings)]
        elif r["clip"] == "yalu":
            cut, d = cut_after(parts[0], tri)
            if d > 3:
                errors.append("%s: the Liaoning-Jilin boundary ends %.1f km from the river" % (r["id"], d))
            parts[0] = cut
        parts = [t for t in (tidy(p) for p in parts) if len(t) >= 2 and length_km(t) >= MIN_PART_KM]

        notes = []
        for label, lon, lat, max_km in r["passes"]:
            d = dist_to_lines_km((lon, lat), parts)
            notes.append("%s %.1f km" % (label, d))
            if d > max_km:
                errors.append("%s: passes %s at %.1f km, more than %s km" % (r["id"], label, d, max_km))
        if r.get("joins_network"):
            end = parts[-1][-1]
            others = [c[3] for i, c in enumerate(net.chains) if i not in used_chains]
            d = dist_to_lines_km(end, others)
            notes.append("its lower end lies %.2f km from the Liao-Daliao line" % d)
            if d > 0.5:
                errors.append("%s: lower end %.2f km from the rest of the network" % (r["id"], d))
        if "border_km" in r:
            ds = sorted(dist_to_lines_km(p, border) for p in parts for p in p)
            med, mx = ds[len(ds) // 2], ds[-1]
            notes.append("distance to the China-DPRK border line: median %.2f km, maximum %.2f km" % (med, mx))
            if med > r["border_km"][0] or mx > r["border_km"][1]:
                errors.append("%s: %.2f / %.2f km from the border line" % (r["id"], med, mx))

        km = sum(length_km(p) for p in parts)
        lv = sorted(x for x in levels if x is not None)
        identified = ("Course %s. Distances from the line: %s." % (r["course"], "; ".join(notes)))
        props = {
            "id": r["id"], "name_zh": r["name_zh"], "name_en": r["name_en"], "kind": "river",
            "source": source, "license": LICENSE,
            "source_level": ", ".join("%d (%s)" % (x, LEVELS.get(x, "?")) for x in lv),
            "length_km": num(round(km, 1)),
            "identified": identified,
        }
        if r["gaps"]:
            props["gaps"] = r["gaps"]
        made.append({"type": "Feature", "id": r["id"],
                     "geometry": {"type": "MultiLineString", "coordinates": parts}, "properties": props})
        print("%-13s %6.1f km  %d part(s), %d points; %s" % (r["id"], km, len(parts), sum(len(p) for p in parts),
                                                           "; ".join(notes)))

    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        return 1

    for f in made:
        for p in f["geometry"]["coordinates"]:
            for lon, lat in p:
                if not (FRAME[0] <= lon <= FRAME[2] and FRAME[1] <= lat <= FRAME[3]):
                    print("error: %s leaves the frame at %s" % (f["id"], (lon, lat)), file=sys.stderr)
                    return 1

    ours = {r["id"] for r in RIVERS}
    kept = []
    if os.path.exists(args.out):
        with open(args.out, encoding="utf-8") as f:
            kept = [ft for ft in json.load(f)["features"] if ft.get("id") not in ours]
    feats = kept + made
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(
        json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats) + "\n]}\n"
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s: %d features (%d kept), %d bytes" % (args.out, len(feats), len(kept), len(text.encode())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
