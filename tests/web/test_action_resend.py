"""A match (or partnership) action posted from its page acts once, however often the form is sent again.

The pages answer a refused action with the contract's status (409, 422) on the match page itself, so
every existing client and test keeps its codes; what makes a resend safe is the one-time token each action
form carries (csr_hub/web/page_actions.py). These tests send the very form the page showed, then send it
again, as a reload without JavaScript, back-and-submit or a double click would.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from csr_hub.domain.reference import today_bangkok
from csr_hub.models import AuditEvent, Match, Notification, Partnership

from conftest import snapshot
from workflow_cast import app_config, cast, make_match  # noqa: F401  (fixtures)


def text(r) -> str:
    return htmllib.unescape(r.get_data(as_text=True))


def the_form(page: str, form_id: str) -> dict[str, str]:
    """The hidden fields of one form on a page, as the browser would send them."""
    m = re.search(rf'<form[^>]*id="{form_id}"[^>]*>(.*?)</form>', page, re.S)
    assert m, f"no form {form_id!r} on the page"
    body = m.group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', body))
    assert fields.get("form_token"), f"form {form_id!r} carries no one-time token"
    return fields


def state(session, match_id: int) -> tuple:
    """What an action changes: the match, its history, the notifications and the audit log."""
    session.rollback()
    m = session.get(Match, match_id)
    return (
        m.status,
        len(m.history),
        session.scalar(sa.select(sa.func.count(Notification.id))),
        session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def test_the_same_action_form_sent_again_acts_once_and_says_it_was_done(cast, page_login, session):
    proposed = make_match(session, cast, "proposed")
    rep = page_login(cast.rep)
    page = f"/matches/{proposed}"
    form = the_form(text(rep.get(page)), "form-accept")
    first = rep.post(page, data={**form, "note": "ส่งได้ภายในเดือนนี้"})
    assert first.status_code == 303 and first.headers["Location"].endswith(page)
    done = state(session, proposed)
    assert done[:2] == ("pledged", 2)
    rep.get(page + "?lang=en")  # the "Done." message is shown once; the language is remembered from here
    before = snapshot(session)
    for _ in range(3):  # reload, back and submit, a double click: the very same form
        again = rep.post(page, data={**form, "note": "ส่งได้ภายในเดือนนี้"})
        assert again.status_code == 303 and again.headers["Location"].endswith(page)
        assert state(session, proposed) == done and snapshot(session) == before
        shown = text(rep.get(page))
        assert "This was already done" in shown and 'data-status="pledged"' in shown
    # the note was recorded once
    assert text(rep.get(page)).count("ส่งได้ภายในเดือนนี้") == 1


def test_a_refused_action_comes_back_by_its_field_and_a_resend_changes_nothing(cast, page_login, session):
    delivered = make_match(session, cast, "delivered")
    staff = page_login(cast.staff)
    page = f"/matches/{delivered}"
    form = the_form(text(staff.get(page)), "form-confirm")
    note = "ได้รับของไม่ครบ ขาด 2 เครื่อง"
    before, counted = snapshot(session), state(session, delivered)
    for _ in range(2):  # the refusal, then the same post again (a reload where the script did not run)
        r = staff.post(page + "?lang=en", data={**form, "received_quantity": "99", "note": note})
        assert r.status_code == 422
        shown = text(r)
        # the summary at the top, focusable, linked to the field; the page's own address for the history
        summary = shown.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
        assert 'href="#received-quantity"' in summary and "from 0 to 10" in summary
        opening = re.search(r'<div[^>]*id="error-summary"[^>]*>', shown).group(0)
        assert 'tabindex="-1"' in opening and f'data-replace-url="{page}#error-summary"' in opening
        assert shown.index('id="error-summary"') < shown.index('id="form-confirm"')
        # the error next to its box, the box marked invalid, the typed note and quantity kept
        card = shown.split('id="form-confirm"', 1)[1].split("</form>", 1)[0]
        assert card.index('id="received-quantity-error"') < card.index('id="received-quantity"')
        assert 'aria-invalid="true"' in card and 'value="99"' in card
        assert f">{note}</textarea>" in card
        assert snapshot(session) == before and state(session, delivered) == counted
    # the page reached by the replaced history entry (a reload once the script ran) shows no stale error
    assert 'id="error-summary"' not in text(staff.get(page))
    # corrected, the same form goes through once (a refused post left its token free) ...
    r = staff.post(page, data={**form, "received_quantity": "8", "note": note})
    assert r.status_code == 303
    done = state(session, delivered)
    assert done[0] == "completed" and session.get(Match, delivered).received_quantity == 8
    # ... and never again
    r = staff.post(page, data={**form, "received_quantity": "8", "note": note})
    assert r.status_code == 303 and state(session, delivered) == done


def test_a_conflict_comes_back_with_its_reason_and_changes_nothing(cast, page_login, session):
    pledged = make_match(session, cast, "pledged")
    director = page_login(cast.director)
    page = f"/matches/{pledged}"
    form = the_form(text(director.get(page)), "form-reject")
    # the match moves on between showing the page and posting the form
    before = state(session, pledged)
    from flask import current_app

    from csr_hub.services import matches

    matches.act(
        session,
        cast.director,
        pledged,
        {"action": "approve"},
        current_app.config["CSR_CENTRAL_THRESHOLD_THB"],
    )
    session.commit()
    moved = state(session, pledged)
    assert moved != before
    r = director.post(page + "?lang=en", data={**form, "note": "เอกสารไม่ครบ"})
    assert r.status_code == 409
    shown = text(r)
    assert "not allowed while the match is" in shown.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert state(session, pledged) == moved


def test_two_posts_of_one_form_at_the_same_moment_act_once(cast, page_login, session, monkeypatch):
    """The second post passed the "already done?" check before the first committed: its claim of the token
    fails, and it acts on nothing."""
    from csr_hub.web import page_actions

    proposed = make_match(session, cast, "proposed")
    rep = page_login(cast.rep)
    page = f"/matches/{proposed}"
    form = the_form(text(rep.get(page)), "form-accept")
    assert rep.post(page, data=form).status_code == 303
    done = state(session, proposed)
    monkeypatch.setattr(page_actions, "already_posted", lambda *a, **k: None)  # as if it ran first
    r = rep.post(page, data=form)
    assert r.status_code == 303 and r.headers["Location"].endswith(page)
    assert state(session, proposed) == done
    assert "ทำรายการนี้ไปแล้ว" in text(rep.get(page))  # in Thai, the default


def test_a_token_counts_for_its_own_match_only(cast, page_login, session, make_offer):
    one = make_match(session, cast, "proposed", quantity=2)
    offer2 = make_offer(cast.rep, title="Tablets", quantity=5, value_thb=5000)
    from csr_hub.services import matches

    two = matches.propose(
        session, cast.staff, {"need_id": cast.need.id, "offer_id": offer2.id, "quantity": 1}
    ).id
    session.commit()
    rep = page_login(cast.rep)
    form = the_form(text(rep.get(f"/matches/{one}")), "form-accept")
    assert rep.post(f"/matches/{one}", data=form).status_code == 303
    # the same token sent for another match is that match's own first post: it acts there
    assert rep.post(f"/matches/{two}", data=form).status_code == 303
    session.rollback()
    assert (session.get(Match, one).status, session.get(Match, two).status) == ("pledged", "pledged")


def test_the_dashboard_quick_action_acts_once(cast, page_login, session):
    proposed = make_match(session, cast, "proposed")
    rep = page_login(cast.rep)
    form = the_form(text(rep.get("/dashboard")), f"quick-accept-{proposed}")
    r = rep.post(f"/matches/{proposed}", data=form)
    assert r.status_code == 303
    done = state(session, proposed)
    assert done[0] == "pledged"
    assert rep.post(f"/matches/{proposed}", data=form).status_code == 303
    assert state(session, proposed) == done


def test_posts_without_a_token_keep_the_contract_codes(cast, page_login, session):
    """Scripts and older pages send no token: the workflow alone decides, 409 the second time."""
    from conftest import csrf_token

    proposed = make_match(session, cast, "proposed")
    rep = page_login(cast.rep)
    data = {"csrf_token": csrf_token(rep), "action": "accept"}
    assert rep.post(f"/matches/{proposed}", data=data).status_code == 303
    assert rep.post(f"/matches/{proposed}", data=data).status_code == 409


def test_a_partnership_action_sent_again_acts_once(cast, page_login, session):
    from csr_hub.services import partnerships

    start = today_bangkok()
    p = partnerships.create(
        session,
        cast.rep,
        {
            "school_id": cast.school.id,
            "starts_on": start,
            "ends_on": start + timedelta(days=700),
            "plan": "ปีละ 10 เครื่อง",
            "yearly_value_thb": Decimal("50000"),
        },
    )
    session.commit()
    pid = p.id
    director = page_login(cast.director)
    page = f"/partnerships/{pid}"
    shown = text(director.get(page))
    decline = the_form(shown, "form-decline")
    # a decline without a reason: 422 on the page, the error above the box, the summary linked to it
    r = director.post(f"{page}/actions?lang=en", data={**decline, "note": "  "})
    assert r.status_code == 422
    refused = text(r)
    assert 'href="#note-decline"' in refused.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert refused.index('id="note-decline-error"') < refused.index('id="note-decline"')
    accept = the_form(shown, "form-accept")
    assert director.post(f"{page}/actions", data=accept).status_code == 303
    session.rollback()
    history = len(session.get(Partnership, pid).history)
    before = snapshot(session)
    r = director.post(f"{page}/actions", data=accept)
    assert r.status_code == 303 and r.headers["Location"].endswith(page)
    assert snapshot(session) == before
    session.rollback()
    assert (
        session.get(Partnership, pid).status == "active"
        and len(session.get(Partnership, pid).history) == history
    )
