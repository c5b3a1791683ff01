"""Offline geocoding: Chinese addresses to their district or city centre, world cities by name.

Pure module (stdlib only). The data files in ./data are read once, on first use, and kept in
memory; see data/NOTICE for their sources and licences.

How a Chinese address is read: the text is cut left to right into the longest known place names
(official names such as 浦东新区 and everyday short forms such as 浦东). Each name may stand for
several places (鼓楼区 is in four cities). Every place that can carry coordinates (a city or a
district/county) scores one point per name in the text that is the place itself or one of its
parents, so 南京市鼓楼区 gives Nanjing's 鼓楼区 two points and the other three one. Ties go to the
place named earliest (addresses run from province down), then to the higher level (本溪 is the
city, not the county 本溪满族自治县). A tie that remains is ambiguous and answers None rather than
a guess hundreds of kilometres off: 鼓楼区 alone, or 江苏省鼓楼区 (two in Jiangsu).
A short form directly followed by a road word (南京东路, 江苏路) is a street, not a place.
"""
from __future__ import annotations

import bisect
import functools
import gzip
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Literal, Protocol

CoordSource = Literal["district", "city", "geocoder"]

_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_ROAD_WORDS = set("路街道巷弄镇乡村")
_ROAD_PAIRS = {"大道", "大街"} | {d + r for d in "东西南北中" for r in "路街"}
_DATA = resources.files(__package__) / "data"


@dataclass(frozen=True, slots=True)
class GeoResult:
    lat: float
    lon: float
    coord_source: CoordSource
    province: str | None
    city: str | None
    district: str | None
    matched_name: str
    country_code: str | None = None


class Geocoder(Protocol):
    def geocode(self, address: str) -> GeoResult | None: ...


class OfflineGeocoder:
    """The built-in gazetteer behind the Geocoder protocol."""

    def geocode(self, address: str) -> GeoResult | None:
        return geocode(address)


def geocode(address: str) -> GeoResult | None:
    """Centre of the district or city named in `address`, or None when no place is recognised."""
    # NFKC turns full-width letters, digits, commas and spaces into their ASCII forms.
    text = unicodedata.normalize("NFKC", address or "").strip()
    if not text:
        return None
    if _CJK.search(text):
        named, result = _china().lookup(text)
        # A Chinese place named, even ambiguously (海南 alone), is never guessed abroad (Kainan, Japan).
        if named:
            return result
    return _world().lookup(text)


def warm_up() -> None:
    """Load both indexes now (e.g. at app start) so the first request does not pay for it."""
    _china()
    _world()


# --- China -------------------------------------------------------------------------------------


class _Place:
    __slots__ = ("code", "name", "depth", "lat", "lon", "parent", "lineage")

    def __init__(self, code: str, name: str, lat: float | None, lon: float | None) -> None:
        self.code = code
        self.name = name
        # 0 province, 1 city, 2 district or county; from the adcode: PP0000, PPCC00, PPCCDD.
        self.depth = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
        self.lat = lat
        self.lon = lon
        self.parent: _Place | None = None
        self.lineage: frozenset[_Place] = frozenset()


class _ChinaIndex:
    def __init__(self, lines: list[str]) -> None:
        places: list[_Place] = []
        aliases: dict[str, list[tuple[_Place, bool]]] = {}
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            code, name, lat, lon, short = line.rstrip("\n").split("\t")
            place = _Place(code, name, float(lat) if lat else None, float(lon) if lon else None)
            places.append(place)
            aliases.setdefault(name, []).append((place, False))
            for alias in filter(None, short.split("|")):
                aliases.setdefault(alias, []).append((place, True))
        _link(places)
        self._aliases = {key: tuple(hits) for key, hits in aliases.items()}
        lengths: dict[str, set[int]] = {}
        for key in self._aliases:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}

    def lookup(self, text: str) -> tuple[bool, GeoResult | None]:
        """(whether the text names any Chinese place, the place it resolves to if unambiguous)."""
        tokens = self._tokens("".join(text.split()))
        candidates = {p for _, places in tokens for p in places if p.depth > 0}
        if not candidates:
            return bool(tokens), None

        def rank(place: _Place) -> tuple[int, int, int]:
            support = [pos for pos, places in tokens if not place.lineage.isdisjoint(places)]
            return len(support), -support[0], -place.depth

        ranked = sorted(((rank(p), p) for p in candidates), key=lambda rp: rp[0], reverse=True)
        if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
            return True, None
        return True, _china_result(ranked[0][1])

    def _tokens(self, s: str) -> list[tuple[int, tuple[_Place, ...]]]:
        """Longest known names, left to right, as (start, places it may mean)."""
        tokens = []
        i = 0
        while i < len(s):
            for length in self._lengths.get(s[i], ()):
                hits = self._aliases.get(s[i : i + length])
                if hits:
                    end = i + length
                    places = tuple(p for p, short in hits if not (short and _is_road(s, end)))
                    if places:
                        tokens.append((i, places))
                        i = end
                        break
            else:
                i += 1
        return tokens


def _is_road(s: str, end: int) -> bool:
    return s[end : end + 1] in _ROAD_WORDS or s[end : end + 2] in _ROAD_PAIRS


def _link(places: list[_Place]) -> None:
    """Parents from adcodes. Municipalities (北京, 上海, 天津, 重庆; also 香港, 澳门, 台湾 here) have no
    city level: the province is its own city and its districts hang under it. Counties run directly
    by a province (仙桃市, 济源市) have no city either: they act as cities themselves."""
    by_code = {p.code: p for p in places}
    provinces_with_cities = {p.code[:2] for p in places if p.depth == 1}
    for p in places:
        if p.depth == 0 and p.code[:2] not in provinces_with_cities:
            p.depth = 1
    for p in places:
        if p.code.endswith("0000"):
            continue
        province = by_code[p.code[:2] + "0000"]
        if p.depth == 1:
            p.parent = province
        else:
            city = by_code.get(p.code[:4] + "00")
            if city is not None:
                p.parent = city
            elif province.depth == 1:
                p.parent = province
            else:
                p.depth = 1
                p.parent = province
    for p in places:
        chain, node = [], p
        while node is not None:
            chain.append(node)
            node = node.parent
        p.lineage = frozenset(chain)


def _china_result(place: _Place) -> GeoResult | None:
    chain = sorted(place.lineage, key=lambda p: p.code)
    root = chain[0]
    city = next(p for p in chain if p.depth == 1)
    district = place if place.depth == 2 else None
    located = district if district is not None and district.lat is not None else city
    if located.lat is None or located.lon is None:
        return None
    return GeoResult(
        lat=located.lat,
        lon=located.lon,
        coord_source="district" if located is district else "city",
        province=root.name,
        city=city.name,
        district=district.name if district else None,
        matched_name="".join(p.name for p in chain),
        country_code="CN",
    )


@functools.cache
def _china() -> _ChinaIndex:
    return _ChinaIndex((_DATA / "cn_admin.tsv").read_text(encoding="utf-8").splitlines())


# --- World -------------------------------------------------------------------------------------

# Everyday names GeoNames' country list lacks.
_COUNTRY_ALIASES = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "usa": "US", "united states of america": "US", "america": "US", "netherlands": "NL", "holland": "NL",
    "korea": "KR", "republic of korea": "KR", "czech republic": "CZ", "uae": "AE", "prc": "CN",
    "中国": "CN", "viet nam": "VN", "russian federation": "RU", "ivory coast": "CI",
}
_NON_WORD = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """Comparable form: no accents, case or punctuation ('Saint-Étienne' == 'saint etienne').
    The world data file stores names already in this form (data/build_geodata.py), so loading is fast."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", bare.casefold()).strip()


class _WorldIndex:
    def __init__(self, city_lines: list[str], name_lines: list[str], country_lines: list[str]) -> None:
        # Rows stay unparsed until a lookup needs them, and names are binary-searched in their
        # sorted lines: building dicts of 140,000 names would triple the start-up time.
        self._cities = [line for line in city_lines if line and not line.startswith("#")]
        self._names = [line for line in name_lines if line and not line.startswith("#")]
        self._country_names: dict[str, str] = {}
        self._countries = dict(_COUNTRY_ALIASES)
        for line in country_lines:
            if line.startswith("#") or not line.strip():
                continue
            iso2, iso3, name = line.split("\t")
            self._country_names[iso2] = name
            for key in (name_key(iso2), name_key(iso3), name_key(name)):
                self._countries[key] = iso2

    def lookup(self, text: str) -> GeoResult | None:
        """'Paris', 'Paris, France', '10 Downing Street, London, UK': the first comma-separated
        part that names a city, within the country named by the last part if it is one."""
        parts = [k for k in (name_key(p) for p in text.split(",")) if k]
        if len(parts) > 1 and parts[-1] in self._countries:
            found = self._find(parts[:-1], self._countries[parts[-1]])
            # 'Los Angeles, CA': CA is Canada's code, but here it is a state; drop the hint.
            return found if found is not None else self._find(parts[:-1], None)
        return self._find(parts, None)

    def _find(self, parts: list[str], country: str | None) -> GeoResult | None:
        for part in parts:
            # '75008 Paris', 'London SW1A 2AA': postcodes are not part of the name.
            words = [w for w in part.split() if not any(ch.isdigit() for ch in w)]
            for key in dict.fromkeys((part, " ".join(words))):
                entry = self._name_entry(key)
                # A city's own name beats another city's alternate name; ids run most populous first.
                for ids in entry.split("\t") if entry else ():
                    for idx in filter(None, ids.split(",")):
                        name, cc, lat, lon, _population = self._cities[int(idx)].split("\t")
                        if country is None or cc == country:
                            return GeoResult(
                                lat=float(lat), lon=float(lon), coord_source="city", province=None, city=name,
                                district=None, matched_name=f"{name}, {self._country_names.get(cc, cc)}",
                                country_code=cc,
                            )
        return None

    def _name_entry(self, key: str) -> str | None:
        # Tab sorts below every character a key can hold, so "paris\t" finds "paris" before "paris city".
        prefix = key + "\t"
        i = bisect.bisect_left(self._names, prefix)
        if i < len(self._names) and self._names[i].startswith(prefix):
            return self._names[i][len(prefix):]
        return None


@functools.cache
def _world() -> _WorldIndex:
    return _WorldIndex(_read_gzip_lines("world_cities.tsv.gz"), _read_gzip_lines("world_names.tsv.gz"),
                       (_DATA / "countries.tsv").read_text(encoding="utf-8").splitlines())


def _read_gzip_lines(filename: str) -> list[str]:
    with (_DATA / filename).open("rb") as f:
        return gzip.decompress(f.read()).decode("utf-8").splitlines()
