"""Fuzz targets: every importer, fed a file that is a mutated real example or noise.

A target writes the input to a file with the importer's file name and runs the importer on a
store. The only acceptable outcomes are an import (the input happened to be valid) or a clean
refusal: :class:`~derisk.data.csvio.ImportFailed` naming file, row and field, or a
``ValueError`` with a message (never ``UnicodeDecodeError`` and friends). A refusal must
leave the store exactly as it was. Used by ``tests/test_trust_fuzz.py`` (hypothesis, bounded)
and ``benchmarks/fuzz.py`` (``make fuzz``: hypothesis for longer, atheris coverage-guided).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from derisk.data.csvio import ImportFailed
from derisk.store import DuckStore

HERE = Path(__file__).resolve().parent
RAW = HERE.parent / "data" / "sources"


class Unclean(AssertionError):
    """An importer failed with something other than a clean refusal, or wrote on failure."""


def snapshot(store: DuckStore) -> str:
    """A digest of every table's row count and of the audit log size."""
    st = store.status()
    audit = store.sql("SELECT count(*) FROM audit_log")[0][0]
    return hashlib.sha256(repr((sorted(st.counts.items()), audit)).encode()).hexdigest()


def clean(exc: BaseException) -> bool:
    """Whether ``exc`` is a clean refusal with a message for the user."""
    if isinstance(exc, ImportFailed):
        return bool(exc.problems) and all(p.file and p.message for p in exc.problems)
    return type(exc) is ValueError and bool(str(exc))


@dataclass(frozen=True)
class Target:
    name: str
    file_name: str
    seed: Callable[[], bytes]
    run: Callable[[DuckStore, Path], Any]


def _derisk_csv(kind: str, bundled: str, lines: int = 6) -> Callable[[], bytes]:
    def seed() -> bytes:
        from derisk.data.loader import bundled_dir

        text = (bundled_dir() / bundled).read_text(encoding="utf-8")
        return ("\n".join(text.splitlines()[:lines]) + "\n").encode()

    return seed


def _run_csv(kind: str) -> Callable[[DuckStore, Path], Any]:
    def run(store: DuckStore, path: Path) -> Any:
        from derisk.data.loader import import_csv

        return import_csv(store, kind, path, dataset="fuzz")

    return run


def _usgs_seed() -> bytes:
    path = HERE / "data" / "usgs" / "MCS2026_Commodities_Data.subset.csv"
    return b"".join(path.read_bytes().splitlines(keepends=True)[:25])


def _run_usgs(store: DuckStore, path: Path) -> Any:
    from derisk.data.importers.usgs_mcs import import_usgs_mcs

    return import_usgs_mcs(store, [path], dataset="fuzz")


COMTRADE_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,"
    "classificationCode,classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,"
    "aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,"
    "qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,"
    "isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
)


def _comtrade_row(rep: tuple[str, str], part: tuple[str, str], cmd: str, kg: str, usd: str) -> str:
    cells = {k: "" for k in COMTRADE_HEADER.split(",")}
    cells.update(
        typeCode="C", freqCode="A", refPeriodId="20230101", refYear="2023", refMonth="52",
        period="2023", reporterCode=rep[0], reporterISO=rep[1], reporterDesc="Name",
        flowCode="M", flowDesc="Import", partnerCode=part[0], partnerISO=part[1],
        partnerDesc="Name", partner2Code="0", partner2ISO="W00", partner2Desc="World",
        classificationCode="H6", classificationSearchCode="HS", isOriginalClassification="True",
        cmdCode=cmd, cmdDesc="Product", aggrLevel="6", isLeaf="True", customsCode="C00",
        customsDesc="TOTAL", mosCode="0", motCode="0", motDesc="TOTAL", qtyUnitCode="8",
        qtyUnitAbbr="kg", qty=kg, isQtyEstimated="False", netWgt=kg, primaryValue=usd,
        cifvalue=usd, isReported="True", isAggregate="False", legacyEstimationFlag="0",
    )  # fmt: skip
    return ",".join(cells.values())


def _comtrade_seed() -> bytes:
    rows = [
        COMTRADE_HEADER,
        _comtrade_row(("842", "USA"), ("156", "CHN"), "282580", "1500000", "9000000"),
        _comtrade_row(("842", "USA"), ("56", "BEL"), "282580", "500000", "3500000"),
        _comtrade_row(("842", "USA"), ("0", "W00"), "282580", "2100000", "13000000"),
    ]
    return ("\n".join(rows) + "\n").encode()


def _run_comtrade(store: DuckStore, path: Path) -> Any:
    from derisk.data.importers.comtrade import import_comtrade

    return import_comtrade(store, [path], dataset="fuzz")


BACI_CODES = (
    "country_code,country_name,country_iso2,country_iso3\n"
    "156,China,CN,CHN\n842,USA,US,USA\n56,Belgium,BE,BEL\n410,Rep. of Korea,KR,KOR\n"
)


def _baci_seed() -> bytes:
    return (
        b"t,i,j,k,v,q\n2022,156,56,380110,1200.5,3000\n2022,56,842,380110,  400.25,  1000\n"
        b"2022,156,842,380110,2000,           NA\n"
    )


def _run_baci(store: DuckStore, path: Path) -> Any:
    from derisk.data.importers.baci import import_baci

    codes = path.with_name("country_codes_V202401.csv")
    codes.write_text(BACI_CODES)
    return import_baci(store, [path], country_codes=codes, dataset="fuzz")


def _run_baci_zip(store: DuckStore, path: Path) -> Any:
    """The same data inside a BACI archive: the bytes become the archive's data member."""
    from derisk.data.importers.baci import import_baci

    zpath = path.with_name("BACI_HS22_V202401.zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("country_codes_V202401.csv", BACI_CODES)
        zf.writestr("BACI_HS22_Y2022_V202401.csv", path.read_bytes())
    zpath.write_bytes(buf.getvalue())
    return import_baci(store, [zpath], dataset="fuzz")


def _bods_seed() -> bytes:
    path = RAW / "bods_official_examples" / "bods-package-entity-owning-entity.json"
    if path.exists():
        return path.read_bytes()
    return json.dumps([]).encode()  # pragma: no cover - the raw data is always in the repository


def _run_bods(store: DuckStore, path: Path) -> Any:
    from derisk.data.importers.bods import import_bods

    return import_bods(store, path, dataset="fuzz")


def _ftm_seed() -> bytes:
    records = [
        {"id": "gov-x", "schema": "PublicBody",
         "properties": {"name": ["Ministry X"], "jurisdiction": ["cn"]}},
        {"id": "hold", "schema": "Company",
         "properties": {"name": ["Hold Ltd"], "jurisdiction": ["gb"]}},
        {"id": "o1", "schema": "Ownership",
         "properties": {"owner": ["gov-x"], "asset": ["hold"], "percentage": ["60"],
                        "startDate": ["2020-01-01"]}},
    ]  # fmt: skip
    return ("\n".join(json.dumps(r) for r in records) + "\n").encode()


def _run_ftm(store: DuckStore, path: Path) -> Any:
    from derisk.data.importers.ftm import import_ftm

    return import_ftm(store, path, dataset="fuzz")


def _news_seed() -> bytes:
    return (HERE / "data" / "news" / "pages" / "mp-dod-stake.html").read_bytes()


def _run_news(store: DuckStore, path: Path) -> Any:
    from derisk.services.news import ingest

    return ingest(store, [path])


def _news_feed_seed() -> bytes:
    return b"".join((HERE / "data" / "news" / "feed.jsonl").read_bytes().splitlines(True)[:2])


def _comext_seed() -> bytes:
    return (HERE / "data" / "comext" / "full_202401.dat").read_bytes()


def _run_comext(store: DuckStore, path: Path) -> Any:
    from derisk.data.importers.comext import import_comext

    return import_comext(store, [path], source_id="fuzz")


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("csv-production", "production.csv", _derisk_csv("production", "production.csv"),
               _run_csv("production")),
        Target("csv-stakes", "stakes.csv", _derisk_csv("stakes", "stakes.csv"),
               _run_csv("stakes")),
        Target("csv-sources", "sources.csv", _derisk_csv("sources", "sources.csv", 3),
               _run_csv("sources")),
        Target("csv-import-sources", "import_sources.csv",
               _derisk_csv("import_sources", "import_sources.csv"), _run_csv("import_sources")),
        Target("usgs-mcs", "MCS2026_Commodities_Data.csv", _usgs_seed, _run_usgs),
        Target("comtrade", "TradeData_1_1_2025.csv", _comtrade_seed, _run_comtrade),
        Target("baci", "BACI_HS22_Y2022_V202401.csv", _baci_seed, _run_baci),
        Target("baci-zip", "BACI_HS22_Y2022_V202401.csv", _baci_seed, _run_baci_zip),
        Target("comext", "full_202401.dat", _comext_seed, _run_comext),
        Target("bods", "bods.json", _bods_seed, _run_bods),
        Target("ftm", "entities.ftm.json", _ftm_seed, _run_ftm),
        Target("news-html", "article.html", _news_seed, _run_news),
        Target("news-feed", "feed.jsonl", _news_feed_seed, _run_news),
    )
}  # fmt: skip


def check(target: Target, store: DuckStore, folder: Path, data: bytes) -> str:
    """Run ``target`` on ``data``; raise :class:`Unclean` on an unclean outcome. Returns
    ``"imported"`` or ``"refused"``."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    path = folder / target.file_name
    path.write_bytes(data)
    before = snapshot(store)
    try:
        target.run(store, path)
    except Exception as exc:
        if not clean(exc):
            raise Unclean(f"{target.name}: {type(exc).__name__}: {exc}") from exc
        if snapshot(store) != before:
            raise Unclean(f"{target.name}: refused but the store changed") from exc
        return "refused"
    return "imported"
