"""Reference data (provinces, ESAs) and a believable demo; both idempotent."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.orm import Session

from csr_hub.domain.policy import Role
from csr_hub.domain.reference import make_tax_id, today_bangkok
from csr_hub.models import Company, District, Need, Province, School, User
from csr_hub.services import accounts, matches, posts


def _load(name: str) -> list[dict]:
    return json.loads(resources.files("csr_hub").joinpath(f"data/{name}").read_text(encoding="utf-8"))


def seed_reference(session: Session) -> tuple[int, int]:
    """Insert or update the 77 provinces and the 245 ESAs. Returns (provinces, districts)."""
    provinces = _load("provinces.json")
    existing = {p.code: p for p in session.scalars(sa.select(Province))}
    for row in provinces:
        p = existing.get(row["code"]) or Province(code=row["code"])
        for key in ("name_th", "name_en", "region", "latitude", "longitude"):
            setattr(p, key, row[key])
        session.add(p)
    session.flush()
    by_code = {p.code: p for p in session.scalars(sa.select(Province))}
    districts = _load("districts.json")
    current = {d.code: d for d in session.scalars(sa.select(District))}
    for row in districts:
        d = current.get(row["code"]) or District(code=row["code"])
        d.name_th, d.name_en, d.kind, d.province_code = (
            row["name_th"],
            row["name_en"],
            row["kind"],
            row["province_code"],
        )
        d.provinces = [by_code[c] for c in row["province_codes"]]
        session.add(d)
    session.flush()
    return len(provinces), len(districts)


DEMO_PASSWORD = "demo-csr-hub-2569"

DEMO_SCHOOLS = [
    # code, name_th, name_en, ESA, province, group, pupils, teachers
    ("1050130001", "โรงเรียนบ้านแม่แจ่ม", "Ban Mae Chaem School", "p50-5", "50", "stand_alone", 86, 6),
    ("1050130002", "โรงเรียนวัดเจ็ดยอด", "Wat Chet Yot School", "p50-1", "50", "core", 640, 31),
    ("1055130003", "โรงเรียนบ้านบ่อเกลือ", "Ban Bo Kluea School", "p55-2", "55", "stand_alone", 74, 5),
    ("1040130004", "โรงเรียนบ้านโนนสะอาด", "Ban Non Sa-at School", "p40-1", "40", "merging", 42, 4),
    ("1040130005", "โรงเรียนชุมชนบ้านไผ่", "Ban Phai Community School", "p40-4", "40", "core", 520, 27),
    ("1095130006", "โรงเรียนบ้านบันนังสตา", "Ban Bannang Sata School", "p95-2", "95", "stand_alone", 210, 12),
    ("1010130007", "โรงเรียนวัดดอนเมือง", "Wat Don Mueang School", "p10-1", "10", "core", 900, 45),
    ("1034130008", "โรงเรียนบ้านนาจะหลวย", "Ban Na Chaluai School", "p34-5", "34", "merging", 55, 4),
]
DEMO_COMPANIES = [
    ("บริษัท สยามดิจิทัล โซลูชั่น จำกัด", "010555000001", "10"),
    ("Northern Telecom Co., Ltd.", "010555000002", "50"),
    ("บริษัท อีสานก่อสร้าง จำกัด", "010555000003", "40"),
    ("Green Energy Thailand Public Co., Ltd.", "010755000004", "10"),
]
DEMO_NEEDS = [
    (
        0,
        "devices",
        "คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง สำหรับห้องเรียนคอมพิวเตอร์",
        "นักเรียนต้องใช้เรียนวิทยาการคำนวณ ปัจจุบันมีเครื่องใช้ได้เพียง 3 เครื่อง",
        20,
        "เครื่อง",
        300000,
        "critical",
    ),
    (
        0,
        "internet",
        "ติดตั้งอินเทอร์เน็ตดาวเทียมให้โรงเรียนบนดอย",
        "โรงเรียนอยู่บนพื้นที่สูง ไม่มีสัญญาณอินเทอร์เน็ตบ้าน",
        1,
        "ระบบ",
        60000,
        "high",
    ),
    (
        1,
        "learning_materials",
        "หนังสือนิทานภาษาอังกฤษสำหรับห้องสมุด",
        "English storybooks for grades 1–6",
        200,
        "เล่ม",
        40000,
        "normal",
    ),
    (2, "teacher_housing", "ซ่อมบ้านพักครู หลังคารั่ว", "บ้านพักครู 2 หลัง หลังคารั่วในฤดูฝน", 2, "หลัง", 180000, "high"),
    (
        3,
        "student_welfare",
        "อาหารกลางวันเสริมสำหรับนักเรียน",
        "School lunch top-up for 42 pupils for one term",
        42,
        "คน",
        50000,
        "normal",
    ),
    (
        4,
        "devices",
        "Projectors for 6 classrooms",
        "Our classrooms need projectors for the new curriculum",
        6,
        "units",
        120000,
        "normal",
    ),
    (
        5,
        "teaching_support",
        "ครูอาสาสอนภาษาอังกฤษ 1 ภาคเรียน",
        "Volunteer English teacher for one semester",
        1,
        "คน",
        90000,
        "high",
    ),
    (
        5,
        "safety",
        "กล้องวงจรปิดรอบโรงเรียน",
        "CCTV cameras for the school gate and buildings",
        8,
        "ตัว",
        64000,
        "critical",
    ),
    (
        6,
        "facilities",
        "เครื่องกรองน้ำดื่มสำหรับโรงอาหาร",
        "Drinking-water filter for the canteen",
        2,
        "เครื่อง",
        70000,
        "normal",
    ),
    (
        7,
        "facilities",
        "แผงโซลาร์เซลล์สำหรับอาคารเรียน",
        "Solar panels to cut the electricity bill",
        10,
        "แผง",
        150000,
        "low",
    ),
    (
        2,
        "devices",
        "แท็บเล็ตสำหรับนักเรียนชั้นประถม",
        "Tablets for primary pupils' reading apps",
        15,
        "เครื่อง",
        105000,
        "normal",
    ),
    (
        1,
        "student_welfare",
        "ชุดนักเรียนสำหรับนักเรียนยากจน",
        "Uniforms for 60 pupils from poor families",
        60,
        "ชุด",
        36000,
        "normal",
    ),
]
DEMO_OFFERS = [
    (
        0,
        "devices",
        "50 refurbished laptops",
        "Refurbished business laptops, Core i5, 8 GB RAM, Windows 11, one-year warranty",
        50,
        "units",
        500000,
        [],
    ),
    (
        1,
        "internet",
        "อินเทอร์เน็ตดาวเทียมฟรี 1 ปี",
        "ติดตั้งจานดาวเทียมและค่าบริการ 1 ปี สำหรับโรงเรียนในภาคเหนือ",
        10,
        "ระบบ",
        500000,
        ["50", "55", "58", "57"],
    ),
    (
        2,
        "teacher_housing",
        "ซ่อมแซมบ้านพักครู",
        "ทีมช่างซ่อมหลังคา ห้องน้ำ และระบบไฟฟ้าบ้านพักครู",
        10,
        "หลัง",
        800000,
        ["40", "34", "41", "46"],
    ),
    (
        3,
        "facilities",
        "Solar rooftop kits for schools",
        "5 kW solar rooftop kits with installation",
        20,
        "kits",
        1200000,
        [],
    ),
    (
        0,
        "devices",
        "โปรเจกเตอร์สำหรับห้องเรียน",
        "Projector with screen and installation",
        30,
        "เครื่อง",
        450000,
        [],
    ),
    (
        1,
        "learning_materials",
        "English picture books donation",
        "Boxes of English picture books for primary libraries",
        1000,
        "books",
        150000,
        [],
    ),
    (2, "safety", "CCTV installation for schools", "ติดตั้งกล้องวงจรปิดพร้อมเครื่องบันทึก", 40, "cameras", 320000, []),
]
DEMO_USERS = [
    ("admin@demo.csr-hub.th", Role.ADMIN, "ผู้ดูแลระบบ", {}),
    ("central@demo.csr-hub.th", Role.CENTRAL_OFFICER, "สมศรี ใจดี (สพฐ.)", {}),
    ("director.cm5@demo.csr-hub.th", Role.DISTRICT_DIRECTOR, "ประยุทธ์ แก้วมณี", {"district_code": "p50-5"}),
    ("director.nan2@demo.csr-hub.th", Role.DISTRICT_DIRECTOR, "วันเพ็ญ ศรีสุข", {"district_code": "p55-2"}),
    ("school.maechaem@demo.csr-hub.th", Role.SCHOOL_STAFF, "ครูมาลี ทองคำ", {"school_code": "1050130001"}),
    ("school.bokluea@demo.csr-hub.th", Role.SCHOOL_STAFF, "ครูสมชาย บุญมา", {"school_code": "1055130003"}),
    (
        "csr@siamdigital.example",
        Role.COMPANY_REP,
        "Anan Wong",
        {"company_tax_id": make_tax_id("010555000001")},
    ),
    (
        "csr@northtel.example",
        Role.COMPANY_REP,
        "Kanya Saetang",
        {"company_tax_id": make_tax_id("010555000002")},
    ),
]


def seed_demo(session: Session, threshold: float = 500000) -> list[tuple[str, str]]:
    """Schools, companies, users of every role, needs and offers, a few matches. Returns the logins."""
    seed_reference(session)
    districts = {d.code: d for d in session.scalars(sa.select(District))}
    schools = []
    for code, th, en, esa, prov, group, pupils, teachers in DEMO_SCHOOLS:
        s = session.scalar(sa.select(School).where(School.code == code))
        if s is None:
            s = School(
                code=code,
                name_th=th,
                name_en=en,
                district_id=districts[esa].id,
                province_code=prov,
                quality_group=group,
                pupils=pupils,
                teachers=teachers,
            )
            session.add(s)
        schools.append(s)
    companies = []
    for name, first12, prov in DEMO_COMPANIES:
        tax = make_tax_id(first12)
        c = session.scalar(sa.select(Company).where(Company.tax_id == tax))
        if c is None:
            c = Company(name=name, tax_id=tax, province_code=prov, verified=True)
            session.add(c)
        companies.append(c)
    session.flush()
    logins = []
    for email, role, name, extra in DEMO_USERS:
        if session.scalar(sa.select(User).where(User.email == email)) is None:
            accounts.create_user(session, email, role, DEMO_PASSWORD, full_name=name, **extra)
        logins.append((role, email))
    session.flush()
    # one extra staff account per school, so every demo school can post
    for s in schools:
        email = f"staff.{s.code}@demo.csr-hub.th"
        if session.scalar(sa.select(User).where(User.email == email)) is None:
            accounts.create_user(
                session,
                email,
                Role.SCHOOL_STAFF,
                DEMO_PASSWORD,
                full_name=f"ครูประจำ {s.name_th}",
                school_code=s.code,
            )
    for c in companies:
        email = f"rep.{c.tax_id}@demo.csr-hub.th"
        if session.scalar(sa.select(User).where(User.email == email)) is None:
            accounts.create_user(
                session,
                email,
                Role.COMPANY_REP,
                DEMO_PASSWORD,
                full_name=f"CSR {c.name[:40]}",
                company_tax_id=c.tax_id,
            )
    session.flush()
    if session.scalar(sa.select(sa.func.count(Need.id))):
        return logins
    today = today_bangkok()
    staff = {
        s.id: session.scalar(sa.select(User).where(User.email == f"staff.{s.code}@demo.csr-hub.th"))
        for s in schools
    }
    reps = {
        c.id: session.scalar(sa.select(User).where(User.email == f"rep.{c.tax_id}@demo.csr-hub.th"))
        for c in companies
    }
    needs = []
    for i, (si, cat, title, desc, qty, unit, cost, urgency) in enumerate(DEMO_NEEDS):
        n = posts.create_need(
            session,
            staff[schools[si].id],
            {
                "category": cat,
                "title": title,
                "description": desc,
                "quantity": qty,
                "unit": unit,
                "estimated_cost_thb": cost,
                "urgency": urgency,
                "needed_by": (today + timedelta(days=30 + 15 * i)).isoformat(),
            },
        )
        needs.append(n)
    offers = []
    for ci, cat, title, desc, qty, unit, value, provs in DEMO_OFFERS:
        o = posts.create_offer(
            session,
            reps[companies[ci].id],
            {
                "category": cat,
                "title": title,
                "description": desc,
                "quantity": qty,
                "unit": unit,
                "value_thb": value,
                "provinces": provs,
                "available_until": (today + timedelta(days=180)).isoformat(),
            },
        )
        offers.append(o)
    session.flush()
    needs[3].budget_thb = Decimal("50000")
    director = {
        d.district_id: d for d in session.scalars(sa.select(User).where(User.role == Role.DISTRICT_DIRECTOR))
    }
    central = session.scalar(sa.select(User).where(User.role == Role.CENTRAL_OFFICER))

    def walk(need, offer, qty, proposer, steps):
        m = matches.propose(session, proposer, {"need_id": need.id, "offer_id": offer.id, "quantity": qty})
        for actor, action, extra in steps:
            m = matches.act(session, actor, m.id, {"action": action, **extra}, threshold=threshold)
            if m.status == "district_approved":  # at or above the configured threshold OBEC approves too
                m = matches.act(session, central, m.id, {"action": "approve"}, threshold=threshold)
        return m

    s0, s2 = schools[0], schools[2]
    rep0, rep1 = reps[companies[0].id], reps[companies[1].id]
    # laptops to Mae Chaem: completed with 18 of 20 received
    walk(
        needs[0],
        offers[0],
        20,
        staff[s0.id],
        [
            (rep0, "accept", {}),
            (director[s0.district_id], "approve", {"note": "เห็นชอบ"}),
            (rep0, "deliver", {}),
            (staff[s0.id], "confirm", {"received_quantity": 18, "note": "ได้รับ 18 เครื่อง อีก 2 เครื่องเสีย"}),
        ],
    )
    # satellite internet: pledged, waiting for the director
    walk(needs[1], offers[1], 1, rep1, [(staff[s0.id], "accept", {})])
    # English books for Wat Chet Yot: proposed by the school, waiting for the company
    walk(needs[2], offers[5], 200, staff[schools[1].id], [])
    # tablets in Nan: approved, waiting for delivery
    walk(
        needs[10],
        offers[0],
        15,
        rep0,
        [(staff[s2.id], "accept", {}), (director[s2.district_id], "approve", {})],
    )
    session.flush()
    return logins
