"""Scenario pages in a real browser: the shock timeline and the re-sourcing plan.

Each page loads with no console error, script error, failed request or request to another
host; choosing a scenario and running a re-sourcing question with the covered nations
excluded work; the figures shown are the API's; screenshots go to ``out/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from derisk.web.render import num
from tests.browser_fixtures import Watch
from tests.test_web_browser import series_points, settle, shot, visit

AS_OF = "2026-06-30"


def api(site: str, path: str) -> Any:
    r = httpx.get(site + path, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def chart_option(pg: Page, chart_id: str) -> Any:
    return pg.evaluate(
        "id => echarts.getInstanceByDom(document.getElementById(id)).getOption()", chart_id
    )


PAGES = [
    ("scenarios", "/scenarios"),
    ("scenario-antimony-us-ban", f"/scenarios/antimony-us-ban?as_of={AS_OF}"),
    ("scenario-rare-earth-licences-lapse", f"/scenarios/rare-earth-licences-lapse?as_of={AS_OF}"),
    ("reroute-form", "/reroute"),
    (
        "reroute-nickel-covered",
        f"/reroute?material=nickel&to=USA&demand=3000000&exclude_group=covered&as_of={AS_OF}",
    ),
    ("reroute-rare-earths", f"/reroute?material=rare-earths&to=USA&demand=20000&as_of={AS_OF}"),
]


@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_cleanly(page: tuple[Page, Watch], name: str, url: str) -> None:
    pg, watch = page
    visit(pg, url)
    assert pg.locator("h1").first.inner_text().strip()
    assert pg.locator('header nav a[href="/scenarios"]').inner_text() == "Scenarios"
    assert pg.locator('header nav a[href="/reroute"]').inner_text() == "Re-sourcing"
    shot(pg, name)
    assert watch.errors == []


def test_choose_a_scenario_and_follow_a_country(page: tuple[Page, Watch], site: str) -> None:
    pg, watch = page
    visit(pg, "/scenarios")
    cards = pg.locator("#scenarios section.scenario-card")
    listed = api(site, "/api/scenarios")["scenarios"]
    assert cards.count() == len(listed) >= 2
    pg.locator('section[data-scenario="antimony-us-ban"] h2 a').click()
    pg.wait_for_url(re.compile(r"/scenarios/antimony-us-ban$"))
    settle(pg)
    # choose the other scenario from the selector
    pg.select_option("#scenario-select", "rare-earth-licences-lapse")
    pg.wait_for_url(re.compile(r"/scenarios/rare-earth-licences-lapse$"))
    settle(pg)
    res = api(site, "/api/shock/rare-earth-licences-lapse")
    assert pg.locator("h1").inner_text() == res["scenario"]["title"]
    worst = next(s for s in res["summary"] if s["shortfall"] > 0)
    assert pg.locator("#headline .stat b").first.inner_text() == f"{num(worst['shortfall'])} t"
    # the timeline: one bar series per country short, a bar per month, the restriction shaded
    opt = chart_option(pg, "timeline")
    bars = [s for s in opt["series"] if s["type"] == "bar"]
    short = [s for s in res["summary"] if s["shortfall"] > 0]
    assert len(bars) == len(short)
    assert sum(bars[0]["data"]) == pytest.approx(worst["shortfall"], abs=0.01)
    assert len(bars[0]["data"]) == res["scenario"]["months"]
    shaded = bars[0]["markArea"]["data"]
    assert [a[0]["xAxis"] for a in shaded] == [r["start"] for r in res["restrictions"]]
    # the focused node's stack adds up to its demand every month
    bal = chart_option(pg, "balance")
    stacked = [s["data"] for s in bal["series"] if s.get("stack") == "use"]
    rows = [m for m in res["months"] if (m["stage"], m["country"]) == ("separation", "USA")]
    assert len(rows) == res["scenario"]["months"]
    for t, m in enumerate(rows):
        assert sum(s[t] for s in stacked) == pytest.approx(m["demand"], abs=0.01)
    # "show" on another row follows that country
    other = pg.locator("#summary tr", has_text="rest of the world").locator("button.show")
    other.click()
    assert pg.locator("#node-select").input_value() == "separation|ROW"
    assert "rest of the world" in pg.locator("#focus-label").inner_text()
    # assumptions are shown, the illustrative ones marked
    assert pg.locator("#assumptions li.illustrative .tag").count() >= 1
    shot(pg, "interaction-scenario-rare-earths")
    assert watch.errors == []


def test_restriction_fact_links_open_the_fact(page: tuple[Page, Watch]) -> None:
    """Export-restriction facts are found by id (every fact table is searched)."""
    pg, watch = page
    visit(pg, f"/scenarios/antimony-us-ban?as_of={AS_OF}")
    link = pg.locator("#restrictions a.src", has_text="100%").first
    assert link.get_attribute("href") == "/sources/mofcom-2024-46%3Aantimony%3Arefining"
    link.click()
    pg.wait_for_url(re.compile(r"/sources/mofcom-2024-46%3Aantimony%3Arefining$"))
    assert pg.locator("h1").inner_text().startswith("Fact")
    assert "export_restriction" in pg.locator("main").inner_text()
    assert watch.errors == []


def test_run_a_reroute_without_the_covered_nations(page: tuple[Page, Watch], site: str) -> None:
    pg, watch = page
    visit(pg, "/reroute")
    assert pg.locator("#examples").count() == 1
    # a material brings its own stages into the stage selector
    pg.select_option("#material-select", "nickel")
    stages = pg.locator("#stage-select option").all_inner_texts()
    assert stages[0] == "last with capacity" and "Mine production" in " ".join(stages)
    pg.select_option("#material-select", "antimony")
    pg.fill("#to", "USA")
    pg.fill("#demand", "50000")
    pg.select_option("#exclude-group", "covered")
    pg.fill("#as-of", AS_OF)
    pg.click("#run")
    pg.wait_for_url(re.compile(r"/reroute\?material=antimony&to=USA&demand=50000"))
    settle(pg)
    assert "exclude_group=covered" in pg.url and "stage=" not in pg.url
    query = "material=antimony&to=USA&demand=50000&exclude_group=covered"
    res = api(site, f"/api/reroute?{query}&as_of={AS_OF}")
    members = {"CHN", "RUS", "IRN", "PRK"}
    assert set(res["excluded"]["countries"]) == members
    assert pg.locator("#max-supply").inner_text() == num(res["max_supply"])
    assert pg.locator("#unmet").inner_text() == num(res["unmet"])
    assert res["unmet"] == pytest.approx(50000 - res["max_supply"])
    # the plan: no covered country, the unmet demand drawn, deliveries add up
    opt = chart_option(pg, "plan")["series"][0]
    assert not {n.get("country") for n in opt["data"]} - {None} & members
    to_dest = [lk["value"] for lk in opt["links"] if lk["target"] == "destination"]
    assert sum(to_dest) == pytest.approx(50000, rel=1e-6)
    assert any(lk["source"] == "unmet" for lk in opt["links"])
    assert series_points(pg, "capacity") == len(res["stage_summary"])
    # binding constraints with shadow prices; a capacity opens the fact it rests on
    binding = pg.locator("#binding tbody tr")
    assert binding.count() == len(res["binding"]) >= 1
    cap = binding.first.locator("a.src").first
    href = cap.get_attribute("href")
    assert href is not None and href.startswith("/sources/usgs-mcs2026%3Aantimony%3Amining")
    shot(pg, "interaction-reroute-antimony-covered")
    cap.click()
    pg.wait_for_url(re.compile(r"/sources/usgs-mcs2026%3Aantimony"))
    assert pg.locator("h1").inner_text().startswith("Fact")
    assert watch.errors == []


def test_every_capacity_on_the_reroute_page_links_to_a_source(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    visit(pg, f"/reroute?material=nickel&to=USA&demand=3000000&exclude_group=covered&as_of={AS_OF}")
    cells = pg.locator("#stage-table td.r:nth-child(-n+6), #sites tbody td:nth-child(3)")
    checked = 0
    for i in range(cells.count()):
        td = cells.nth(i)
        text = td.text_content() or ""  # the sites table is folded: read it all the same
        if re.search(r"\d", text):
            assert td.locator('a.src[href^="/sources/"]').count() == 1, text
            checked += 1
    assert checked >= 15
    assert watch.errors == []


def test_a_bad_reroute_is_a_readable_error(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    resp = pg.goto("/reroute?material=antimony&to=ZZZ&demand=10")
    assert resp is not None and resp.status == 400
    assert "unknown country" in pg.locator("p.lead").inner_text()
    resp = pg.goto("/scenarios/no-such-scenario")
    assert resp is not None and resp.status == 404
    assert "antimony-us-ban" in pg.locator("p.lead").inner_text()
    # the watcher sees the two error answers (and the browser's console notes of them), only
    http = [e for e in watch.errors if e.startswith("HTTP")]
    assert len(http) == 2 and http[0].startswith("HTTP 400") and http[1].startswith("HTTP 404")
    assert all(e.startswith(("HTTP 4", "console: Failed to load resource")) for e in watch.errors)
