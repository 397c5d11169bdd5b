"""The vocabulary grows from use: unrecognised posts, adding a term (stored, audited, effective at once),
the central officer's page, and ``vocabulary export``."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from csr_hub.domain import vocabulary
from csr_hub.models import AuditEvent, Need, VocabularyTerm
from csr_hub.services import errors, suggestions, vocabulary_terms

from conftest import csrf_token, snapshot

#: a loanword spelling of โน้ตบุ๊ก the package vocabulary does not know (and no fuzzy look-up reaches)
NEW_WORD = "แลปปี้"


@pytest.fixture(autouse=True)
def _package_vocabulary():
    """Terms installed by a test must not leak into the next one (the vocabulary is per process)."""
    yield
    vocabulary.install_extras(())
    vocabulary_terms._forget_analyses()


def test_an_added_term_is_stored_audited_and_used_at_once(session, make_user, make_need, make_offer):
    officer = make_user("central_officer")
    staff = make_user("school_staff")
    need = make_need(staff, title=f"{NEW_WORD} 10 เครื่อง", description="สำหรับนักเรียนชั้น ป.6")
    assert need.item_kinds == ""
    page = vocabulary_terms.unrecognised(session, "needs", 1, 20)
    assert [n.id for n in page.items] == [need.id]
    laptops = make_offer(make_user("company_rep"))
    before = [s.parts["item"].score for _, s in suggestions.for_need(session, need)]

    row = vocabulary_terms.add_term(session, officer, {"item_code": "laptop", "term": NEW_WORD}, ip="1.2.3.4")
    session.commit()
    assert (row.item_code, row.kind, row.term) == ("laptop", "th", NEW_WORD)
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "vocabulary.add_term"))
    assert event.actor_id == officer.id and event.details["term"] == NEW_WORD and event.object_id == row.id
    session.refresh(need)
    assert need.item_kinds == "laptop"  # the unrecognised post was analysed again
    assert vocabulary_terms.unrecognised(session, "needs", 1, 20).total == 0
    ranked = suggestions.for_need(session, need)
    assert ranked[0][0].id == laptops.id and ranked[0][1].parts["item"].score == 100.0 > max(
        before, default=0
    )
    assert vocabulary.detect_items(f"ขอ{NEW_WORD}") == {"laptop"}  # new analysis too


def test_bad_terms_are_refused_and_change_nothing(session, make_user):
    officer = make_user("central_officer")
    staff = make_user("school_staff")
    before = snapshot(session)
    for body, field in (
        ({"item_code": "no_such_item", "term": NEW_WORD}, "item_code"),
        ({"item_code": "laptop", "term": "x"}, "term"),
        ({"item_code": "laptop", "term": "ก" * 101}, "term"),
        ({"item_code": "laptop", "term": 5}, "term"),
        ({"item_code": "laptop", "term": NEW_WORD, "kind": "weak"}, "kind"),
        ({"item_code": "laptop", "term": "projector"}, "term"),  # already another item's
    ):
        with pytest.raises(errors.ValidationFailed) as exc:
            vocabulary_terms.add_term(session, officer, body)
        assert field in exc.value.fields, body
        session.rollback()
    with pytest.raises(errors.Conflict):
        vocabulary_terms.add_term(session, officer, {"item_code": "laptop", "term": "notebook computer"})
    session.rollback()
    with pytest.raises(errors.Forbidden):
        vocabulary_terms.add_term(session, staff, {"item_code": "laptop", "term": NEW_WORD})
    session.rollback()
    assert snapshot(session) == before
    assert vocabulary.extras() == ()


def test_the_page_is_for_central_officers_and_adds_a_term(
    app, session, client, make_user, make_need, page_login
):
    officer = make_user("central_officer")
    staff = make_user("school_staff")
    need = make_need(staff, title=f"{NEW_WORD} 10 เครื่อง", description="")
    assert client.get("/vocabulary/").status_code == 302  # anonymous → login
    assert page_login(staff).get("/vocabulary/").status_code == 403
    c = page_login(officer)
    r = c.get("/vocabulary/")
    assert r.status_code == 200 and NEW_WORD in r.get_data(as_text=True)
    dash = c.get("/dashboard").get_data(as_text=True)
    assert 'id="vocabulary-link"' in dash and "/vocabulary/" in dash
    token = csrf_token(c)
    bad = c.post("/vocabulary/terms", data={"item_code": "laptop", "term": "x", "csrf_token": token})
    assert (
        bad.status_code == 422 and session.scalar(sa.select(sa.func.count()).select_from(VocabularyTerm)) == 0
    )
    r = c.post("/vocabulary/terms", data={"item_code": "laptop", "term": NEW_WORD, "csrf_token": token})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Need, need.id).item_kinds == "laptop"
    assert (
        NEW_WORD
        not in c.get("/vocabulary/").get_data(as_text=True).split('id="h-offers"')[0].split('id="h-needs"')[1]
    )


def test_vocabulary_export_merges_the_added_terms(session, runner, make_user, tmp_path):
    officer = make_user("central_officer")
    vocabulary_terms.add_term(
        session, officer, {"item_code": "laptop", "term": NEW_WORD, "kind": "loanwords"}
    )
    session.commit()
    out = tmp_path / "vocabulary.json"
    r = runner.invoke(args=["vocabulary", "export", "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    laptop = next(it for it in data["items"] if it["code"] == "laptop")
    assert NEW_WORD in laptop["loanwords"]
    assert len(data["items"]) == len(vocabulary.base_data()["items"])
    assert NEW_WORD not in json.dumps(
        vocabulary.base_data(), ensure_ascii=False
    )  # the package file as shipped
