"""The report cache's stale window (REPORT_STALE_SECONDS): under a stream of writes a figure is computed at
most once per window, never served older than the window, never to the user who wrote, and off by default."""

from __future__ import annotations

import pytest

from csr_hub.services.reporting.cache import FigureCache

from tests.api.test_needs_api import need_body


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_copy_made_old_by_a_write_is_served_only_within_the_window():
    clock = Clock()
    cache = FigureCache(ttl=60, stale_seconds=10, clock=clock)
    old = cache.key("summary", 1)
    cache.store(old, {"needs_count": 5})
    cache.bump()  # a write
    new = cache.key("summary", 1)
    assert new != old
    assert cache.lookup(new) is None  # exact look-ups never see it
    assert cache.lookup(new, stale_ok=True) == {"needs_count": 5} and cache.stale_hits == 1
    assert cache.lookup(cache.key("summary", 2), stale_ok=True) is None  # other arguments: nothing
    clock.now += 10.5  # the window is measured from when the copy was made
    assert cache.lookup(new, stale_ok=True) is None
    cache.store(new, {"needs_count": 6})
    assert cache.lookup(new) == {"needs_count": 6}


def test_a_mark_of_who_wrote_outlives_other_writes_but_not_its_window():
    clock = Clock()
    cache = FigureCache(ttl=60, stale_seconds=10, clock=clock)
    cache.mark_wrote(7)
    cache.bump()  # someone else's write
    assert cache.wrote_lately(7) and not cache.wrote_lately(8)
    clock.now += 10.5
    assert not cache.wrote_lately(7)


def test_without_a_window_a_write_drops_everything():
    cache = FigureCache(ttl=60)
    k = cache.key("summary")
    cache.store(k, 1)
    cache.bump()
    assert cache.lookup(cache.key("summary"), stale_ok=True) is None
    assert cache._size == 0


def _count(client) -> int:
    r = client.get("/api/v1/reports/summary")
    assert r.status_code == 200
    return r.get_json()["needs_count"]


@pytest.fixture
def app_config():
    return {"REPORT_CACHE_SECONDS": 60, "REPORT_STALE_SECONDS": 30}


def test_in_the_app_a_reader_sees_at_most_the_window_old_and_the_writer_sees_their_write(
    app, api, make_user, make_need
):
    cache = app.extensions["csr_report_cache"]
    clock = Clock()
    cache.clock = clock
    staff = make_user("school_staff")
    make_need(staff)
    reader, writer = app.test_client(), api(staff)
    assert _count(reader) == 1

    make_need(staff)  # committed outside a request (a job, the CLI): nobody is marked
    assert _count(reader) == 1  # within the window: the copy made before the write

    r = writer.post("/api/v1/needs", json=need_body())
    assert r.status_code == 201, r.get_json()
    assert _count(reader) == 1  # others: still within the window
    assert writer.get("/api/v1/reports/summary").get_json()["needs_count"] == 3  # their own write, at once
    assert _count(reader) == 3  # and what the writer had computed is the current copy for everyone
    assert cache.stale_hits == 2

    make_need(staff)
    assert _count(reader) == 3
    clock.now += 31  # past the window: computed afresh, exact
    assert _count(reader) == 4


def test_the_window_is_off_unless_configured(app):
    from csr_hub import config

    assert config.load(app.instance_path, {"SECRET_KEY": "x"})["REPORT_STALE_SECONDS"] == 0
    assert app.extensions["csr_report_cache"].stale_seconds == 30  # this module's setting


def test_a_bad_window_setting_is_a_clear_error(app):
    from csr_hub import config

    with pytest.raises(ValueError):
        config.load(app.instance_path, {"SECRET_KEY": "x", "REPORT_STALE_SECONDS": "soon"})
