"""The allied supply page in a real browser: it loads with no error, request failure or
off-site request; the club's figures are the API's; charts and the plant map are drawn."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Page

from derisk.web.render import num
from tests.browser_fixtures import Watch
from tests.test_web_browser import series_points, shot, visit

PARAMS = {
    "chain": "rare-earths:magnets",
    "club": "USA,KOR,JPN,EU27",
    "demand": "USA=10000,KOR=5000,JPN=15000,EU27=20000",
    "world_demand": "300000",
    "exclude_pfe": "true",
    "years": "2025-2030",
}


def api(site: str, path: str) -> Any:
    r = httpx.get(site + path, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


def test_allied_form_then_answer_matches_the_api(page: tuple[Page, Watch], site: str) -> None:
    pg, watch = page
    visit(pg, "/allied")
    assert pg.locator("#allied-empty").is_visible()
    assert pg.locator('header nav a[href="/allied"]').inner_text() == "Allied supply"
    visit(pg, "/allied?" + urlencode(PARAMS))
    href = pg.locator("#api-link").get_attribute("href")
    assert href is not None
    res = api(site, href)
    first, last = res["by_year"][0], res["by_year"][-1]
    rows = pg.locator("#years-table tbody tr")
    assert rows.count() == 6
    cells = rows.nth(5).locator("td")
    assert cells.nth(0).inner_text() == str(last["year"])
    assert cells.nth(7).inner_text() == num(last["secured"])
    assert pg.locator("#club-table tbody tr").count() == 4
    assert series_points(pg, "years-chart") == 6
    assert series_points(pg, "plants-map") > 5
    # every plant row links its figure to a source page
    plants = pg.locator("#plants-table tbody tr")
    assert plants.count() == len(res["facilities"])
    assert pg.locator("#plants-table a.src").count() == plants.count()
    assert first["secured"] <= first["club_demand"]
    shot(pg, "allied-magnets-club")
    assert watch.errors == []


def test_allied_missing_demand_is_a_readable_error(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    visit(pg, "/allied?" + urlencode({**PARAMS, "chain": "antimony:refining",
                                      "demand": "USA=5000"}))  # fmt: skip
    assert "no demand figure for EU27" in pg.locator("#allied-error").inner_text()
    assert watch.errors == []
