"""The public school and company searches: wildcards are literal, every bad filter is reported at once."""


def test_school_search_treats_wildcards_as_text(client, make_school, session):
    make_school(name_th="โรงเรียนบ้านห้วยทราย", name_en="Ban Huai Sai School")
    make_school(name_th="โรงเรียน 100% วิทยา", name_en="Percent School")
    session.commit()
    r = client.get("/api/v1/schools?q=%25")
    assert r.status_code == 200
    assert [s["name_en"] for s in r.get_json()["items"]] == ["Percent School"]
    r = client.get("/api/v1/schools?q=huai")
    assert [s["name_en"] for s in r.get_json()["items"]] == ["Ban Huai Sai School"]
    r = client.get("/api/v1/schools?q=_")
    assert r.get_json()["total"] == 0


def test_school_filters_report_every_bad_field(client):
    r = client.get("/api/v1/schools?district=nope&province=99&quality_group=x")
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"district", "province", "quality_group"}


def test_company_search_treats_wildcards_as_text(client, make_company, session):
    make_company(name="Siam_Tech")
    make_company(name="SiamXTech")
    session.commit()
    r = client.get("/api/v1/companies?q=m_t")
    assert [c["name"] for c in r.get_json()["items"]] == ["Siam_Tech"]
