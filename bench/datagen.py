"""Fill a database with national-scale data: schools over the real ESAs, companies, needs and offers.

    createdb -h 127.0.0.1 -U postgres csr_bench
    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/csr_bench
    .venv/bin/flask --app csr_hub db upgrade && .venv/bin/flask --app csr_hub seed-reference
    .venv/bin/python bench/datagen.py --needs 100000 --offers 5000 --seed 1

Schools are spread over the 245 ESAs (and the provinces each covers) of the seeded reference data;
companies over the provinces; needs and offers get believable Thai, English or bilingual texts in every
category, with their search column and item kinds computed the way the app computes them when a post is
saved (``csr_hub.services.posts.analyse_text``). Rows go in through Core ``insert()`` executemany in
batches; a text is analysed once however many posts share it.

Generated rows are marked (school codes start with ``99``, company tax ids with ``0999``) so ``--reset``
removes them, and only them, before generating again. Reusable from other benchmarks::

    from datagen import generate
    counts = generate(database_url, needs=100_000, offers=5_000, seed=1)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

SCHOOL_PREFIX = "99"
TAX_PREFIX = "0999"
BATCH = 5000


@dataclass(frozen=True)
class Thing:
    """Something a school needs or a company gives, in both languages."""

    th: str
    en: str
    unit_th: str
    unit_en: str
    price: int  # baht per unit, roughly
    qty: tuple[int, int]


THINGS: dict[str, list[Thing]] = {
    "devices": [
        Thing("คอมพิวเตอร์โน้ตบุ๊ก", "laptops", "เครื่อง", "units", 18000, (5, 40)),
        Thing("คอมพิวเตอร์ตั้งโต๊ะ", "desktop computers", "ชุด", "sets", 16000, (5, 40)),
        Thing("แท็บเล็ต", "tablets", "เครื่อง", "units", 7000, (10, 60)),
        Thing("โปรเจกเตอร์", "projectors", "เครื่อง", "units", 15000, (1, 8)),
        Thing("เครื่องพิมพ์เลเซอร์", "laser printers", "เครื่อง", "units", 6000, (1, 5)),
        Thing("จอทัชสกรีนอัจฉริยะ", "interactive whiteboards", "จอ", "boards", 60000, (1, 4)),
        Thing("ทีวีสำหรับห้องเรียน", "classroom TVs", "เครื่อง", "units", 12000, (1, 10)),
        Thing("เครื่องสำรองไฟ", "UPS units", "เครื่อง", "units", 3000, (2, 20)),
    ],
    "internet": [
        Thing("อินเทอร์เน็ตความเร็วสูง", "high-speed internet", "เดือน", "months", 900, (6, 24)),
        Thing("ระบบ Wi-Fi ทั้งโรงเรียน", "school-wide Wi-Fi", "จุด", "access points", 4500, (4, 20)),
        Thing("ซิมการ์ดอินเทอร์เน็ตสำหรับนักเรียน", "student data SIM cards", "ซิม", "SIM cards", 200, (20, 300)),
        Thing("อินเทอร์เน็ตผ่านดาวเทียม", "satellite internet", "ชุด", "sets", 25000, (1, 2)),
        Thing(
            "เดินสายแลนห้องคอมพิวเตอร์", "network cabling for the computer room", "ห้อง", "rooms", 30000, (1, 3)
        ),
    ],
    "teacher_housing": [
        Thing("ซ่อมแซมบ้านพักครู", "teacher house repairs", "หลัง", "houses", 80000, (1, 4)),
        Thing("สร้างบ้านพักครูหลังใหม่", "a new teacher house", "หลัง", "houses", 650000, (1, 2)),
        Thing("เปลี่ยนหลังคาบ้านพักครู", "new roofs for teacher houses", "หลัง", "houses", 60000, (1, 4)),
        Thing("เครื่องใช้ในบ้านพักครู", "furniture for teacher houses", "ชุด", "sets", 15000, (1, 6)),
    ],
    "teacher_welfare": [
        Thing("ทุนศึกษาต่อสำหรับครู", "scholarships for teachers", "ทุน", "scholarships", 40000, (1, 5)),
        Thing("ประกันสุขภาพครู", "health insurance for teachers", "คน", "teachers", 5000, (5, 30)),
        Thing(
            "ค่าเดินทางครูในพื้นที่ห่างไกล", "travel allowance for remote teachers", "คน", "teachers", 12000, (2, 10)
        ),
        Thing("รถรับส่งครู", "a teachers' shuttle vehicle", "คัน", "vehicles", 900000, (1, 1)),
    ],
    "teaching_support": [
        Thing("ครูอาสาสอนภาษาอังกฤษ", "volunteer English teachers", "คน", "teachers", 15000, (1, 3)),
        Thing("ครูอัตราจ้างวิชาวิทยาศาสตร์", "contract science teachers", "คน", "teachers", 180000, (1, 2)),
        Thing("อบรมครูด้านการสอนวิทยาการคำนวณ", "coding training for teachers", "คน", "teachers", 3000, (5, 40)),
        Thing("ติวเตอร์ฟื้นฟูการเรียนรู้", "tutors for learning recovery", "คน", "tutors", 20000, (1, 6)),
        Thing("ครูการศึกษาพิเศษ", "special education teachers", "คน", "teachers", 200000, (1, 2)),
    ],
    "learning_materials": [
        Thing("หนังสือเรียน", "textbooks", "เล่ม", "books", 120, (100, 1500)),
        Thing("หนังสือห้องสมุด", "library books", "เล่ม", "books", 250, (100, 1000)),
        Thing("สมุดและเครื่องเขียน", "exercise books and stationery", "ชุด", "sets", 150, (50, 800)),
        Thing("ชุดทดลองวิทยาศาสตร์", "science lab kits", "ชุด", "kits", 8000, (2, 20)),
        Thing("ชุดหุ่นยนต์สะเต็ม", "STEM robotics kits", "ชุด", "kits", 9000, (2, 15)),
        Thing("อุปกรณ์กีฬา", "sports equipment", "ชุด", "sets", 5000, (2, 10)),
        Thing("เครื่องดนตรีไทย", "Thai musical instruments", "ชิ้น", "instruments", 4000, (3, 20)),
    ],
    "facilities": [
        Thing("ซ่อมหลังคาอาคารเรียน", "classroom roof repairs", "อาคาร", "buildings", 250000, (1, 2)),
        Thing("ห้องน้ำนักเรียน", "student toilets", "ห้อง", "rooms", 45000, (2, 10)),
        Thing("เครื่องกรองน้ำดื่ม", "drinking water filters", "เครื่อง", "units", 25000, (1, 4)),
        Thing("แผงโซลาร์เซลล์", "solar panels", "แผง", "panels", 9000, (6, 40)),
        Thing("โต๊ะและเก้าอี้นักเรียน", "student desks and chairs", "ชุด", "sets", 1800, (20, 200)),
        Thing("เครื่องปรับอากาศห้องเรียน", "classroom air conditioners", "เครื่อง", "units", 28000, (1, 8)),
        Thing("พัดลมติดผนัง", "wall fans", "ตัว", "fans", 1500, (5, 40)),
        Thing("ปรับปรุงห้องสมุด", "library renovation", "ห้อง", "rooms", 300000, (1, 1)),
    ],
    "student_welfare": [
        Thing("อาหารกลางวันนักเรียน", "school lunches", "มื้อ", "meals", 27, (2000, 20000)),
        Thing("ชุดนักเรียน", "school uniforms", "ชุด", "sets", 450, (20, 300)),
        Thing("รองเท้านักเรียน", "school shoes", "คู่", "pairs", 350, (20, 300)),
        Thing("ทุนการศึกษานักเรียนยากจน", "scholarships for poor pupils", "ทุน", "scholarships", 3000, (5, 60)),
        Thing("จักรยานสำหรับนักเรียน", "bicycles for pupils", "คัน", "bicycles", 3500, (5, 50)),
        Thing("แว่นสายตานักเรียน", "eyeglasses for pupils", "อัน", "pairs", 800, (10, 80)),
    ],
    "safety": [
        Thing("กล้องวงจรปิด", "CCTV cameras", "ตัว", "cameras", 4500, (4, 24)),
        Thing("ถังดับเพลิง", "fire extinguishers", "ถัง", "extinguishers", 1200, (5, 30)),
        Thing("เครื่องฟอกอากาศ PM2.5", "PM2.5 air purifiers", "เครื่อง", "units", 6000, (2, 20)),
        Thing("รั้วโรงเรียน", "a school fence", "เมตร", "metres", 1500, (50, 400)),
        Thing("ไฟส่องสว่างทางเดิน", "walkway lighting", "จุด", "lamps", 3500, (5, 30)),
    ],
    "other": [
        Thing("รถรับส่งนักเรียน", "a school bus", "คัน", "buses", 1_200_000, (1, 1)),
        Thing("เครื่องตัดหญ้า", "lawn mowers", "เครื่อง", "units", 9000, (1, 3)),
        Thing("อุปกรณ์ครัวโรงเรียน", "school kitchen equipment", "ชุด", "sets", 30000, (1, 3)),
        Thing("ต้นไม้และแปลงผักโรงเรียน", "a school vegetable garden", "แปลง", "plots", 8000, (1, 5)),
    ],
}

NEED_TITLES_TH = [
    "ขอรับบริจาค{t} {q} {u}",
    "ต้องการ{t}สำหรับนักเรียน",
    "โรงเรียนขาดแคลน{t}",
    "ขอความอนุเคราะห์{t} จำนวน {q} {u}",
    "{t}สำหรับโรงเรียน",
    "ขอสนับสนุน{t}ให้โรงเรียนบ้าน{v}",
]
NEED_TITLES_EN = [
    "We need {t}{n}",
    "{t} for our pupils",
    "Request: {t}{n}",
    "Help with {t} for a small school",
]
NEED_DESC_TH = [
    "ด้วยโรงเรียนบ้าน{v}เป็นโรงเรียนขนาดเล็กในพื้นที่ห่างไกล มีนักเรียน {p} คน {t}ที่มีอยู่ชำรุดหรือไม่เพียงพอ "
    "จึงใคร่ขอความอนุเคราะห์จากหน่วยงานและบริษัทที่สนใจ",
    "นักเรียน {p} คนต้องใช้{t}ร่วมกัน ทำให้การเรียนการสอนไม่ต่อเนื่อง โรงเรียนได้รับงบประมาณบางส่วนแล้ว",
    "โรงเรียนต้องการ{t}เพื่อฟื้นฟูการเรียนรู้หลังสถานการณ์โควิด-19 และยกระดับคุณภาพการศึกษา",
    "",
]
NEED_DESC_EN = [
    "Our school of {p} pupils in a remote village asks for {t}: what we have is broken or too little.",
    "The district budget covers part of the cost. Any help with {t} is welcome.",
    "",
]
OFFER_TITLES_TH = [
    "บริษัทฯ ยินดีมอบ{t} {q} {u}",
    "โครงการ CSR: {t}เพื่อโรงเรียนขนาดเล็ก",
    "สนับสนุน{t}ให้โรงเรียนในพื้นที่ห่างไกล",
]
OFFER_TITLES_EN = [
    "{t} for schools{n}",
    "Donating {t} to rural schools",
    "CSR programme: {t} with delivery",
    "{t} for public schools under OBEC{n}",
]
OFFER_DESC = [
    "ส่งมอบพร้อมติดตั้งและอบรมการใช้งาน ({e})",
    "Delivered and installed by our staff. {t} ทุกชิ้นรับประกัน 1 ปี",
    "For public schools under OBEC; priority to stand-alone schools in remote areas.",
    "",
]
VILLAGES = [
    ("ห้วยทราย", "Huai Sai"),
    ("หนองบัว", "Nong Bua"),
    ("โคกสูง", "Khok Sung"),
    ("ดอนไชย", "Don Chai"),
    ("แม่สาย", "Mae Sai"),
    ("นาคำ", "Na Kham"),
    ("ป่าแดง", "Pa Daeng"),
    ("ทุ่งใหญ่", "Thung Yai"),
    ("โนนสะอาด", "Non Sa-at"),
    ("หนองแวง", "Nong Waeng"),
    ("บ่อเกลือ", "Bo Kluea"),
    ("แม่แจ่ม", "Mae Chaem"),
    ("คลองใหม่", "Khlong Mai"),
    ("บางกระทุ่ม", "Bang Krathum"),
    ("เขาดิน", "Khao Din"),
    ("วังน้ำเย็น", "Wang Nam Yen"),
]
COMPANY_TH = ["บริษัท {n} จำกัด", "บริษัท {n} จำกัด (มหาชน)", "ห้างหุ้นส่วนจำกัด {n}"]
COMPANY_WORDS = [
    ("สยามดิจิทัล", "Siam Digital"),
    ("ไทยพัฒนา", "Thai Phatthana"),
    ("รุ่งเรืองกิจ", "Rungrueang Kit"),
    ("อีสานก่อสร้าง", "Isan Construction"),
    ("ล้านนาเทค", "Lanna Tech"),
    ("อันดามันพาวเวอร์", "Andaman Power"),
    ("เจริญผล", "Charoen Phon"),
    ("กรีนเอนเนอร์ยี", "Green Energy"),
    ("สุขใจฟู้ด", "Sukjai Food"),
    ("บางกอกสตีล", "Bangkok Steel"),
]
URGENCY_WEIGHTS = (("low", 15), ("normal", 50), ("high", 25), ("critical", 10))
URGENCY_RANK = {"low": 0, "normal": 1, "high": 2, "critical": 3}
QUALITY_WEIGHTS = (("core", 25), ("stand_alone", 30), ("merging", 45))


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


class TextCache:
    """search_text and item_kinds, computed once per distinct (title, description)."""

    def __init__(self):
        from csr_hub.services.posts import analyse_text

        self._analyse = analyse_text
        self._cache: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, title: str, description: str) -> tuple[str, str]:
        key = (title, description)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._analyse(title, description)
        return hit

    def __len__(self) -> int:
        return len(self._cache)


def need_text(
    rng: random.Random, thing: Thing, q: int, pupils: int, village: tuple[str, str]
) -> tuple[str, str]:
    lang = rng.random()
    v_th, v_en = village
    pupils = max(10, round(pupils, -1))
    if lang < 0.6:  # Thai
        title = rng.choice(NEED_TITLES_TH).format(t=thing.th, q=q, u=thing.unit_th, v=v_th)
        desc = rng.choice(NEED_DESC_TH).format(t=thing.th, p=pupils, v=v_th)
    elif lang < 0.8:  # English
        title = rng.choice(NEED_TITLES_EN).format(t=thing.en, n=f" ({q} {thing.unit_en})" if q > 1 else "")
        title = title[0].upper() + title[1:]
        desc = rng.choice(NEED_DESC_EN).format(t=thing.en, p=pupils)
    else:  # both: a Thai title, an English note
        title = rng.choice(NEED_TITLES_TH).format(t=thing.th, q=q, u=thing.unit_th, v=v_th)
        desc = (
            rng.choice(NEED_DESC_TH).format(t=thing.th, p=pupils, v=v_th)
            + " / "
            + rng.choice(NEED_DESC_EN).format(t=thing.en, p=pupils)
        ).strip(" /")
    return title[:200], desc


def offer_text(rng: random.Random, thing: Thing, q: int) -> tuple[str, str]:
    if rng.random() < 0.5:
        title = rng.choice(OFFER_TITLES_TH).format(t=thing.th, q=q, u=thing.unit_th)
    else:
        title = rng.choice(OFFER_TITLES_EN).format(t=thing.en, n=f" ({q} {thing.unit_en})" if q > 1 else "")
        title = title[0].upper() + title[1:]
    desc = rng.choice(OFFER_DESC).format(t=thing.th, e=thing.en)
    return title[:200], desc


def _round_q(rng: random.Random, lo: int, hi: int) -> int:
    """Quantities people write: 5, 10, 20, 25, 40 … rather than 37 (also keeps distinct texts few)."""
    q = rng.randint(lo, hi)
    if q > 20:
        q = max(lo, round(q / 10) * 10)
    elif q > 5:
        q = max(lo, round(q / 5) * 5)
    return max(1, q)


def _money(x: float) -> Decimal:
    return Decimal(int(round(x / 100.0)) * 100)


def _insert(conn, table: sa.Table, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[i : i + BATCH])


def _next_id(conn, table: sa.Table) -> int:
    return (conn.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def _fix_sequences(conn, tables: Iterable[sa.Table]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {t.name}))"
            )
        )


def reset(conn) -> None:
    """Delete the rows an earlier run generated, nothing else; refuse when people's data hangs off them."""
    from csr_hub.models import Company, Match, Need, Offer, School, Suggestion, User, offer_provinces

    schools = sa.select(School.id).where(School.code.like(SCHOOL_PREFIX + "%"))
    companies = sa.select(Company.id).where(Company.tax_id.like(TAX_PREFIX + "%"))
    needs = sa.select(Need.id).where(Need.school_id.in_(schools))
    offers = sa.select(Offer.id).where(Offer.company_id.in_(companies))
    used = conn.scalar(
        sa.select(sa.func.count())
        .select_from(Match)
        .where(sa.or_(Match.need_id.in_(needs), Match.offer_id.in_(offers)))
    )
    used += conn.scalar(
        sa.select(sa.func.count())
        .select_from(User)
        .where(sa.or_(User.school_id.in_(schools), User.company_id.in_(companies)))
    )
    if used:
        raise SystemExit("Matches or users refer to generated rows: use a fresh database instead of --reset.")
    conn.execute(
        sa.delete(Suggestion).where(sa.or_(Suggestion.need_id.in_(needs), Suggestion.offer_id.in_(offers)))
    )
    conn.execute(sa.delete(offer_provinces).where(offer_provinces.c.offer_id.in_(offers)))
    conn.execute(sa.delete(Offer).where(Offer.id.in_(offers)))
    conn.execute(sa.delete(Need).where(Need.id.in_(needs)))
    conn.execute(sa.delete(School).where(School.id.in_(schools)))
    conn.execute(sa.delete(Company).where(Company.id.in_(companies)))


def generate(
    database_url: str | None = None,
    *,
    needs: int = 100_000,
    offers: int = 5_000,
    seed: int = 1,
    schools: int | None = None,
    companies: int | None = None,
    do_reset: bool = False,
    today: date | None = None,
    log=print,
) -> dict[str, int]:
    """Generate and insert; returns the counts inserted. ``database_url`` defaults to ``DATABASE_URL``."""
    from csr_hub import create_app
    from csr_hub.domain.reference import make_tax_id, today_bangkok
    from csr_hub.extensions import db
    from csr_hub.models import (
        Company,
        District,
        Need,
        Offer,
        Province,
        School,
        district_provinces,
        offer_provinces,
    )

    config = {"TESTING": True, "RATELIMIT_ENABLED": False}
    if database_url:
        config["SQLALCHEMY_DATABASE_URI"] = database_url
    app = create_app(config)
    rng = random.Random(seed)
    today = today or today_bangkok()
    now = datetime.now(timezone.utc)
    n_schools = schools if schools is not None else max(10, min(29_000, needs // 4))
    n_companies = companies if companies is not None else max(5, offers // 3)
    texts = TextCache()
    started = time.perf_counter()
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            provinces = list(conn.execute(sa.select(Province.code, Province.region)))
            if len(provinces) < 77:
                raise SystemExit(
                    "No reference data: run `flask --app csr_hub db upgrade` and `seed-reference` first."
                )
            if do_reset:
                reset(conn)
            covers: dict[int, list[str]] = {}
            for did, code in conn.execute(
                sa.select(district_provinces.c.district_id, district_provinces.c.province_code)
            ):
                covers.setdefault(did, []).append(code)
            district_ids = [d for d in conn.scalars(sa.select(District.id).order_by(District.id))]
            existing = conn.scalar(
                sa.select(sa.func.count()).select_from(School).where(School.code.like(SCHOOL_PREFIX + "%"))
            )
            if existing:
                raise SystemExit(
                    f"{existing} generated schools are already there: add --reset to replace them."
                )

            # schools, over every ESA (primary and secondary) and the provinces each covers
            sid = _next_id(conn, School.__table__)
            school_rows = []
            for i in range(n_schools):
                did = (
                    district_ids[i % len(district_ids)] if i < len(district_ids) else rng.choice(district_ids)
                )
                v_th, v_en = rng.choice(VILLAGES)
                group = _pick(rng, QUALITY_WEIGHTS)
                pupils = rng.randint(15, 120) if group != "core" else rng.randint(200, 2500)
                school_rows.append(
                    {
                        "id": sid + i,
                        "code": f"{SCHOOL_PREFIX}{i:08d}",
                        "name_th": f"โรงเรียนบ้าน{v_th} {i + 1}",
                        "name_en": f"Ban {v_en} School {i + 1}",
                        "district_id": did,
                        "province_code": rng.choice(covers[did]),
                        "quality_group": group,
                        "pupils": pupils,
                        "teachers": max(1, pupils // rng.randint(15, 25)),
                    }
                )
            _insert(conn, School.__table__, school_rows)

            cid = _next_id(conn, Company.__table__)
            company_rows = []
            for i in range(n_companies):
                th, en = rng.choice(COMPANY_WORDS)
                name = (
                    rng.choice(COMPANY_TH).format(n=f"{th} {i + 1}")
                    if rng.random() < 0.6
                    else f"{en} {i + 1} Co., Ltd."
                )
                company_rows.append(
                    {
                        "id": cid + i,
                        "name": name,
                        "tax_id": make_tax_id(f"{TAX_PREFIX}{i:08d}"),
                        "province_code": rng.choice(provinces)[0],
                        "verified": rng.random() < 0.9,
                        "show_publicly": True,
                        "created_at": now,
                    }
                )
            _insert(conn, Company.__table__, company_rows)
            log(
                f"{n_schools:,} schools and {n_companies:,} companies in {time.perf_counter() - started:.1f} s"
            )

            categories = list(THINGS)
            need_rows = []
            for i in range(needs):
                school = (
                    school_rows[min(int(rng.paretovariate(1.2)) - 1, n_schools - 1)]
                    if rng.random() < 0.2
                    else rng.choice(school_rows)
                )
                category = rng.choice(categories)
                thing = rng.choice(THINGS[category])
                q = _round_q(rng, *thing.qty)
                title, desc = need_text(rng, thing, q, school["pupils"], rng.choice(VILLAGES))
                search, kinds = texts(title, desc)
                cost = _money(q * thing.price * rng.uniform(0.8, 1.3))
                urgency = _pick(rng, URGENCY_WEIGHTS)
                created = now - timedelta(days=rng.uniform(0, 365))
                need_rows.append(
                    {
                        "school_id": school["id"],
                        "district_id": school["district_id"],
                        "category": category,
                        "title": title,
                        "description": desc,
                        "quantity": q,
                        "unit": thing.unit_th if rng.random() < 0.7 else thing.unit_en,
                        "estimated_cost_thb": cost,
                        "budget_thb": _money(float(cost) * rng.choice((0, 0, 0, 0.2, 0.5))),
                        "needed_by": None
                        if rng.random() < 0.15
                        else today + timedelta(days=rng.randint(7, 400)),
                        "urgency": urgency,
                        "urgency_rank": URGENCY_RANK[urgency],
                        "cancelled": rng.random() < 0.05,
                        "cancelled_at": None,
                        "committed_quantity": 0,
                        "search_text": search,
                        "item_kinds": kinds,
                        "created_by_id": None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                if len(need_rows) == BATCH:
                    _insert(conn, Need.__table__, need_rows)
                    need_rows.clear()
                if (i + 1) % 20_000 == 0:
                    log(
                        f"  {i + 1:,} needs ({len(texts):,} distinct texts) {time.perf_counter() - started:.1f} s"
                    )
            _insert(conn, Need.__table__, need_rows)

            oid = _next_id(conn, Offer.__table__)
            offer_rows, served = [], []
            for i in range(offers):
                company = rng.choice(company_rows)
                category = rng.choice(categories)
                thing = rng.choice(THINGS[category])
                q = _round_q(rng, thing.qty[0], thing.qty[1] * 3)
                title, desc = offer_text(rng, thing, q)
                search, kinds = texts(title, desc)
                created = now - timedelta(days=rng.uniform(0, 365))
                roll = rng.random()
                until = (
                    None
                    if roll < 0.2
                    else (
                        today - timedelta(days=rng.randint(1, 60))
                        if roll < 0.26
                        else today + timedelta(days=rng.randint(10, 365))
                    )
                )
                nationwide = rng.random() < 0.4
                offer_rows.append(
                    {
                        "id": oid + i,
                        "company_id": company["id"],
                        "category": category,
                        "title": title,
                        "description": desc,
                        "quantity": q,
                        "unit": thing.unit_th if rng.random() < 0.5 else thing.unit_en,
                        "value_thb": _money(q * thing.price * rng.uniform(0.7, 1.1)),
                        "available_until": until,
                        "withdrawn": rng.random() < 0.03,
                        "withdrawn_at": None,
                        "committed_quantity": 0,
                        "search_text": search,
                        "item_kinds": kinds,
                        "nationwide": nationwide,
                        "created_by_id": None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                if not nationwide:
                    home = company["province_code"]
                    region = next(r for c, r in provinces if c == home)
                    near = [c for c, r in provinces if r == region]
                    codes = {home} | set(rng.sample(near, min(len(near), rng.randint(0, 4))))
                    served.extend({"offer_id": oid + i, "province_code": c} for c in sorted(codes))
            _insert(conn, Offer.__table__, offer_rows)
            _insert(conn, offer_provinces, served)
            _fix_sequences(conn, (School.__table__, Company.__table__, Offer.__table__, Need.__table__))
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))
        engine.dispose()
    elapsed = time.perf_counter() - started
    log(f"{needs:,} needs and {offers:,} offers ({len(texts):,} distinct texts analysed) in {elapsed:.1f} s")
    return {
        "schools": n_schools,
        "companies": n_companies,
        "needs": needs,
        "offers": offers,
        "offer_provinces": len(served),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--needs", type=int, default=100_000)
    p.add_argument("--offers", type=int, default=5_000)
    p.add_argument("--schools", type=int, default=None, help="default: needs / 4, at most 29,000")
    p.add_argument("--companies", type=int, default=None, help="default: offers / 3")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reset", action="store_true", help="first delete the rows an earlier run generated")
    p.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="default: $DATABASE_URL (without it, the app's SQLite file)",
    )
    a = p.parse_args(argv)
    if min(a.needs, a.offers) < 0:
        p.error("counts cannot be negative")
    counts = generate(
        a.database_url,
        needs=a.needs,
        offers=a.offers,
        seed=a.seed,
        schools=a.schools,
        companies=a.companies,
        do_reset=a.reset,
    )
    print(", ".join(f"{k}={v:,}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
