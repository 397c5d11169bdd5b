import time, cProfile, pstats
from sec_helpers import fast_hashing, build_tenant  # noqa

def test_world(app, session, make_school, make_company, make_user, make_need, make_offer):
    central = make_user("central_officer")
    build_tenant(session, make_school, make_company, make_user, make_need, make_offer, "p50-2", "50", ("proposed",), 500000.0, central)
    t=time.time()
    pr = cProfile.Profile(); pr.enable()
    build_tenant(session, make_school, make_company, make_user, make_need, make_offer, "p50-1", "50", ("proposed", "pledged", "approved", "delivered", "completed"), 500000.0, central)
    pr.disable()
    print("tenant", time.time()-t)
    pstats.Stats(pr).sort_stats("cumulative").print_stats(30)
