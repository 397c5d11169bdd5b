"""The report page keeps its rendered figures per scope and language under the report cache's generation:
a second reader gets the same body without it being rendered again, and a committed write shows at once."""

from __future__ import annotations

import re

import pytest

from test_reports_figures import quick_user, signed_in  # noqa: F401  (quick_user is a fixture)

OWN = "p50-1"


@pytest.fixture
def app_config():
    return {"REPORT_CACHE_SECONDS": 60}


def _needs_count(html: str) -> str:
    """The first figure cell of the summary table (the needs posted), as the page shows it."""
    body = html.split('id="report-title"', 1)[1]
    return re.search(r"<td[^>]*>([^<]*)</td>", body.split("table-summary", 1)[1]).group(1)


def _renders(monkeypatch) -> list[str]:
    """Counts the renders of the report body."""
    from csr_hub.web.reports import routes

    seen: list[str] = []
    real = routes.render_template

    def spy(name, **kw):
        if name == "reports/_body.html":
            seen.append(name)
        return real(name, **kw)

    monkeypatch.setattr(routes, "render_template", spy)
    return seen


def test_the_body_is_rendered_once_per_scope_and_language_and_a_write_shows_at_once(
    app, session, quick_user, make_school, make_need, monkeypatch
):
    central = signed_in(app, quick_user("central_officer"))
    other = signed_in(app, quick_user("central_officer"))
    director = signed_in(app, quick_user("district_director", district_code=OWN))
    staff = quick_user("school_staff", school=make_school())
    make_need(staff)
    renders = _renders(monkeypatch)

    first = central.get("/reports").get_data(as_text=True)
    again = other.get("/reports").get_data(as_text=True)
    assert len(renders) == 1  # the second officer got the kept body
    assert _needs_count(first) == _needs_count(again)
    assert 'name="csrf_token"' not in first.split('id="report-title"', 1)[1].split("report-partnerships")[0]

    director.get("/reports")
    central.get("/reports?lang=en")
    assert len(renders) == 3  # another scope, another language: each its own body

    make_need(staff)  # a committed write moves the generation on
    after = central.get("/reports").get_data(as_text=True)
    assert len(renders) == 4
    assert int(_needs_count(after).replace(",", "")) == int(_needs_count(first).replace(",", "")) + 1
