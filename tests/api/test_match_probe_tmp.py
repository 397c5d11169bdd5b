from conftest import PASSWORD
def test_probe(api, make_user, db_kind):
    if db_kind != "sqlite": return
    c = api(make_user("central_officer"))
    for url in ("/api/v1/matches?need_id=%C2%B2", "/api/v1/reports/summary?company=%C2%B2"):
        r = c.get(url)
        print("PROBE", url, r.status_code)
