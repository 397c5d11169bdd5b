"""Categories, urgencies, quality groups, Thai tax ids: small facts every layer shares."""

from __future__ import annotations

from csr_hub.domain.policy import Role

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")

CATEGORIES: dict[str, tuple[str, str]] = {
    "devices": ("อุปกรณ์คอมพิวเตอร์และดิจิทัล", "Devices"),
    "internet": ("อินเทอร์เน็ต", "Internet"),
    "teacher_housing": ("บ้านพักครู", "Teacher housing"),
    "teacher_welfare": ("สวัสดิการครู", "Teacher welfare"),
    "teaching_support": ("ครูอาสาและการพัฒนาครู", "Teaching support"),
    "learning_materials": ("สื่อการเรียนรู้", "Learning materials"),
    "facilities": ("อาคารและสิ่งอำนวยความสะดวก", "Facilities"),
    "student_welfare": ("สวัสดิการนักเรียน", "Student welfare"),
    "safety": ("ความปลอดภัย", "Safety"),
    "other": ("อื่น ๆ", "Other"),
}
URGENCIES: dict[str, tuple[str, str, int]] = {
    "low": ("ไม่เร่งด่วน", "Low", 0),
    "normal": ("ปกติ", "Normal", 1),
    "high": ("เร่งด่วน", "High", 2),
    "critical": ("เร่งด่วนมาก", "Critical", 3),
}
QUALITY_GROUPS: dict[str, tuple[str, str]] = {
    "core": ("โรงเรียนคุณภาพ (แกนหลัก)", "Core quality school"),
    "stand_alone": ("โรงเรียนที่ต้องคงอยู่ (Stand Alone)", "Stand-alone school"),
    "merging": ("โรงเรียนที่พร้อมรวม", "Merging school"),
}
REGIONS: dict[str, tuple[str, str]] = {
    "north": ("ภาคเหนือ", "North"),
    "northeast": ("ภาคตะวันออกเฉียงเหนือ", "Northeast"),
    "central": ("ภาคกลาง", "Central"),
    "east": ("ภาคตะวันออก", "East"),
    "west": ("ภาคตะวันตก", "West"),
    "south": ("ภาคใต้", "South"),
}
ROLE_LABELS: dict[str, tuple[str, str]] = {
    Role.SCHOOL_STAFF: ("บุคลากรโรงเรียน", "School staff"),
    Role.COMPANY_REP: ("ผู้แทนบริษัท", "Company representative"),
    Role.DISTRICT_DIRECTOR: ("ผู้อำนวยการเขตพื้นที่การศึกษา", "District (ESA) director"),
    Role.CENTRAL_OFFICER: ("เจ้าหน้าที่ส่วนกลาง สพฐ.", "OBEC central officer"),
    Role.ADMIN: ("ผู้ดูแลระบบ", "Administrator"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "open": ("เปิดรับ", "Open"),
    "fulfilled": ("ได้รับคำมั่นครบแล้ว", "Fully pledged"),  # every unit is held by a match, not yet received
    "cancelled": ("ยกเลิก", "Cancelled"),
    "exhausted": ("หมดแล้ว", "Exhausted"),
    "withdrawn": ("ถอนแล้ว", "Withdrawn"),
    "expired": ("หมดอายุ", "Expired"),
    "proposed": ("เสนอแล้ว", "Proposed"),
    "pledged": ("ให้คำมั่นแล้ว", "Pledged"),
    "district_approved": ("เขตอนุมัติแล้ว รอส่วนกลาง", "District approved"),
    "approved": ("อนุมัติแล้ว", "Approved"),
    "delivered": ("ส่งมอบแล้ว", "Delivered"),
    "completed": ("ยืนยันรับแล้ว", "Completed"),
    "declined": ("ปฏิเสธข้อเสนอ", "Declined"),
    "rejected": ("ไม่อนุมัติ", "Rejected"),
    "pending": ("รอยืนยันตัวตน", "Pending"),
    "active": ("ใช้งาน", "Active"),
    "disabled": ("ระงับ", "Disabled"),
}

TAX_ID_RE = re.compile(r"^\d{13}$")
SCHOOL_CODE_RE = re.compile(r"^\d{10}$")


def label(table: dict, code: str, lang: str) -> str:
    entry = table.get(code)
    if entry is None:
        return code
    return entry[1] if lang == "en" else entry[0]


def valid_tax_id(tax_id: str) -> bool:
    """Thai 13-digit tax id: the last digit is (11 − Σ dᵢ·(13−i) mod 11) mod 10."""
    if not isinstance(tax_id, str) or not TAX_ID_RE.match(tax_id):
        return False
    total = sum(int(tax_id[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(tax_id[12])


def make_tax_id(first12: str) -> str:
    """Complete 12 digits with their check digit (demo data and tests)."""
    total = sum(int(first12[i]) * (13 - i) for i in range(12))
    return first12 + str((11 - total % 11) % 10)


def today_bangkok() -> date:
    return datetime.now(BANGKOK).date()


THAI_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
THAI_MONTHS_FULL = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(value: date | datetime | None, lang: str = "th") -> str:
    """Thai: ``25 พ.ย. 2569`` (Buddhist Era); English: ``25 Nov 2026``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(BANGKOK)
    if lang == "th":
        return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + 543}"
    return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"


def format_month(year: int, month: int, lang: str = "th") -> str:
    if lang == "th":
        return f"{THAI_MONTHS[month - 1]} {str(year + 543)[-2:]}"
    return f"{EN_MONTHS[month - 1]} {year}"
