"""Limits: every hostile file is refused with a problem naming file and row, in seconds and
bounded memory; chain enumeration is bounded; the server refuses cross-site writes, wrong
content types and login floods; pages escape data and link only http(s); health hides paths;
commands start without the news stack."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from derisk.api import create_app
from derisk.data.csvio import ImportFailed
from derisk.data.importers.baci import import_baci
from derisk.data.importers.bods import import_bods
from derisk.data.importers.comtrade import import_comtrade
from derisk.data.importers.ftm import import_ftm
from derisk.data.loader import import_csv, load_files
from derisk.model.trust import Principal, Role
from derisk.services import trust
from derisk.store import DuckStore
from derisk.store.guard import acting_as
from tests import hostile_fixtures as hf
from tests.ring_fixtures import write_ring
from tests.trust_fixtures import TwoOrgs, build

STATIC = Path(__file__).resolve().parents[1] / "src" / "derisk" / "web" / "static" / "js"
BOB = Principal("bob", Role.ANALYST, "beta", via="api")


@pytest.fixture()
def orgs(tmp_path: Path, built_db: Path) -> TwoOrgs:
    return build(tmp_path / "l.duckdb", built_db, ("beta",))


def _refused(run: Callable[[], Any], match: str) -> tuple[float, float]:
    """Run ``run``, expect ImportFailed matching ``match``; (seconds, the process's peak RSS
    in MiB afterwards: a high-water mark, so it bounds what the refusal used)."""
    t0 = time.perf_counter()
    with pytest.raises(ImportFailed) as err:
        run()
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert re.search(match, str(err.value)), str(err.value)
    assert secs < 5 and peak < 1500, (secs, peak)
    return secs, peak


def test_csv_cells_and_lines(orgs: TwoOrgs, tmp_path: Path) -> None:
    with DuckStore(orgs.path) as store, acting_as(BOB):
        # a 200 KiB cell used to be a csv.Error (500); it is data
        rep = import_csv(store, "sources", hf.csv_cell(tmp_path, 200 << 10), dataset="beta-supply")
        assert rep.rows == {"source": 1}
        big = hf.csv_cell(tmp_path, 2 * hf.MIB)
        _refused(lambda: import_csv(store, "sources", big, dataset="beta-supply"), r"row 2.*cell")
        line = hf.csv_line(tmp_path, 64 * hf.MIB)
        _refused(lambda: import_csv(store, "sources", line, dataset="beta-supply"), r"line longer")
        assert store.sql("SELECT count(*) FROM source WHERE dataset = 'beta-supply'") == [(2,)]


@pytest.mark.parametrize("depth", [100, 100_000, 1_000_000])
def test_deep_json_is_refused(orgs: TwoOrgs, tmp_path: Path, depth: int) -> None:
    from derisk.services import news

    with DuckStore(orgs.path) as store, acting_as(BOB):
        b = hf.deep_json(tmp_path, depth, "bods")
        _refused(lambda: import_bods(store, b, dataset="beta-bods"), "nested deeper")
        f = hf.deep_json(tmp_path, depth, "ftm")
        _refused(lambda: import_ftm(store, f, dataset="beta-ftm"), "nested deeper")
        n = hf.deep_json(tmp_path, depth, "news")
        _refused(lambda: news.ingest(store, [n]), "nested deeper")


def test_bombs_and_long_lines_in_archives(orgs: TwoOrgs, tmp_path: Path) -> None:
    with DuckStore(orgs.path) as store, acting_as(BOB):
        line = hf.baci_long_line(tmp_path, 64 * hf.MIB)
        _refused(lambda: import_baci(store, [line], dataset="beta-baci"), "line longer|expands")
        bomb = hf.baci_bomb(tmp_path, 128 * hf.MIB)
        _refused(lambda: import_baci(store, [bomb], dataset="beta-baci"), "expands to more")
        gz = hf.comtrade_gzip_bomb(tmp_path, 64 * hf.MIB)
        _refused(lambda: import_comtrade(store, [gz], dataset="beta-ct"), "expands to more")
        # a gzip whose trailer lies about its size is still stopped by the streaming ratio
        lying = tmp_path / "lying.csv.gz"
        data = gz.read_bytes()
        lying.write_bytes(data[:-4] + (1000).to_bytes(4, "little"))
        _refused(lambda: import_comtrade(store, [lying], dataset="beta-ct"), "expands|CRC|ended")


def test_huge_article_is_refused(orgs: TwoOrgs, tmp_path: Path) -> None:
    from derisk.services import news

    page = hf.news_page(tmp_path, 30 * hf.MIB)
    with DuckStore(orgs.path) as store, acting_as(BOB):
        _refused(lambda: news.ingest(store, [page]), "article larger than")


def test_holdings_on_a_ring_are_bounded(orgs: TwoOrgs, tmp_path: Path) -> None:
    with DuckStore(orgs.path) as store:
        trust.set_access(store, "beta-ring", "private", "beta")
        load_files(store, write_ring(tmp_path / "ring", 1500), dataset="beta-ring", replace=False)
    app = create_app(orgs.path, multi_user=True)
    with TestClient(app) as c:
        h = {"Authorization": f"Bearer {orgs.tokens['bev']}"}
        times = []
        for i in range(3):
            t0 = time.perf_counter()
            r = c.get(f"/api/holdings/ring-{i}", headers=h)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["truncated"] is True and body["total_holdings"] == 1499
            assert len(body["holdings"]) <= 500 and len(r.content) < 2 * hf.MIB
            depth = max(len(p["stakes"]) for h_ in body["holdings"] for p in h_["paths"])
            assert depth <= body["limits"]["chain_depth"]
        assert max(times) < 5, times


def test_review_page_with_a_bad_done_parameter(built_db: Path) -> None:
    with TestClient(create_app(built_db)) as c:
        for v in ("x", ".", "a.b", "x.accepted.evil", "<b>.accepted"):
            r = c.get("/review", params={"done": v})
            assert r.status_code == 200, (v, r.status_code)
        assert "<code>&lt;b&gt;</code> accepted" in c.get("/review?done=<b>.accepted").text


@pytest.fixture()
def server(orgs: TwoOrgs) -> Iterator[tuple[TestClient, TwoOrgs]]:
    from derisk.services import news

    with DuckStore(orgs.path) as store:
        news.ingest(store, [Path(__file__).parent / "data/news/pages/catl-kfm-stake.html"])
    app = create_app(orgs.path, multi_user=True, writable=True)
    with TestClient(app, base_url="http://127.0.0.1:18100") as c:
        yield c, orgs


def _signin(c: TestClient, token: str) -> str:
    r = c.post(
        "/login",
        content=f"token={token}",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "origin": "http://127.0.0.1:18100",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = c.get("/review").text
    m = re.search(r"csrf=([0-9a-f]+)", page)
    assert m, "the review form carries the anti-CSRF token"
    return m.group(1)


def test_cross_site_writes_are_refused(server: tuple[TestClient, TwoOrgs]) -> None:
    c, env = server
    token = _signin(c, env.tokens["bob"])  # an analyst signed in with the cookie
    pid = c.get("/api/review").json()["proposals"][0]["proposal_id"]
    form = {"content-type": "application/x-www-form-urlencoded"}
    # a page on another port of the same host (same-site for SameSite=Strict)
    for origin in ("http://127.0.0.1:18199", "http://evil.127.0.0.1:18100", "null"):
        r = c.post(
            f"/review/{pid}/reject?csrf={token}",
            content="reason=x",
            headers={**form, "origin": origin},
            follow_redirects=False,
        )
        assert r.status_code == 403, (origin, r.status_code)
    # same origin but no token (or a wrong one)
    for q in ("", "?csrf=0000"):
        r = c.post(
            f"/review/{pid}/reject{q}",
            content="reason=x",
            headers={**form, "origin": "http://127.0.0.1:18100"},
            follow_redirects=False,
        )
        assert r.status_code == 403
    # a text/plain import with the cookie only (what a cross-site form can send)
    r = c.post(
        "/api/imports/sources?dataset=beta-x",
        content="source_id,publisher,title\nq,P,T\n",
        headers={"content-type": "text/plain"},
    )
    assert r.status_code == 403
    assert c.get("/api/review").json()["proposals"][0]["proposal_id"] == pid  # still pending
    # the page's own form, with its token: accepted
    r = c.post(
        f"/review/{pid}/reject?csrf={token}",
        content="reason=checked",
        headers={**form, "origin": "http://127.0.0.1:18100"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    c.cookies.clear()
    # API clients with a bearer token: JSON endpoints take JSON only, imports CSV only
    bearer = {"Authorization": f"Bearer {env.tokens['bob']}"}
    r = c.post(
        "/api/imports/sources?dataset=beta-x",
        content="source_id,publisher,title\nq,P,T\n",
        headers={**bearer, "content-type": "text/plain"},
    )
    assert r.status_code == 415
    r = c.post(f"/api/review/{pid}/accept", content="set=1", headers={**bearer, **form})
    assert r.status_code == 415


def test_login_is_rate_limited(server: tuple[TestClient, TwoOrgs]) -> None:
    c, _env = server
    codes = []
    for _ in range(12):
        r = c.post(
            "/login",
            content="token=drk_000000000000_" + "x" * 30,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        codes.append(r.status_code)
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    assert int(r.headers["retry-after"]) > 0


def test_health_hides_the_path_from_anonymous_callers(server: tuple[TestClient, TwoOrgs]) -> None:
    c, env = server
    anon = c.get("/api/health").json()
    assert anon["database"] is None and str(env.path) not in c.get("/api/health").text
    root = c.get("/api/health", headers={"Authorization": f"Bearer {env.tokens['root']}"})
    assert root.json()["database"] == str(env.path)


def test_links_from_data_are_http_only(orgs: TwoOrgs, tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text(
        "source_id,publisher,title,url\n"
        "js-link,P,Bad link,javascript:alert(document.cookie)\n"
        "ok-link,P,Good link,https://pubs.usgs.gov/periodicals/mcs2025/\n"
    )
    with DuckStore(orgs.path) as store, acting_as(BOB):
        import_csv(store, "sources", f, dataset="beta-supply")
    app = create_app(orgs.path, multi_user=True)
    with TestClient(app) as c:
        h = {"Authorization": f"Bearer {orgs.tokens['bev']}"}
        bad = c.get("/sources/js-link", headers=h).text
        assert 'href="javascript' not in bad.lower() and "javascript:alert" in bad
        good = c.get("/sources/ok-link", headers=h).text
        assert 'href="https://pubs.usgs.gov/periodicals/mcs2025/"' in good


def _esc_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(r"esc\(", text):
        depth, k = 1, m.end()
        while depth and k < len(text):
            depth += {"(": 1, ")": -1}.get(text[k], 0)
            k += 1
        spans.append((m.start(), k))
    return spans


def test_every_tooltip_escapes_data() -> None:
    """Tooltips are HTML: each formatter passes every value from data through derisk.esc."""
    checked = 0
    for js in STATIC.glob("*.js"):
        text = js.read_text()
        for m in re.finditer(
            r"tooltip: \{[^\n]*formatter: function \(p\) \{(.*?)\} \}", text, re.S
        ):
            for ret in re.findall(r"return ([^;]+);", m.group(1)):
                spans = _esc_spans(ret)
                for v in re.finditer(r"(?<![\w.])(?:p|d|n|r|a|b)\.[\w.]+|cats\[[^\]]+\]\.\w+", ret):
                    if (
                        v.group() in ("p.value", "p.dataType", "p.dataIndex")
                        or ret[max(0, v.start() - 12) : v.start()].endswith(("pct(", "t("))
                        or ret[v.end() : v.end() + 2] == " ?"
                    ):
                        continue
                    inside = any(a <= v.start() < b for a, b in spans)
                    assert inside, (js.name, v.group(), ret)
                    checked += 1
    assert checked >= 20
    common = (STATIC / "common.js").read_text()
    assert "function esc(" in common and "&lt;" in common


def test_commands_start_without_the_news_stack(tmp_path: Path) -> None:
    """`derisk --help` and commands that do not read news work even when the HTML extraction
    stack cannot be imported (as after an install that left out lxml_html_clean)."""
    code = (
        "import sys\n"
        "for m in ('trafilatura', 'justext', 'lxml.html.clean', 'lxml_html_clean'):\n"
        "    sys.modules[m] = None\n"
        "from derisk.cli import main\n"
        "sys.argv = ['derisk'] + sys.argv[1:]\n"
        "main()\n"
    )
    for args in (
        ["--help"],
        ["owners", "--help"],
        ["import", "csv", "--help"],
        ["serve", "--help"],
    ):
        res = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
        )
        assert res.returncode == 0, (args, res.stderr[-2000:])
