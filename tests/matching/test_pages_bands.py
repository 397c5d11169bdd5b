"""Need pages lead with strong suggestions, show weak ones only on request, and say plainly when nothing
better than weak exists (promising an alert)."""

from __future__ import annotations


def test_weak_suggestions_only_on_request_and_the_plain_message(client, make_user, make_need, make_offer):
    staff = make_user("school_staff")
    rep = make_user("company_rep")
    weak_only = make_need(staff, title="ซ่อมหลังคาห้องประชุม", category="facilities", quantity=1)
    make_offer(
        rep, title="Painting for school buildings", description="walls and fences", category="facilities"
    )
    page = client.get(f"/needs/{weak_only.id}").get_data(as_text=True)
    assert 'id="only-weak"' in page and 'id="show-weak"' in page
    assert "Painting for school buildings" not in page.split('id="h-sugg"')[1]
    shown = client.get(f"/needs/{weak_only.id}?weak=1").get_data(as_text=True)
    assert "Painting for school buildings" in shown.split('id="h-sugg"')[1] and 'id="hide-weak"' in shown
    assert "band-weak" in shown

    laptops_need = make_need(staff)
    make_offer(rep)  # 50 refurbished laptops: strong
    page = client.get(f"/needs/{laptops_need.id}").get_data(as_text=True)
    assert 'id="only-weak"' not in page
    sugg = page.split('id="h-sugg"')[1]
    assert "50 refurbished laptops" in sugg and "band-strong" in sugg
