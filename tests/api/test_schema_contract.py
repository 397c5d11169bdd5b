"""One schema per resource: the keys an answer has, the OpenAPI component that documents it and the SPEC's
field list ("Contract details") are the same set, so a field added to a schema shows in both or in neither."""

from __future__ import annotations

import pytest

from csr_hub.services import validation

SPEC = {
    "Province": "code name_th name_en region latitude longitude",
    "District": "id code name_th name_en kind province_code province_codes",
    "School": "id code name_th name_en district_code province_code quality_group pupils teachers",
    "Company": "id name tax_id province_code verified",
    "User": "id email full_name role status school_id company_id district_code",
    "Need": "id school_id school_code district_code province_code category title description quantity unit "
    "estimated_cost_thb budget_thb needed_by urgency status remaining_quantity possible_duplicates review_due "
    "created_at updated_at",
    "Offer": "id company_id category title description quantity unit value_thb provinces available_until status "
    "remaining_quantity created_at updated_at",
    "Match": "id need_id offer_id quantity value_thb status proposed_by proposed_by_user_id score parts "
    "received_quantity due_on escalated_at created_at updated_at history",
    "Transition": "action from_status to_status actor_id at note",
    "Notification": "id kind match_id need_id offer_id partnership_id message read created_at",
}


@pytest.fixture
def answers(client, api, make_user, make_need, make_offer):
    staff, rep = make_user("school_staff"), make_user("company_rep")
    need, offer = make_need(staff), make_offer(rep)
    s = api(staff)
    match = s.post(
        "/api/v1/matches", json={"need_id": need.id, "offer_id": offer.id, "quantity": 1}
    ).get_json()
    notes = api(rep).get("/api/v1/notifications").get_json()["items"]
    return {
        "Province": client.get("/api/v1/provinces").get_json()["items"][0],
        "District": client.get("/api/v1/districts").get_json()["items"][0],
        "School": client.get(f"/api/v1/schools/{staff.school_id}").get_json(),
        "Company": client.get("/api/v1/companies").get_json()["items"][0],
        "User": s.get("/api/v1/auth/me").get_json(),
        "Need": client.get(f"/api/v1/needs/{need.id}").get_json(),
        "Offer": client.get(f"/api/v1/offers/{offer.id}").get_json(),
        "Match": match,
        "Transition": match["history"][0],
        "Notification": notes[0],
    }


def test_answers_the_document_and_the_spec_name_the_same_fields(client, answers):
    doc = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name, fields in SPEC.items():
        spec = set(fields.split())
        assert set(answers[name]) == spec, name
        assert set(doc[name]["properties"]) == spec, name


def test_the_documented_input_limits_are_the_validation_rules(client):
    doc = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    need = doc["NeedInput"]
    assert need["properties"]["title"]["maxLength"] == validation.TITLE_MAX
    assert need["properties"]["quantity"]["maximum"] == validation.MAX_QUANTITY
    assert need["properties"]["estimated_cost_thb"]["maximum"] == int(validation.MAX_MONEY)
    assert set(need["required"]) == {"category", "title", "quantity", "estimated_cost_thb"}
    assert "budget_thb" not in need["properties"]  # only a PATCH by the ESA's director or a central officer
    assert "required" not in doc["NeedUpdate"] and "budget_thb" in doc["NeedUpdate"]["properties"]
    assert "required" not in doc["OfferUpdate"] and set(doc["OfferInput"]["required"]) == {
        "category",
        "title",
        "quantity",
        "value_thb",
    }


def test_a_patch_null_refuses_what_a_create_defaults():
    """``urgency`` left out or null on a new need is ``normal``; null on an edit is refused, as before."""
    base = {"category": "devices", "title": "t", "quantity": 1, "estimated_cost_thb": 1}
    assert validation.need_input({**base, "urgency": None})["urgency"] == "normal"
    with pytest.raises(validation.ValidationFailed) as exc:
        validation.need_changes({"urgency": None}, content=True, budget=False)
    assert list(exc.value.fields) == ["urgency"]
    assert validation.need_changes({"budget_thb": "5", "title": "x"}, content=False, budget=True) == {
        "budget_thb": 5
    }
