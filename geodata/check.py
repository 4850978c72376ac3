#!/usr/bin/env python3
"""Validate geodata/projects.geojson against the plan text and geodata/vocabularies.json.

Standalone, standard library only.  Usage:

    python3 geodata/check.py [--plan PATH] [--data PATH] [--vocab PATH] [--basemap DIR]

The plan text (liaoning-2012-revitalization-plan.zh.txt) is looked up, in order, at
--plan, $PLANMAP_PLAN_TEXT, then the repository's seeds/.

Prints counts per section, per category and per programme ("k of N sited") and
exits 1 if any error was found (2 if an input file is missing or unreadable).

It also checks the basemap's rivers layer (basemap/rivers.geojson): every river
is a MultiLineString of valid parts (two or more distinct positions, at most 5
decimals), lies in Liaoning (see RIVER_MAX_OUTSIDE_KM), is named in Chinese and
English and names its source and licence, and the licence files it needs are
beside it.
"""

import argparse
import json
import math
import os
import re
import sys
from collections import Counter, OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PLAN_NAME = "liaoning-2012-revitalization-plan.zh.txt"

# Section headings: Chinese numerals followed by "、" (一、 ... 十三、).
SECTION_RE = re.compile(r"^([一二三四五六七八九十]+)、")
# Items: digits followed by ".", "、" or "．", possibly with spaces after it.
ITEM_RE = re.compile(r"^(\d{1,2})\s*[.、．]\s*")

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Liaoning, roughly (WGS84).  Everything must lie inside unless cross_border.
LN_BBOX = (118.8, 38.7, 125.8, 43.5)
# Sanity box for the cross-border (DPRK) zones on the lower Yalu.
YALU_BBOX = (124.0, 39.7, 124.8, 40.4)

GEOM_TYPES = {"Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}

# Basemap rivers: the rivers the layer must hold, and how far (km) a river's
# vertices may lie outside the Liaoning outline (basemap/liaoning.geojson).  The
# Yalu is the border river and is drawn along its channel; the Natural Earth Liao
# starts just north of the province.
REQUIRED_RIVERS = ("river-liao", "river-hun", "river-daling", "river-yalu")
RIVER_MAX_OUTSIDE_KM = {"river-yalu": 4.0, "river-liao": 20.0}
RIVER_DEFAULT_OUTSIDE_KM = 0.5
# licence text -> files that must sit beside the data
LICENCE_FILES = {
    "LGPL-3.0-or-later": ("NOTICE-GSHHG.txt", "LICENSE-LGPL-3.0.txt", "LICENSE-GPL-3.0.txt"),
    "public domain": ("NOTICE-NaturalEarth.txt",),
}

REQUIRED = OrderedDict([
    ("id", str),
    ("name_zh", str),
    ("name_en", str),
    ("section", int),
    ("item", int),
    ("clause", str),
    ("category", str),
    ("status", str),
    ("action_zh", str),
    ("action_en", str),
    ("targets", list),
    ("city", (str, type(None))),
    ("city_zh", (str, type(None))),
    ("county", (str, type(None))),
    ("county_zh", (str, type(None))),
    ("country", str),
    ("cross_border", bool),
    ("location_precision", str),
    ("uncertainty_km", (int, float, type(None))),
    ("location_note", str),
    ("programme", (str, type(None))),
    ("count_target", (int, type(None))),
    ("history", list),
    ("sources", list),
])

NONEMPTY = ("id", "name_zh", "name_en", "clause", "action_zh", "action_en", "location_note")


def zh_numeral(s):
    """一..十三 -> int."""
    digits = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + digits[s[1:]]
    if "十" in s:
        a, b = s.split("十")
        return digits[a] * 10 + (digits[b] if b else 0)
    return digits[s]


def parse_plan(text):
    """Return {section: {item: text}}; item text excludes the number prefix.

    Lines before the first section (the preamble) are ignored; a line that is
    neither a heading nor an item is appended to the current item.
    """
    plan = OrderedDict()
    sec = None
    item = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = SECTION_RE.match(line)
        if m:
            sec = zh_numeral(m.group(1))
            plan[sec] = OrderedDict()
            item = None
            continue
        if sec is None:
            continue
        m = ITEM_RE.match(line)
        if m:
            item = int(m.group(1))
            plan[sec][item] = line[m.end():]
            continue
        if item is not None:
            plan[sec][item] += line
    return plan


def find_plan(arg):
    cands = []
    if arg:
        cands.append(arg)
    if os.environ.get("PLANMAP_PLAN_TEXT"):
        cands.append(os.environ["PLANMAP_PLAN_TEXT"])
    cands.append(os.path.join(REPO, "seeds", PLAN_NAME))
    for c in cands:
        if os.path.isfile(c):
            return c
    return None


def decimals(x):
    s = repr(float(x))
    if "e" in s or "E" in s:
        return 99
    return len(s.split(".")[1].rstrip("0")) if "." in s else 0


def iter_positions(geom):
    t = geom["type"]
    c = geom["coordinates"]
    if t == "Point":
        yield c
    elif t == "LineString":
        for p in c:
            yield p
    elif t in ("MultiLineString", "Polygon"):
        for part in c:
            for p in part:
                yield p
    elif t == "MultiPolygon":
        for poly in c:
            for ring in poly:
                for p in ring:
                    yield p


def check_geometry(fid, geom, cross_border, err):
    if not isinstance(geom, dict) or geom.get("type") not in GEOM_TYPES:
        err(fid, "geometry must be null or one of %s" % sorted(GEOM_TYPES))
        return
    coords = geom.get("coordinates")
    if not isinstance(coords, list) or not coords:
        err(fid, "geometry has no coordinates")
        return
    t = geom["type"]
    try:
        if t == "LineString" and len(coords) < 2:
            err(fid, "LineString needs at least 2 positions")
        if t == "MultiLineString" and any(len(l) < 2 for l in coords):
            err(fid, "each MultiLineString part needs at least 2 positions")
        if t in ("Polygon", "MultiPolygon"):
            rings = coords if t == "Polygon" else [r for p in coords for r in p]
            for r in rings:
                if len(r) < 4 or r[0] != r[-1]:
                    err(fid, "polygon ring must be closed and have >= 4 positions")
        box = YALU_BBOX if cross_border else LN_BBOX
        for p in iter_positions(geom):
            if (not isinstance(p, list) or len(p) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)):
                err(fid, "position %r is not [lon, lat]" % (p,))
                continue
            lon, lat = p
            if decimals(lon) > 5 or decimals(lat) > 5:
                err(fid, "position %r has more than 5 decimals" % (p,))
            if not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
                where = "the lower Yalu (cross-border zone)" if cross_border else "Liaoning"
                err(fid, "position %r lies outside %s %r" % (p, where, box))
    except TypeError:
        err(fid, "malformed coordinates")


def _km_xy(p):
    return (p[0] * math.cos(math.radians(41.0)) * 111.32, p[1] * 111.32)


def _seg_dist_km(p, a, b):
    (px, py), (ax, ay), (bx, by) = _km_xy(p), _km_xy(a), _km_xy(b)
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2)) if length2 else 0.0
    return math.hypot(ax + t * dx - px, ay + t * dy - py)


def _in_rings(p, rings):
    x, y = p
    inside = False
    for r in rings:
        for i in range(len(r) - 1):
            (x1, y1), (x2, y2) = r[i], r[i + 1]
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def _outside_km(p, rings):
    """0 inside the rings, else the distance (km) to their nearest edge."""
    if _in_rings(p, rings):
        return 0.0
    return min(_seg_dist_km(p, r[i], r[i + 1]) for r in rings for i in range(len(r) - 1))


def _length_km(line):
    total = 0.0
    for a, b in zip(line, line[1:]):
        la1, la2 = math.radians(a[1]), math.radians(b[1])
        h = (math.sin((la2 - la1) / 2) ** 2
             + math.cos(la1) * math.cos(la2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2)
        total += 2 * 6371.0088 * math.asin(math.sqrt(h))
    return total


def check_rivers(basemap, err):
    """Check basemap/rivers.geojson; return summary lines.  Raises OSError/ValueError
    if a file cannot be read."""
    with open(os.path.join(basemap, "rivers.geojson"), encoding="utf-8") as f:
        fc = json.load(f)
    with open(os.path.join(basemap, "liaoning.geojson"), encoding="utf-8") as f:
        ln = json.load(f)
    rings = [r for poly in ln["features"][0]["geometry"]["coordinates"] for r in poly]
    lines = []
    if fc.get("type") != "FeatureCollection" or not isinstance(fc.get("features"), list):
        err("rivers", "rivers.geojson is not a FeatureCollection")
        return lines
    seen = set()
    for i, f in enumerate(fc["features"]):
        p = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(p, dict):
            err("rivers[%d]" % i, "not a Feature with properties")
            continue
        fid = "rivers/%s" % (p.get("id") or i)
        if not isinstance(p.get("id"), str) or not ID_RE.match(p["id"]) or f.get("id") != p["id"]:
            err(fid, "needs an id matching %s, equal to the top-level id" % ID_RE.pattern)
        if p.get("id") in seen:
            err(fid, "id repeated")
        seen.add(p.get("id"))
        for k in ("name_zh", "name_en", "source", "license"):
            if not isinstance(p.get(k), str) or not p[k].strip():
                err(fid, "%s missing or empty" % k)
        if isinstance(p.get("name_zh"), str) and not re.search(r"[\u4e00-\u9fff]", p["name_zh"]):
            err(fid, "name_zh has no Chinese characters")
        if p.get("kind") != "river":
            err(fid, "kind must be river")
        lic = p.get("license")
        if isinstance(lic, str) and lic.strip():
            need = LICENCE_FILES.get(lic)
            if need is None:
                err(fid, "license %r has no licence files listed in check.py" % lic)
            for name in need or ():
                if not os.path.isfile(os.path.join(basemap, name)):
                    err(fid, "license %s needs %s beside the data" % (lic, name))
        g = f.get("geometry")
        if not isinstance(g, dict) or g.get("type") != "MultiLineString" or not isinstance(g.get("coordinates"), list) \
                or not g["coordinates"]:
            err(fid, "geometry must be a non-empty MultiLineString")
            continue
        limit = RIVER_MAX_OUTSIDE_KM.get(p.get("id"), RIVER_DEFAULT_OUTSIDE_KM)
        worst, km, npts, ok = 0.0, 0.0, 0, True
        for part in g["coordinates"]:
            if not isinstance(part, list) or len(part) < 2 or not all(
                    isinstance(q, list) and len(q) == 2 and all(
                        isinstance(v, (int, float)) and not isinstance(v, bool) for v in q) for q in part):
                err(fid, "each part needs two or more [lon, lat] positions")
                ok = False
                continue
            if any(a == b for a, b in zip(part, part[1:])):
                err(fid, "a part repeats a position (zero-length segment)")
            npts += len(part)
            km += _length_km(part)
            for q in part:
                if decimals(q[0]) > 5 or decimals(q[1]) > 5:
                    err(fid, "position %r has more than 5 decimals" % (q,))
                    ok = False
                    break
                if not (LN_BBOX[0] <= q[0] <= LN_BBOX[2] and LN_BBOX[1] <= q[1] <= LN_BBOX[3]):
                    err(fid, "position %r lies outside Liaoning %r" % (q, LN_BBOX))
                    ok = False
                    break
                worst = max(worst, _outside_km(q, rings))
        if ok and worst > limit:
            err(fid, "lies up to %.1f km outside the Liaoning outline (at most %.1f km allowed)" % (worst, limit))
        lines.append("  %-14s %-4s %-14s %2d part(s) %4d points %6.1f km, up to %.1f km outside Liaoning; %s"
                     % (p.get("id"), p.get("name_zh"), p.get("name_en"), len(g["coordinates"]), npts, km, worst,
                        p.get("license")))
    for rid in REQUIRED_RIVERS:
        if rid not in seen:
            err("rivers", "%s is missing" % rid)
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan")
    ap.add_argument("--data", default=os.path.join(HERE, "projects.geojson"))
    ap.add_argument("--vocab", default=os.path.join(HERE, "vocabularies.json"))
    ap.add_argument("--basemap", default=os.path.join(HERE, "basemap"))
    args = ap.parse_args()

    plan_path = find_plan(args.plan)
    if not plan_path:
        print("error: plan text %s not found (use --plan or PLANMAP_PLAN_TEXT)" % PLAN_NAME)
        return 2
    try:
        with open(plan_path, encoding="utf-8") as f:
            plan = parse_plan(f.read())
        with open(args.vocab, encoding="utf-8") as f:
            vocab = json.load(f)
        with open(args.data, encoding="utf-8") as f:
            fc = json.load(f)
    except (OSError, ValueError) as e:
        print("error: %s" % e)
        return 2

    errors = []

    def err(fid, msg):
        errors.append("%s: %s" % (fid, msg))

    # --- vocabularies -------------------------------------------------------
    vocab_keys = {
        "statuses": ("code", "label_zh", "label_en", "description_en"),
        "categories": ("code", "label_zh", "label_en", "symbol"),
        "precisions": ("code", "label_zh", "label_en"),
    }
    codes = {}
    for k, keys in vocab_keys.items():
        entries = vocab.get(k)
        if not isinstance(entries, list) or not entries:
            err("vocabularies", "%s missing or empty" % k)
            codes[k] = set()
            continue
        seen = set()
        for e in entries:
            if not isinstance(e, dict) or set(e) != set(keys):
                err("vocabularies", "%s entry %r must have exactly keys %s" % (k, e, keys))
                continue
            for key in keys:
                if not isinstance(e[key], str) or not e[key].strip():
                    err("vocabularies", "%s %r: %s empty" % (k, e.get("code"), key))
            if not re.match(r"^[a-z]+(_[a-z]+)*$", e["code"]):
                err("vocabularies", "%s code %r not lowercase_with_underscores" % (k, e["code"]))
            if e["code"] in seen:
                err("vocabularies", "%s code %r duplicated" % (k, e["code"]))
            seen.add(e["code"])
        codes[k] = seen
    want_status = {"proposed", "preparatory", "under_construction", "completed", "ongoing", "delayed"}
    if codes.get("statuses") != want_status:
        err("vocabularies", "statuses must be exactly %s" % sorted(want_status))
    want_prec = {"site", "district", "city", "region"}
    if codes.get("precisions") != want_prec:
        err("vocabularies", "precisions must be exactly %s" % sorted(want_prec))

    # --- collection ---------------------------------------------------------
    if fc.get("type") != "FeatureCollection" or not isinstance(fc.get("features"), list):
        print("error: %s is not a GeoJSON FeatureCollection" % args.data)
        return 1
    if "crs" in fc:
        err("collection", "RFC 7946 GeoJSON must not carry a crs member (WGS84 is implied)")

    feats = fc["features"]
    ids = Counter()
    by_id = {}
    for i, f in enumerate(feats):
        p = f.get("properties") if isinstance(f, dict) else None
        fid = (p or {}).get("id") or ("feature[%d]" % i)
        ids[fid] += 1
        by_id.setdefault(fid, f)

    for fid, n in ids.items():
        if n > 1:
            err(fid, "id used %d times" % n)

    for i, f in enumerate(feats):
        if not isinstance(f, dict) or f.get("type") != "Feature" or not isinstance(f.get("properties"), dict):
            err("feature[%d]" % i, "not a Feature with properties")
            continue
        p = f["properties"]
        fid = p.get("id") or ("feature[%d]" % i)

        for k, typ in REQUIRED.items():
            if k not in p:
                err(fid, "missing property %s" % k)
                continue
            v = p[k]
            if isinstance(v, bool) and typ is not bool and bool not in (typ if isinstance(typ, tuple) else (typ,)):
                err(fid, "%s must not be a boolean" % k)
            elif not isinstance(v, typ):
                err(fid, "%s has type %s" % (k, type(v).__name__))
        extra = set(p) - set(REQUIRED)
        if extra:
            err(fid, "unknown properties %s" % sorted(extra))
        for k in NONEMPTY:
            if isinstance(p.get(k), str) and not p[k].strip():
                err(fid, "%s is empty" % k)

        if f.get("id") != p.get("id"):
            err(fid, "top-level id %r differs from properties.id" % f.get("id"))
        if isinstance(p.get("id"), str) and not ID_RE.match(p["id"]):
            err(fid, "id does not match %s" % ID_RE.pattern)

        # clause is verbatim in its section-item
        sec, item = p.get("section"), p.get("item")
        text = plan.get(sec, {}).get(item) if isinstance(sec, int) and isinstance(item, int) else None
        if text is None:
            err(fid, "section %r item %r does not exist in the plan" % (sec, item))
        else:
            clause = p.get("clause")
            if isinstance(clause, str) and clause not in text:
                err(fid, "clause is not a verbatim substring of section %d item %d" % (sec, item))
            action = p.get("action_zh")
            if isinstance(action, str) and isinstance(clause, str):
                for part in action.split("…"):
                    if part and part not in clause:
                        err(fid, "action_zh part %r is not verbatim in the clause" % part)

        if p.get("category") not in codes.get("categories", ()):
            err(fid, "category %r not in vocabularies" % p.get("category"))
        if p.get("status") not in codes.get("statuses", ()):
            err(fid, "status %r not in vocabularies" % p.get("status"))
        prec = p.get("location_precision")
        if prec not in codes.get("precisions", ()):
            err(fid, "location_precision %r not in vocabularies" % prec)
        unc = p.get("uncertainty_km")
        if prec == "site":
            if unc is not None:
                err(fid, "uncertainty_km must be null for precision site")
        elif not isinstance(unc, (int, float)) or isinstance(unc, bool) or unc <= 0:
            err(fid, "uncertainty_km (> 0) is required when precision is %r" % prec)

        if p.get("country") not in ("CN", "KP"):
            err(fid, "country must be CN or KP")
        if p.get("cross_border") is True and p.get("country") != "KP":
            err(fid, "cross_border is only for the DPRK zones (country KP)")
        if p.get("country") == "KP" and p.get("cross_border") is not True:
            err(fid, "a KP feature must have cross_border true")
        if (p.get("city") is None) != (p.get("city_zh") is None):
            err(fid, "city and city_zh must both be set or both null")
        if (p.get("county") is None) != (p.get("county_zh") is None):
            err(fid, "county and county_zh must both be set or both null")

        # targets
        for t in p.get("targets") or []:
            if not isinstance(t, dict):
                err(fid, "target %r is not an object" % (t,))
                continue
            for k in ("metric", "value", "unit", "label_zh", "label_en"):
                if k not in t:
                    err(fid, "target missing %s" % k)
            if not isinstance(t.get("value"), (int, float)) or isinstance(t.get("value"), bool):
                err(fid, "target value must be a number")
            if not isinstance(t.get("metric"), str) or not re.match(r"^[a-z0-9_]+$", t.get("metric") or ""):
                err(fid, "target metric must be lowercase_with_underscores")
            if set(t) - {"metric", "value", "unit", "label_zh", "label_en", "note"}:
                err(fid, "target has unknown keys %s" % sorted(set(t) - {"metric", "value", "unit", "label_zh", "label_en", "note"}))

        # programme / count_target
        prog = p.get("programme")
        if prog is not None:
            parent = by_id.get(prog)
            if parent is None:
                err(fid, "programme %r does not exist" % prog)
            elif not isinstance(parent["properties"].get("count_target"), int):
                err(fid, "programme %r is not a programme entry (no count_target)" % prog)
            elif prog == p.get("id"):
                err(fid, "feature is its own programme")
        ct = p.get("count_target")
        if ct is not None and (isinstance(ct, bool) or ct <= 0):
            err(fid, "count_target must be a positive integer")

        # history
        hist = p.get("history") or []
        if not hist:
            err(fid, "history is empty (first entry must be the plan_target)")
        for j, h in enumerate(hist):
            if not isinstance(h, dict):
                err(fid, "history[%d] is not an object" % j)
                continue
            if set(h) != {"date", "status", "kind", "note", "source"}:
                err(fid, "history[%d] must have keys date,status,kind,note,source" % j)
            if not isinstance(h.get("date"), str) or not DATE_RE.match(h["date"]):
                err(fid, "history[%d] date %r is not YYYY-MM-DD" % (j, h.get("date")))
            if h.get("status") not in codes.get("statuses", ()):
                err(fid, "history[%d] status %r not in vocabularies" % (j, h.get("status")))
            kind = h.get("kind")
            if j == 0:
                if kind != "plan_target":
                    err(fid, "history[0] must be kind plan_target")
                else:
                    want = "Liaoning 2012 revitalization work plan, section %s item %s" % (sec, item)
                    if h.get("source") != want:
                        err(fid, "history[0] source must be %r" % want)
                    if h.get("date") != "2012-12-31":
                        err(fid, "history[0] (plan_target) date must be 2012-12-31")
            elif kind != "reported":
                err(fid, "history[%d] kind must be reported" % j)
            if kind == "reported" and (not isinstance(h.get("source"), str) or not h["source"].strip()):
                err(fid, "history[%d] reported entry needs a named source" % j)
            if h.get("status") == "delayed" and kind != "reported":
                err(fid, "history[%d] status delayed is only for reported entries" % j)
        dates = [h.get("date") for h in hist if isinstance(h, dict)]
        if dates[1:] != sorted(dates[1:]):
            err(fid, "reported history entries must be in date order")
        if p.get("status") == "delayed" and not any(
                isinstance(h, dict) and h.get("kind") == "reported" and h.get("status") == "delayed" for h in hist):
            err(fid, "status delayed needs a reported delayed history entry")
        reported = [h for h in hist[1:] if isinstance(h, dict) and h.get("kind") == "reported"]
        if reported and p.get("status") != reported[-1].get("status"):
            err(fid, "status %r differs from the latest reported history status %r"
                % (p.get("status"), reported[-1].get("status")))

        # sources
        for s in p.get("sources") or []:
            if not isinstance(s, dict) or set(s) != {"title", "url", "date", "note"}:
                err(fid, "source %r must have keys title,url,date,note" % (s,))
                continue
            if not isinstance(s["title"], str) or not s["title"].strip():
                err(fid, "source title empty")
            if s["url"] is not None and (not isinstance(s["url"], str) or not re.match(r"^https?://", s["url"])):
                err(fid, "source url %r must be http(s) or null" % s["url"])
            if s["date"] is not None and (not isinstance(s["date"], str) or not DATE_RE.match(s["date"])):
                err(fid, "source date %r must be YYYY-MM-DD or null" % s["date"])
        if reported and not p.get("sources"):
            err(fid, "reported history but no sources listed")

        # geometry
        geom = f.get("geometry")
        if geom is None:
            if p.get("location_precision") == "site":
                err(fid, "a site needs a geometry")
        else:
            check_geometry(fid, geom, p.get("cross_border") is True, err)
            if p.get("category") in ("river", "expressway", "railway") and p.get("count_target") is None \
                    and geom.get("type") not in ("LineString", "MultiLineString"):
                err(fid, "%s features must be (Multi)LineStrings" % p.get("category"))
        if p.get("category") == "river" and p.get("count_target") is None and geom is None:
            err(fid, "a river must have a geometry")

    # --- basemap rivers -----------------------------------------------------
    try:
        river_lines = check_rivers(args.basemap, err)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        print("error: basemap rivers: %s" % e)
        return 2

    # --- report -------------------------------------------------------------
    n = len(feats)
    props = [f["properties"] for f in feats if isinstance(f, dict) and isinstance(f.get("properties"), dict)]
    print("plan: %s (%d sections, %d items)" % (plan_path, len(plan), sum(len(v) for v in plan.values())))
    print("features: %d (%d with geometry, %d without)"
          % (n, sum(1 for f in feats if isinstance(f, dict) and f.get("geometry")),
             sum(1 for f in feats if isinstance(f, dict) and not f.get("geometry"))))
    print("\nper section:")
    secs = Counter(p.get("section") for p in props)
    for s in sorted(k for k in secs if isinstance(k, int)):
        print("  %2d  %3d" % (s, secs[s]))
    print("\nper category:")
    cats = Counter(p.get("category") for p in props)
    for c, k in sorted(cats.items(), key=lambda x: (-x[1], str(x[0]))):
        print("  %-20s %3d" % (c, k))
    print("\nper status:")
    for c, k in sorted(Counter(p.get("status") for p in props).items(), key=lambda x: (-x[1], str(x[0]))):
        print("  %-20s %3d" % (c, k))
    print("\nprogrammes (members sited of count_target):")
    for p in props:
        if isinstance(p.get("count_target"), int):
            members = [q for q in props if q.get("programme") == p.get("id")]
            sited = sum(1 for q in members if by_id.get(q.get("id"), {}).get("geometry"))
            print("  %-40s %d of %d sited (%d member entries)" % (p.get("id"), sited, p["count_target"], len(members)))

    print("\nbasemap rivers:")
    for line in river_lines:
        print(line)

    if errors:
        print("\n%d error(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
