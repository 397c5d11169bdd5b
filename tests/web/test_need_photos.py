"""Issue 15: a need can carry a photo — posted with the need or added later on its page, shown on the
need's page and on the cards (home, lists, the school's page), cleaned of metadata, refused with a
clear error when it is not a photo, and never changed by someone who may not edit the need."""

from __future__ import annotations

import html as htmllib
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from csr_hub.models import AuditEvent, Need, NeedPhoto

from conftest import csrf_token, snapshot
from workflow_cast import app_config, cast  # noqa: F401  (fixtures)


def text(r) -> str:
    return htmllib.unescape(r.get_data(as_text=True))


def jpeg(size=(2400, 1600), exif_orientation: int | None = None, gps: bool = False) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    if gps:
        exif[0x010F] = "EvilCam"
        exif[0x8825] = {1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)}
    if exif_orientation:
        exif[0x0112] = exif_orientation
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def png_rgba() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 255, 128)).save(buf, "PNG")
    return buf.getvalue()


def upload(client, need_id, data: bytes | None, name="roof.jpg", lang="th"):
    form = {"csrf_token": csrf_token(client)}
    if data is not None:
        form["photo"] = (io.BytesIO(data), name)
    return client.post(f"/needs/{need_id}/photo?lang={lang}", data=form, content_type="multipart/form-data")


def photo_row(session, need_id) -> NeedPhoto | None:
    session.rollback()
    return session.scalar(sa.select(NeedPhoto).where(NeedPhoto.need_id == need_id))


def stored_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "needs"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_the_school_adds_a_photo_and_everyone_sees_it(app, cast, page_login, client, session):
    from PIL import Image

    staff = page_login(cast.staff)
    r = upload(staff, cast.need.id, jpeg(gps=True))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/needs/{cast.need.id}#photo")
    row = photo_row(session, cast.need.id)
    assert row is not None and (row.width, row.height) == (1200, 800)  # page-sized, proportions kept
    assert max(row.thumb_width, row.thumb_height) == 480
    assert len(stored_files(app)) == 2

    anonymous = app.test_client()
    page = text(anonymous.get(f"/needs/{cast.need.id}"))
    assert f'src="/needs/{cast.need.id}/photo"' in page and 'width="1200" height="800"' in page
    served = anonymous.get(f"/needs/{cast.need.id}/photo")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(served.data)) as img:
        assert img.size == (1200, 800)
        assert not img.getexif()  # no GPS, no camera: the pixels only
    assert b"EvilCam" not in served.data
    again = anonymous.get(f"/needs/{cast.need.id}/photo", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    card = anonymous.get(f"/needs/{cast.need.id}/photo/card")
    assert card.status_code == 200 and len(card.data) < len(served.data)

    # the cards on the list, the home page and the school's page carry the small copy
    for url in ("/needs", "/", f"/schools/{cast.school.code}"):
        assert f'src="/needs/{cast.need.id}/photo/card"' in text(anonymous.get(url)), url
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "need.photo")).all()
    assert len(events) == 1 and events[0].object_id == cast.need.id


def test_a_phone_photo_is_turned_upright_and_a_png_becomes_a_jpeg(app, cast, page_login, session):
    staff = page_login(cast.staff)
    # orientation 6: the camera held sideways; the picture must be shown rotated 90°
    assert upload(staff, cast.need.id, jpeg(size=(1600, 1200), exif_orientation=6)).status_code == 303
    row = photo_row(session, cast.need.id)
    assert (row.width, row.height) == (900, 1200)
    first = stored_files(app)
    assert upload(staff, cast.need.id, png_rgba(), name="plan.png").status_code == 303
    row = photo_row(session, cast.need.id)
    assert (row.width, row.height) == (300, 200)
    assert stored_files(app).isdisjoint(first) and len(stored_files(app)) == 2  # the old files are gone
    assert session.scalar(sa.select(sa.func.count(NeedPhoto.id))) == 1


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"%PDF-1.4 not a photo", "letter.pdf", "JPEG or PNG"),
        (b"\xff\xd8\xff\xe0 broken jpeg", "broken.jpg", "cannot be read"),
        (b"GIF89a......", "anim.gif", "JPEG or PNG"),
        (b"", "empty.jpg", None),
        (None, "", "Choose a photo"),
        (jpeg(size=(20, 20)), "photo\u202egpj.exe", None),
    ],
)
def test_what_is_not_a_photo_is_refused_beside_the_field_and_changes_nothing(
    app, cast, page_login, session, data, name, message
):
    staff = page_login(cast.staff)
    before = snapshot(session)
    r = upload(staff, cast.need.id, data, name, lang="en")
    assert r.status_code == 303  # post / redirect / get: a reload never posts again
    assert snapshot(session) == before and stored_files(app) == set()
    page = text(staff.get(r.headers["Location"].split("#")[0] + "?lang=en"))
    assert 'id="error-summary"' in page and 'href="#photo-file"' in page
    assert 'id="photo-file-error"' in page and 'aria-invalid="true"' in page
    if message:
        assert message in page
    # the error is shown once, then forgotten
    assert 'id="photo-file-error"' not in text(staff.get(f"/needs/{cast.need.id}"))


def test_a_photo_over_5_mb_is_refused(app, cast, page_login, session):
    staff = page_login(cast.staff)
    before = snapshot(session)
    big = b"\xff\xd8\xff\xe0" + b"\0" * (5 * 1024 * 1024)
    r = upload(staff, cast.need.id, big, lang="en")
    assert r.status_code == 303 and snapshot(session) == before
    assert "5 MB" in text(staff.get(f"/needs/{cast.need.id}?lang=en"))


def test_only_the_needs_school_may_change_its_photo(app, cast, page_login, session, client):
    before = snapshot(session)
    for user in (cast.other_staff, cast.rep, cast.director):
        r = upload(page_login(user), cast.need.id, jpeg(size=(40, 40)))
        assert r.status_code == 403, user.role
    pending = upload(page_login(cast.pending_staff), cast.need.id, jpeg(size=(40, 40)))
    assert pending.status_code == 403
    anon = app.test_client()
    r = upload(anon, cast.need.id, jpeg(size=(40, 40)))
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert snapshot(session) == before and stored_files(app) == set()
    assert app.test_client().get(f"/needs/{cast.need.id}/photo").status_code == 404
    assert app.test_client().get("/needs/999999/photo").status_code == 404
    # the upload form is shown to the school only
    assert 'id="photo-file"' in text(page_login(cast.staff).get(f"/needs/{cast.need.id}"))
    assert 'id="photo-file"' not in text(page_login(cast.other_staff).get(f"/needs/{cast.need.id}"))


def test_the_school_removes_its_photo(app, cast, page_login, session):
    staff = page_login(cast.staff)
    upload(staff, cast.need.id, jpeg(size=(64, 48)))
    assert photo_row(session, cast.need.id) is not None
    other = page_login(cast.other_staff)
    refused = other.post(f"/needs/{cast.need.id}/photo/remove", data={"csrf_token": csrf_token(other)})
    assert refused.status_code == 403 and photo_row(session, cast.need.id) is not None
    r = staff.post(f"/needs/{cast.need.id}/photo/remove", data={"csrf_token": csrf_token(staff)})
    assert r.status_code == 303
    assert photo_row(session, cast.need.id) is None and stored_files(app) == set()
    assert app.test_client().get(f"/needs/{cast.need.id}/photo").status_code == 404


def be_date(d: date) -> str:
    """A date as a Thai page shows and reads it: day/month/Buddhist-Era year."""
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def _new_need_form(client, **extra):
    page = text(client.get("/needs/new"))
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {
        "csrf_token": csrf_token(client),
        "form_token": token,
        "category": "facilities",
        "title": "ซ่อมหลังคาห้องสมุดที่รั่ว",
        "description": "หลังคาห้องสมุดรั่วเวลาฝนตก หนังสือเปียกเสียหาย",
        "quantity": "1",
        "unit": "หลัง",
        "estimated_cost_thb": "85000",
        "needed_by": be_date(date.today() + timedelta(days=90)),
        "urgency": "high",
    }
    data.update(extra)
    return data


def test_a_need_is_posted_with_its_photo(app, cast, page_login, session):
    staff = page_login(cast.staff)
    page = text(staff.get("/needs/new"))
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    data = _new_need_form(staff, photo=(io.BytesIO(jpeg(size=(800, 600))), "roof.jpg"))
    r = staff.post("/needs/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 302, re.findall(r"class=\"error\"[^>]*>([^<]*)", text(r))
    need_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    row = photo_row(session, need_id)
    assert row is not None and (row.width, row.height) == (800, 600)


def test_a_bad_photo_posts_no_need(app, cast, page_login, session):
    staff = page_login(cast.staff)
    before = snapshot(session)
    data = _new_need_form(staff, photo=(io.BytesIO(b"%PDF-1.7 letter"), "letter.pdf"))
    r = staff.post("/needs/new?lang=en", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    page = text(r)
    assert "JPEG or PNG" in page and 'id="photo-error"' in page
    assert 'value="ซ่อมหลังคาห้องสมุดที่รั่ว"' in page  # nothing typed is lost
    assert snapshot(session) == before and stored_files(app) == set()
    assert session.scalar(sa.select(sa.func.count(Need.id)).where(Need.school_id == cast.school.id)) == 1
