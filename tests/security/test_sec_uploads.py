"""Files attached to a match: type checked by content, size limited, stored privately under random names,
served only to those who may see the match."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import sqlalchemy as sa

from csr_hub import create_app
from csr_hub.models import Upload

from sec_helpers import JPEG, PDF, PNG, Api, csrf_token, files, snapshot, world  # noqa: F401

FAKES = {
    "page.html as .jpg": ("photo.jpg", b"<html><script>alert(1)</script></html>"),
    "svg": ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    "gif": ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    "windows program": ("setup.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
    "zip as .pdf": ("note.pdf", b"PK\x03\x04" + b"\x00" * 64),
    "jpeg magic too short": ("x.jpg", b"\xff\xd8"),
    "empty": ("empty.jpg", b""),
}


def _stored(folder) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_types_are_checked_by_content_and_refusals_store_nothing(app, session, world):
    folder = app.config["UPLOAD_FOLDER"]
    d = world.a.matches["delivered"]
    staff, rep = Api(app.test_client(), world.a.staff), Api(app.test_client(), world.a.rep)
    url = f"/api/v1/matches/{d.id}/uploads"
    before = snapshot(session)
    for label, (name, data) in FAKES.items():
        for kind, who in (("photo", staff), ("delivery_note", rep)):
            r = who.post(url, data=files(name, data, kind=kind), content_type="multipart/form-data")
            assert r.status_code == 422, (label, kind, r.get_json())
            assert "file" in r.get_json()["error"]["fields"], label
    # a PDF is a delivery note, never a "photo"
    r = staff.post(url, data=files("receipt.pdf", PDF, kind="photo"), content_type="multipart/form-data")
    assert r.status_code == 422
    for bad in ({"kind": "photo"}, {"kind": "selfie", **files("x.jpg", JPEG)}, {}):
        assert staff.post(url, data=bad, content_type="multipart/form-data").status_code == 422
    assert snapshot(session) == before and _stored(folder) == []
    # the real things are accepted; the client's Content-Type is not believed either way
    ok = [
        (staff, "photo.png", PNG, "photo", "image/png"),
        (staff, "photo", JPEG, "photo", "image/jpeg"),
        (rep, "ใบส่งของ.pdf", PDF, "delivery_note", "application/pdf"),
        (rep, "note.png", PNG, "delivery_note", "image/png"),
    ]
    for who, name, data, kind, expected in ok:
        r = who.post(url, data=files(name, data, kind=kind), content_type="multipart/form-data")
        assert r.status_code == 201, r.get_json()
        body = r.get_json()
        assert body["content_type"] == expected and body["kind"] == kind
        if expected == "application/pdf":  # images are written again without their metadata
            assert body["size"] == len(data)
        assert body["original_name"] == name and body["url"].endswith(f"/uploads/{body['id']}")
    assert len(_stored(folder)) == 4


def test_size_is_limited(app, session, world):
    d = world.a.matches["delivered"]
    staff = Api(app.test_client(), world.a.staff)
    url = f"/api/v1/matches/{d.id}/uploads"
    five_mb = JPEG + b"\x00" * (5 * 1024 * 1024 - len(JPEG))
    r = staff.post(
        url, data=files("big.jpg", five_mb + b"\x00", kind="photo"), content_type="multipart/form-data"
    )
    assert r.status_code == 422 and "5 MB" in r.get_json()["error"]["fields"]["file"][0]
    assert _stored(app.config["UPLOAD_FOLDER"]) == []
    r = staff.post(url, data=files("exact.jpg", five_mb, kind="photo"), content_type="multipart/form-data")
    assert r.status_code == 201
    r = staff.post(url, data=files("huge.jpg", five_mb * 3, kind="photo"), content_type="multipart/form-data")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "payload_too_large"
    assert session.scalar(sa.select(sa.func.count(Upload.id))) == 1


def test_files_are_stored_privately_under_random_names(app, session, world):
    folder = Path(app.config["UPLOAD_FOLDER"])
    static = Path(app.static_folder).resolve()
    d = world.a.matches["delivered"]
    staff = Api(app.test_client(), world.a.staff)
    r = staff.post(
        f"/api/v1/matches/{d.id}/uploads",
        data=files("../../static/evil.jpg", JPEG, kind="photo"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 201
    up = session.get(Upload, r.get_json()["id"])
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", up.stored_name)
    path = folder / up.stored_name
    stored = path.read_bytes()
    assert stored.startswith(b"\xff\xd8\xff") and len(stored) == up.size
    assert static not in path.resolve().parents
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0  # readable by the app only
    assert up.original_name == "evil.jpg" and not (static / "evil.jpg").exists()
    # the default folder is under instance/, outside static/
    default = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    assert default.config["UPLOAD_FOLDER"].startswith(default.instance_path)
    assert static not in Path(default.config["UPLOAD_FOLDER"]).resolve().parents


def test_files_are_served_only_to_those_who_may_see_the_match(app, session, world, page_login):
    d = world.a.matches["delivered"]
    staff = Api(app.test_client(), world.a.staff)
    up = staff.post(
        f"/api/v1/matches/{d.id}/uploads",
        data=files("p.png", PNG, kind="photo"),
        content_type="multipart/form-data",
    ).get_json()
    api_url, page_url = up["url"], f"/matches/{d.id}/uploads/{up['id']}"
    stored = (Path(app.config["UPLOAD_FOLDER"]) / session.get(Upload, up["id"]).stored_name).read_bytes()
    for user in (
        world.a.staff,
        world.a.rep,
        world.a.director,
        world.central,
        world.admin,
    ):
        c = Api(app.test_client(), user)
        for url in (api_url, page_url):
            r = c.client.get(url)
            assert r.status_code == 200, (user.role, url)
            assert r.data == stored and r.data[:8] == PNG[:8] and r.mimetype == "image/png"
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in r.headers["Content-Security-Policy"]
            assert "no-store" in r.headers["Cache-Control"]
        listed = c.get(f"/api/v1/matches/{d.id}/uploads").get_json()["items"]
        assert [i["id"] for i in listed] == [up["id"]]
    # another tenant, and a pending account claiming this school (hidden until verified)
    for user in (world.b.staff, world.b.rep, world.b.director, world.a.pending_staff):
        c = Api(app.test_client(), user)
        for url in (api_url, page_url, f"/api/v1/matches/{d.id}/uploads"):
            assert c.client.get(url).status_code == 404, (user.role, url)
    # an upload id of another match, asked through a match the user may see: 404 as well
    other = world.b.matches["delivered"]
    mine = Api(app.test_client(), world.b.staff)
    assert mine.client.get(f"/api/v1/matches/{other.id}/uploads/{up['id']}").status_code == 404
    anon = app.test_client()
    assert anon.get(api_url).status_code == 401
    assert anon.get(page_url).status_code == 302
    # a PDF is sent as a download, never shown inline
    rep = Api(app.test_client(), world.a.rep)
    note = rep.post(
        f"/api/v1/matches/{d.id}/uploads",
        data=files("n.pdf", PDF, kind="delivery_note"),
        content_type="multipart/form-data",
    ).get_json()
    r = staff.client.get(note["url"])
    assert r.headers["Content-Disposition"].startswith("attachment")


def test_who_may_add_which_file_and_when(app, session, world):
    w = world
    staff, rep = Api(app.test_client(), w.a.staff), Api(app.test_client(), w.a.rep)
    before = snapshot(session)
    for status in ("proposed", "pledged", "approved"):
        m = w.a.matches[status]
        r = staff.post(
            f"/api/v1/matches/{m.id}/uploads",
            data=files("p.jpg", JPEG, kind="photo"),
            content_type="multipart/form-data",
        )
        assert r.status_code == 409, status  # nothing has arrived yet
    r = rep.post(
        f"/api/v1/matches/{w.a.matches['pledged'].id}/uploads",
        data=files("n.pdf", PDF, kind="delivery_note"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 409  # not approved yet
    pending = Api(app.test_client(), w.a.pending_staff)
    r = pending.post(
        f"/api/v1/matches/{w.a.matches['delivered'].id}/uploads",
        data=files("p.jpg", JPEG, kind="photo"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "account_pending"
    assert snapshot(session) == before
    r = rep.post(
        f"/api/v1/matches/{w.a.matches['approved'].id}/uploads",
        data=files("n.pdf", PDF, kind="delivery_note"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 201


def test_the_match_page_lists_files_and_offers_the_form_to_the_right_side(app, session, world, page_login):
    d = world.a.matches["delivered"]
    staff = page_login(world.a.staff)
    html = staff.get(f"/matches/{d.id}").get_data(as_text=True)
    assert 'id="uploads"' in html and 'enctype="multipart/form-data"' in html
    assert 'value="photo"' in html and 'value="delivery_note"' not in html
    r = staff.post(
        f"/matches/{d.id}/uploads",
        data={**files("p.jpg", JPEG, kind="photo"), "csrf_token": csrf_token(staff)},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/matches/{d.id}#uploads")
    html = staff.get(f"/matches/{d.id}").get_data(as_text=True)
    up = session.scalar(sa.select(Upload))
    assert f"/matches/{d.id}/uploads/{up.id}" in html and "<img" in html and 'alt="' in html
    # a bad file: the page says why, nothing is stored
    r = staff.post(
        f"/matches/{d.id}/uploads",
        data={**files("p.jpg", b"GIF89a", kind="photo"), "csrf_token": csrf_token(staff)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert r.status_code == 200 and "flash-error" in r.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count(Upload.id))) == 1
    director = page_login(world.a.director)
    html = director.get(f"/matches/{d.id}").get_data(as_text=True)
    assert f"/matches/{d.id}/uploads/{up.id}" in html and 'enctype="multipart/form-data"' not in html
    rep = page_login(world.a.rep)
    assert 'value="delivery_note"' in rep.get(f"/matches/{d.id}").get_data(as_text=True)
