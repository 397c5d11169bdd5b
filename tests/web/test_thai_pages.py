"""Every page in Thai, for every role that can see it: any message id looked up without a Thai translation in
the catalogue fails the test (templates, forms, WTForms' own messages, flashes), so no English slips through.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import csr_hub

from conftest import csrf_token
from workflow_cast import app_config, cast, make_match  # noqa: F401  (fixtures)

PO = Path(csr_hub.__file__).resolve().parent / "translations" / "th" / "LC_MESSAGES" / "messages.po"


def _translated() -> set[str]:
    with PO.open("rb") as f:
        po = read_po(f, locale="th")
    out = set()
    for m in po:
        if not m.id:
            continue
        string = m.string[0] if isinstance(m.string, (tuple, list)) else m.string
        if string:
            out.add(m.id[0] if isinstance(m.id, (tuple, list)) else m.id)
    return out


class _Spy:
    """Wraps the request's translations and notes every Thai lookup the catalogue cannot answer."""

    def __init__(self, inner, known: set[str], missing: set[str]):
        self._inner, self._known, self._missing = inner, known, missing

    def _note(self, msgid: str) -> None:
        from flask_babel import get_locale

        if str(get_locale()) == "th" and msgid and msgid not in self._known:
            self._missing.add(msgid)

    def ugettext(self, msgid):
        self._note(msgid)
        return self._inner.ugettext(msgid)

    gettext = ugettext

    def ungettext(self, singular, plural, n):
        self._note(singular)
        return self._inner.ungettext(singular, plural, n)

    ngettext = ungettext

    def __getattr__(self, name):
        return getattr(self._inner, name)


@pytest.fixture
def untranslated(app, monkeypatch):
    import flask_babel

    from csr_hub.web import i18n

    known, missing = _translated(), set()
    real = flask_babel.Domain.get_translations

    def spied(self):
        return _Spy(real(self), known, missing)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", spied)
    monkeypatch.setattr(flask_babel, "get_translations", lambda: spied(flask_babel.get_domain()))
    monkeypatch.setattr(i18n, "get_translations", lambda: spied(flask_babel.get_domain()))
    return missing


def test_every_page_in_thai_has_every_message_translated(
    cast,
    session,
    page_login,
    client,
    untranslated,
    make_offer,  # noqa: F811
):
    proposed = make_match(session, cast, "proposed", quantity=1)
    other = make_offer(cast.rep, title="Laptops lot", quantity=10, value_thb=100_000)
    from csr_hub.services import matches

    m = matches.propose(session, cast.staff, {"need_id": cast.need.id, "offer_id": other.id, "quantity": 10})
    session.commit()
    for who, action, extra in [
        ("rep", "accept", {}),
        ("director", "approve", {}),
        ("central", "approve", {}),
    ]:
        matches.act(session, getattr(cast, who), m.id, {"action": action, **extra}, 100_000)
        session.commit()
    public = [
        "/",
        "/needs",
        f"/needs/{cast.need.id}",
        "/offers",
        f"/offers/{cast.offer.id}",
        f"/schools/{cast.school.code}",
        f"/companies/{cast.company.id}",
        "/companies",
        "/privacy",
    ]
    signed = public + ["/dashboard", "/notifications", "/reports", "/account"]
    visits = {
        None: public + ["/login", "/register", "/needs/987654"],
        cast.staff: signed
        + ["/needs/new", f"/needs/{cast.need.id}/edit", f"/matches/{proposed}", f"/matches/{m.id}"],
        cast.rep: signed
        + ["/offers/new", f"/offers/{cast.offer.id}/edit", f"/matches/{proposed}", f"/matches/{m.id}"],
        cast.director: signed + [f"/matches/{m.id}"],
        cast.central: signed + [f"/matches/{m.id}"],
        cast.admin: signed,
    }
    seen = 0
    for user, urls in visits.items():
        c = client if user is None else page_login(user)
        c.get("/?lang=th")
        for url in urls:
            r = c.get(url)
            assert r.status_code in (200, 404), (url, r.status_code)
            seen += 1
    # forms with their errors, and the errors of an action, in Thai
    staff = page_login(cast.staff)
    staff.post(
        "/needs/new", data={"csrf_token": csrf_token(staff), "quantity": "0", "needed_by": "31/13/2570"}
    )
    staff.post(
        "/matches",
        data={
            "csrf_token": csrf_token(staff),
            "need_id": cast.need.id,
            "offer_id": cast.offer.id,
            "quantity": 0,
        },
        headers={"Referer": f"http://localhost/needs/{cast.need.id}"},
    )
    staff.get(f"/needs/{cast.need.id}")
    client.post("/register", data={"csrf_token": csrf_token(client), "email": "x", "password": "short"})
    director = page_login(cast.director)
    director.post(f"/matches/{m.id}", data={"csrf_token": csrf_token(director), "action": "reject"})
    director.get(f"/matches/{m.id}")
    assert seen > 50
    assert sorted(untranslated) == []
