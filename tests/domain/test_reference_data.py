"""Reference data: Thailand's 77 provinces and OBEC's Educational Service Areas (ESAs).

Plain Python, no Flask: the JSON files are read from ``csr_hub/data`` by a path relative to this file,
so neither ``tests/__init__.py`` nor an importable (Flask-installed) ``csr_hub`` package is needed.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "csr_hub" / "data"

REGIONS = {"north", "northeast", "central", "east", "west", "south"}
# Official six-region grouping (National Geographical Committee, 1977).
REGION_SIZES = {"north": 9, "northeast": 20, "central": 22, "east": 7, "west": 5, "south": 14}
ESA_CODE_RE = re.compile(r"^[ps]\d{2}-\d+$")
THAI_WORD_RE = re.compile(r"^[\u0E00-\u0E7F]+$")
THAI_NAME_RE = re.compile(r"^[\u0E00-\u0E7F][\u0E00-\u0E7F0-9 ]*$")
PRIMARY_PREFIX = "สำนักงานเขตพื้นที่การศึกษาประถมศึกษา"
SECONDARY_PREFIX = "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา"
BANGKOK = "10"


def _load(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def provinces() -> list[dict]:
    return _load("provinces.json")


@pytest.fixture(scope="module")
def province_codes(provinces) -> set[str]:
    return {p["code"] for p in provinces}


@pytest.fixture(scope="module")
def esas() -> list[dict]:
    return _load("districts.json")


@pytest.fixture(scope="module")
def primary(esas) -> list[dict]:
    return [e for e in esas if e["kind"] == "primary"]


@pytest.fixture(scope="module")
def secondary(esas) -> list[dict]:
    return [e for e in esas if e["kind"] == "secondary"]


# ---------------------------------------------------------------- provinces


def test_77_provinces_with_unique_two_digit_codes(provinces):
    assert len(provinces) == 77
    codes = [p["code"] for p in provinces]
    assert len(set(codes)) == 77
    assert all(isinstance(c, str) and re.fullmatch(r"\d{2}", c) for c in codes)
    assert len({p["name_th"] for p in provinces}) == 77
    assert len({p["name_en"] for p in provinces}) == 77


def test_province_fields(provinces):
    for p in provinces:
        assert set(p) == {"code", "name_th", "name_en", "region", "latitude", "longitude"}, p
        assert THAI_WORD_RE.match(p["name_th"]), p
        assert p["name_en"].strip() and p["name_en"].isascii(), p


def test_known_province_codes(provinces):
    by_code = {p["code"]: p for p in provinces}
    assert by_code["10"]["name_en"] == "Bangkok" and by_code["10"]["name_th"] == "กรุงเทพมหานคร"
    assert by_code["50"]["name_th"] == "เชียงใหม่"
    assert by_code["38"]["name_th"] == "บึงกาฬ"
    assert by_code["30"]["name_th"] == "นครราชสีมา"
    assert by_code["83"]["name_th"] == "ภูเก็ต"
    assert by_code["96"]["name_th"] == "นราธิวาส"


def test_regions(provinces):
    assert {p["region"] for p in provinces} <= REGIONS
    assert Counter(p["region"] for p in provinces) == REGION_SIZES
    by_code = {p["code"]: p["region"] for p in provinces}
    assert by_code["10"] == "central"
    assert by_code["50"] == "north"
    assert by_code["38"] == "northeast"
    assert by_code["20"] == "east"
    assert all(by_code[c] == "west" for c in ("63", "71", "70", "76", "77"))
    assert by_code["90"] == "south"


def test_coordinates_inside_thailand(provinces):
    for p in provinces:
        lat, lon = p["latitude"], p["longitude"]
        assert isinstance(lat, float) and isinstance(lon, float), p
        assert 5 <= lat <= 21 and 97 <= lon <= 106, p
    seats = {p["code"]: (p["latitude"], p["longitude"]) for p in provinces}
    assert abs(seats["10"][0] - 13.75) < 0.1 and abs(seats["10"][1] - 100.5) < 0.1
    assert abs(seats["50"][0] - 18.79) < 0.1 and abs(seats["50"][1] - 98.98) < 0.1


# ---------------------------------------------------------------- ESAs


def test_esa_counts(primary, secondary, esas):
    assert len(primary) == 183
    assert len(secondary) == 62
    assert len(esas) == 245


def test_esa_fields_and_codes(esas, province_codes):
    codes = [e["code"] for e in esas]
    assert len(set(codes)) == len(codes)
    for e in esas:
        assert set(e) == {"code", "name_th", "name_en", "kind", "province_code", "province_codes"}, e
        assert e["kind"] in {"primary", "secondary"}, e
        assert ESA_CODE_RE.match(e["code"]), e
        assert e["code"][0] == e["kind"][0], e
        assert e["code"][1:3] == e["province_code"], e
        assert e["province_codes"], e
        assert len(set(e["province_codes"])) == len(e["province_codes"]), e
        assert set(e["province_codes"]) <= province_codes, e
        assert e["province_codes"][0] == e["province_code"], e
        assert e["name_en"].strip() and e["name_en"].isascii(), e


def test_esa_thai_names(esas):
    names = [e["name_th"] for e in esas]
    assert len(set(names)) == len(names)
    for e in esas:
        assert THAI_NAME_RE.match(e["name_th"]), e
        prefix = PRIMARY_PREFIX if e["kind"] == "primary" else SECONDARY_PREFIX
        assert e["name_th"].startswith(prefix), e
        assert len(e["name_th"]) > len(prefix), e


def test_primary_esas_are_single_province_and_numbered_from_one(primary, provinces):
    areas = defaultdict(list)
    names_th = {p["code"]: p["name_th"] for p in provinces}
    for e in primary:
        assert e["province_codes"] == [e["province_code"]], e
        areas[e["province_code"]].append(int(e["code"].split("-")[1]))
    for code, numbers in areas.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), code
        for e in (x for x in primary if x["province_code"] == code):
            place = names_th[code]
            expected = (
                PRIMARY_PREFIX + place + (f" เขต {e['code'].split('-')[1]}" if len(numbers) > 1 else "")
            )
            assert e["name_th"] == expected, e


def test_known_primary_area_counts(primary):
    counts = Counter(e["province_code"] for e in primary)
    assert counts["30"] == 7  # นครราชสีมา
    assert counts["34"] == 5  # อุบลราชธานี
    assert counts["50"] == 6  # เชียงใหม่
    assert counts["40"] == 5  # ขอนแก่น
    assert counts["41"] == 4  # อุดรธานี
    assert counts["38"] == 1  # บึงกาฬ
    assert counts[BANGKOK] == 1  # สพป.กรุงเทพมหานคร


def test_every_province_has_a_primary_esa(primary, province_codes):
    covered = {c for e in primary for c in e["province_codes"]}
    assert province_codes - {BANGKOK} <= covered
    assert covered == province_codes


def test_every_province_has_a_secondary_esa(secondary, province_codes):
    membership = Counter(c for e in secondary for c in e["province_codes"])
    assert set(membership) == province_codes
    assert membership[BANGKOK] == 2
    assert all(n == 1 for code, n in membership.items() if code != BANGKOK)


def test_known_secondary_esas(secondary):
    by_code = {e["code"]: e for e in secondary}
    assert sorted(c for c in by_code if c.startswith("s10-")) == ["s10-1", "s10-2"]
    assert by_code["s65-1"]["province_codes"] == ["65", "53"]
    assert by_code["s65-1"]["name_th"] == SECONDARY_PREFIX + "พิษณุโลก อุตรดิตถ์"
    assert by_code["s82-1"]["province_codes"] == ["82", "83", "85"]
    assert by_code["s50-1"]["province_codes"] == ["50"]
    multi = [e for e in secondary if len(e["province_codes"]) > 1]
    assert len(multi) == 15
