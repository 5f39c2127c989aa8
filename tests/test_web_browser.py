"""The web UI in a real browser (Debian's Chromium, headless, driven by Playwright).

Every page loads with no console error, no script error and no failed request (everything is
served locally: the network is never needed); the key interactions work; screenshots of each
page are written to ``out/screenshots/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from derisk.data.importers.examples import import_example
from derisk.data.importers.products import load_example_products
from derisk.services import news
from derisk.store import DuckStore
from tests.browser_fixtures import Watch
from tests.web_server import running_server

ARTICLES = Path(__file__).parent / "data" / "news" / "pages"

SHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"


def visit(pg: Page, url: str) -> None:
    pg.goto(url)
    settle(pg)


def settle(pg: Page) -> None:
    """Wait for the page's load event and for the requests its scripts make after it."""
    pg.wait_for_load_state("load")
    pg.wait_for_function("() => !window.derisk || window.derisk.state.pending === 0")


def shot(pg: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.wait_for_timeout(150)  # let charts finish their first paint
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def series_points(pg: Page, chart_id: str) -> int:
    """Number of data items in the first series of the ECharts chart in ``#chart_id``."""
    n = pg.evaluate(
        """id => {
            const c = echarts.getInstanceByDom(document.getElementById(id));
            if (!c) return -1;
            const s = c.getOption().series[0];
            return (s.data || s.links || []).filter(x => x !== null).length;
        }""",
        chart_id,
    )
    return int(n)


PAGES = [
    ("dashboard", "/"),
    ("material-antimony", "/materials/antimony"),
    ("material-rare-earths", "/materials/rare-earths?stage=magnets"),
    ("material-graphite-covered", "/materials/graphite?group=covered"),
    ("material-cathode-korea", "/materials/cathode?importer=KOR"),
    ("material-lithium-hydroxide-eu", "/materials/lithium?stage=hydroxide&importer=EU27"),
    ("sources", "/sources"),
    ("source-usgs-antimony", "/sources/usgs-mcs2026-antimony"),
    ("fact", "/sources/usgs-mcs2026:antimony:mining:production:CHN:2025"),
    ("api", "/api-docs"),
    ("entities", "/entities"),
    ("entity-china-rare-earth-group", "/entities/china-rare-earth-group"),
    ("entity-mp-materials", "/entities/mp-materials"),
    ("entity-sasac", "/entities/sasac"),
    ("review-empty", "/review"),
    ("products-empty", "/products"),
]


@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_cleanly(page: tuple[Page, Watch], name: str, url: str) -> None:
    pg, watch = page
    visit(pg, url)
    assert pg.locator("h1").first.inner_text().strip()
    shot(pg, name)
    assert watch.errors == []


def test_dashboard_heat_table_and_chart(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    visit(pg, "/")
    cells = pg.locator("#heat td.cell[data-share]")
    assert cells.count() >= 30
    # each cell with data links to its material page and to its source
    for i in range(cells.count()):
        cell = cells.nth(i)
        mat = cell.get_attribute("data-material")
        assert cell.locator(f'a.share[href^="/materials/{mat}"]').count() == 1
        assert cell.locator('a.src[href^="/sources/"]').count() >= 1
    gallium = pg.locator('#heat td[data-material="gallium"][data-stage="refining"] .share')
    assert gallium.inner_text().strip() == "100%"
    # one bar per material with a bottleneck stage, as the JSON API reports them
    overview = pg.request.get("/api/overview?limit=1000").json()
    with_neck = {r["material"] for r in overview["rows"] if r.get("bottleneck")}
    assert len(with_neck) >= 20
    assert series_points(pg, "necks") == len(with_neck)
    assert watch.errors == []


def test_choose_a_cell_then_material_and_stage(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    visit(pg, "/")
    pg.locator('#heat td[data-material="rare-earths"][data-stage="separation"] a.share').click()
    pg.wait_for_url(re.compile(r"/materials/rare-earths\?stage=separation$"))
    assert "Separated oxides" in pg.locator("h1").inner_text()
    pg.select_option("#material-select", "graphite")
    pg.wait_for_url(re.compile(r"/materials/graphite(\?|$)"))
    assert pg.locator("h1").inner_text().startswith("Graphite")
    pg.select_option("#stage-select", "anode")
    pg.wait_for_url(re.compile(r"stage=anode"))
    settle(pg)
    assert "Spherical graphite" in pg.locator("h1").inner_text()
    assert series_points(pg, "map") >= 1
    assert series_points(pg, "sankey") >= 3
    shot(pg, "interaction-graphite-anode")
    assert watch.errors == []


def test_change_as_of_date(page: tuple[Page, Watch]) -> None:
    """Before USGS MCS 2026 was published, antimony mining has no data in the bundled set."""
    pg, watch = page
    visit(pg, "/materials/antimony?stage=refining")
    assert pg.locator("nav.chain .step").first.locator("b").inner_text() != "no data"
    pg.fill("#as-of", "2025-06-01")
    pg.wait_for_url(re.compile(r"as_of=2025-06-01"))
    settle(pg)
    assert "as of 2025-06-01" in pg.locator("p.sub").first.inner_text()
    assert pg.locator("nav.chain .step").first.locator("b").inner_text() == "no data"
    shot(pg, "interaction-as-of")
    assert watch.errors == []


def test_every_number_on_the_material_page_links_to_a_source(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    visit(pg, "/materials/antimony?stage=mining&importer=USA")
    numbers = pg.locator("#shares td.r, #import-table td.r, .keyfigs dd")
    checked = 0
    for i in range(numbers.count()):
        td = numbers.nth(i)
        if re.search(r"\d", td.inner_text()):
            assert td.locator('a.src[href^="/sources/"]').count() >= 1, td.inner_text()
            checked += 1
    assert checked >= 10
    assert series_points(pg, "imports") >= 1
    assert watch.errors == []


def test_open_a_source(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    visit(pg, "/materials/antimony?stage=mining")
    link = pg.locator("#shares a.src").first
    href = link.get_attribute("href")
    assert href == "/sources/usgs-mcs2026-antimony"
    link.click()
    pg.wait_for_url(re.compile(r"/sources/usgs-mcs2026-antimony$"))
    assert "Antimony" in pg.locator("h1").inner_text()
    assert pg.locator("#facts tbody tr").count() >= 10
    assert pg.locator("a.external").get_attribute("href") == (
        "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-antimony.pdf"
    )
    # a fact row opens the fact with its source
    pg.locator("#facts tbody tr a").first.click()
    pg.wait_for_url(re.compile(r"/sources/usgs-mcs2026%3A"))
    assert pg.locator("h1").inner_text().startswith("Fact")
    assert watch.errors == []


def test_select_a_country_group(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    visit(pg, "/")
    pg.select_option("form.selection select[name=group]", "covered")
    pg.wait_for_url(re.compile(r"group=covered"))
    assert "Covered nations" in pg.locator("h1").inner_text()
    # the material links keep the selection
    href = pg.locator('#heat a.share[href*="/materials/antimony"]').first.get_attribute("href")
    assert href is not None and "group=covered" in href
    assert watch.errors == []


def test_unknown_page_is_a_readable_404(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    resp = pg.goto("/materials/unobtainium")
    assert resp is not None and resp.status == 404
    assert "unknown material" in pg.locator("p.lead").inner_text()
    assert any("404" in e for e in watch.errors)  # the watcher does see failures


def test_entity_graph_and_screening(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    visit(pg, "/entities/china-rare-earth-group")
    # SASAC holds 31.21% directly (bundled stake own-116): above FEOC's 25% government test
    row = pg.locator("#owners tbody tr", has_text="SASAC")
    assert "31.21%" in row.inner_text()
    assert row.locator('a.src[href="/sources/own-116"]').count() >= 1
    feoc = pg.locator("#screen-feoc")
    assert feoc.locator("h2 .verdict").inner_text().lower() == "flagged"
    assert series_points(pg, "graph") >= 2
    # clicking a holder opens its page
    pg.locator("#owners a", has_text="SASAC").first.click()
    pg.wait_for_url(re.compile(r"/entities/sasac$"))
    assert "SASAC" in pg.locator("h1").inner_text()
    assert pg.locator("#holdings tbody tr").count() >= 1
    assert watch.errors == []


@pytest.fixture()
def review_site(built_db: Path, tmp_path: Path) -> Iterator[str]:
    """A writable server over a copy of the database with three articles ingested."""
    db = tmp_path / "review.duckdb"
    shutil.copyfile(built_db, db)
    with DuckStore(db) as store:
        pages = ["kz-tmc-stake.html", "china-bans-ga-ge-sb-us.html", "drc-cobalt-suspension.html"]
        news.ingest(store, [ARTICLES / p for p in pages], now="2026-01-01T00:00:00")
    with running_server(db, writable=True) as base:
        yield base


def test_accept_and_reject_news_proposals(browser: Browser, review_site: str) -> None:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=review_site)
    pg = ctx.new_page()
    watch = Watch(review_site)
    watch.attach(pg)
    visit(pg, "/review")
    cards = pg.locator("section.proposal")
    pending = cards.count()
    assert pending >= 3
    shot(pg, "review")
    stake = cards.filter(has_text="tmc-the-metals-company").first
    pid = stake.get_attribute("data-proposal")
    assert pid
    stake.locator("button.accept").click()
    pg.wait_for_url(re.compile(r"/review\?done="))
    assert "accepted" in pg.locator("#flash").inner_text()
    assert pg.locator("section.proposal").count() == pending - 1
    # the accepted stake is now a fact with the article as its source
    pg.locator("#flash a.src").click()
    pg.wait_for_url(re.compile(r"/sources/news-"))
    facts = pg.locator("#facts tbody tr")
    assert facts.count() >= 1 and "stake" in facts.first.inner_text()
    assert "5.0" in pg.locator("#facts").inner_text()
    # reject another, with a reason
    visit(pg, "/review")
    other = pg.locator("section.proposal").first
    other_id = other.get_attribute("data-proposal")
    other.locator("input[name=reason]").fill("duplicate of an official notice")
    other.locator("button.reject").click()
    pg.wait_for_url(re.compile(r"/review\?done="))
    visit(pg, "/review?status=rejected")
    assert pg.locator(f'section.proposal[data-proposal="{other_id}"]').count() == 1
    visit(pg, "/review?status=accepted")
    assert pg.locator(f'section.proposal[data-proposal="{pid}"]').count() == 1
    shot(pg, "review-accepted")
    # the entity page shows the new stake at once (the cache was emptied by the write)
    visit(pg, "/entities/tmc-the-metals-company")
    assert "Korea Zinc" in pg.locator("#owners").inner_text()
    ctx.close()
    assert watch.errors == []


@pytest.fixture(scope="module")
def example_site(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over the bundled data plus the shipped examples: China's exports, products."""
    db = tmp_path_factory.mktemp("examples") / "examples.duckdb"
    shutil.copyfile(built_db, db)
    with DuckStore(db) as store:
        import_example(store, "china-exports")
        load_example_products(store)
    with running_server(db) as base:
        yield base


@pytest.fixture()
def example_page(browser: Browser, example_site: str) -> Iterator[tuple[Page, Watch]]:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=example_site)
    pg = ctx.new_page()
    watch = Watch(example_site)
    watch.attach(pg)
    yield pg, watch
    ctx.close()


def test_exports_over_time_and_origin(example_page: tuple[Page, Watch]) -> None:
    pg, watch = example_page
    visit(pg, "/materials/rare-earths?stage=mining&importer=USA")
    assert pg.locator("#exports .exports-chart").count() >= 1
    assert series_points(pg, "exports-0") == 96  # monthly, 2017-2024
    src = pg.locator("#exports a.src").first.get_attribute("href")
    assert src == "/sources/comtrade-china-exports-qennis"
    shot(pg, "material-rare-earths-trade")
    visit(pg, "/materials/gallium?importer=USA")
    assert "directly" in pg.locator("#importer").inner_text()
    assert watch.errors == []


def test_product_trace_and_certificates(example_page: tuple[Page, Watch]) -> None:
    pg, watch = example_page
    visit(pg, "/products")
    pg.locator("#products a", has_text="oxide separated in China").click()
    pg.wait_for_url(re.compile(r"/products/magnet-jp-cn-oxide"))
    assert series_points(pg, "tree") == 1
    # DFARS 252.225-7052 as amended applies from 2027: separation in China fails it then
    pg.fill("#as-of", "2027-01-01")
    pg.wait_for_url(re.compile(r"as_of=2027-01-01"))
    settle(pg)
    head = pg.locator("#certificate h2").inner_text().lower()
    assert "dfars" in head and "non-compliant" in head
    assert "2027-01-01" in pg.locator("#certificate h2 small").inner_text()
    assert pg.locator("#findings a.src").count() >= 1
    shot(pg, "product-magnet-jp-cn-oxide")
    visit(pg, "/products/cathode-nmc811")
    assert pg.locator("#certificates tbody tr").count() >= 1
    shot(pg, "product-cathode-nmc811")
    assert watch.errors == []
