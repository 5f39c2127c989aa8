"""Comtrade and BACI files in their published layouts; malformed files change nothing."""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from derisk.data.concordance import read_concordance
from derisk.data.csvio import ImportFailed
from derisk.data.importers.baci import import_baci
from derisk.data.importers.comtrade import import_comtrade
from derisk.data.importers.examples import import_example
from derisk.store import DuckStore

# Comtrade Plus API / web download CSV header (47 columns, as the API returns them)
PLUS_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,"
    "classificationCode,classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,"
    "aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,"
    "qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,"
    "isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
)


def plus_row(
    reporter: tuple[str, str],
    flow: str,
    partner: tuple[str, str],
    cmd: str,
    kg: str,
    usd: str,
    *,
    year: int = 2023,
    mot: str = "0",
    freq: str = "A",
    month: int = 52,
) -> str:
    period = str(year) if freq == "A" else f"{year}{month:02d}"
    flow_desc = {"M": "Import", "X": "Export", "RX": "Re-export", "DX": "Domestic Export"}[flow]
    cells = [
        "C",
        freq,
        f"{period}01" if freq == "M" else f"{year}0101",
        str(year),
        str(month),
        period,
        reporter[0],
        reporter[1],
        "Name",
        flow,
        flow_desc,
        partner[0],
        partner[1],
        "Name",
        "0",
        "W00",
        "World",
        "H6",
        "HS",
        "True",
        cmd,
        "desc",
        "6",
        "True",
        "C00",
        "TOTAL CPC",
        "0",
        mot,
        "TOTAL MOT",
        "8",
        "kg",
        kg,
        "False",
        "-1",
        "N/A",
        "0",
        "False",
        kg,
        "False",
        "0",
        "False",
        usd,
        "",
        usd,
        "0",
        "True",
        "False",
    ]
    assert len(cells) == 47
    return ",".join(cells)


US, CN, BE, KR, WLD, NES = (
    ("842", "USA"),
    ("156", "CHN"),
    ("56", "BEL"),
    ("410", "KOR"),
    ("0", "W00"),
    ("899", "_X"),
)


@pytest.fixture()
def db(fresh_db: Path) -> Iterator[DuckStore]:
    s = DuckStore(fresh_db)
    yield s
    s.close()


def count(store: DuckStore) -> int:
    return int(store.sql("SELECT count(*) FROM trade")[0][0])


def test_comtrade_plus_csv(db: DuckStore, tmp_path: Path) -> None:
    f = tmp_path / "TradeData_1_1_2025.csv"
    f.write_text(
        "\n".join(
            [
                PLUS_HEADER,
                plus_row(US, "M", CN, "282580", "1500000", "9000000"),
                plus_row(US, "M", BE, "282580", "500000", "3500000"),
                plus_row(US, "M", WLD, "282580", "2100000", "13000000"),
                plus_row(US, "M", NES, "282580", "100000", "500000"),
                # a breakdown by mode of transport must not be counted twice
                plus_row(US, "M", CN, "282580", "1000000", "6000000", mot="2100"),
                # domestic exports are a subset of X: skipped
                plus_row(US, "DX", CN, "282580", "10", "10"),
                # outside the concordance: skipped
                plus_row(US, "M", CN, "010121", "10", "10"),
                # aggregate: skipped
                plus_row(US, "M", CN, "TOTAL", "10", "10"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    rep = import_comtrade(db, [f])
    assert rep.rows == 4
    assert rep.skipped == {
        "breakdown row (transport mode, customs procedure or 2nd partner)": 1,
        "flow DX (only M, X, RM, RX are kept)": 1,
        "commodity not in the concordance": 1,
        "aggregate commodity code (TOTAL, AG2, ...)": 1,
    }
    rows = db.sql(
        "SELECT reporter, partner, flow, hs_code, year, month, quantity_kg, value_usd, "
        "material_id, stage_id FROM trade ORDER BY partner"
    )
    assert rows == [
        ("USA", "BEL", "import", "282580", 2023, None, 500000.0, 3500000.0, "antimony", "oxide"),
        ("USA", "CHN", "import", "282580", 2023, None, 1500000.0, 9000000.0, "antimony", "oxide"),
        ("USA", "OTH", "import", "282580", 2023, None, 100000.0, 500000.0, "antimony", "oxide"),
        ("USA", "WLD", "import", "282580", 2023, None, 2100000.0, 13000000.0, "antimony", "oxide"),
    ]
    src = db.sql("SELECT publisher FROM source WHERE source_id = ?", [rep.source_id])
    assert src and "Comtrade" in src[0][0]


def test_comtrade_bulk_tsv_gz_monthly(db: DuckStore, tmp_path: Path) -> None:
    # bulk files: tab-separated, gzipped, codes only (no ISO or description columns)
    header = (
        "typeCode\tfreqCode\trefPeriodId\trefYear\trefMonth\tperiod\treporterCode\tflowCode\t"
        "partnerCode\tpartner2Code\tclassificationCode\tclassificationSearchCode\t"
        "isOriginalClassification\tcmdCode\taggrLevel\tisLeaf\tcustomsCode\tmosCode\tmotCode\t"
        "qtyUnitCode\tqty\tisQtyEstimated\taltQtyUnitCode\taltQty\tisAltQtyEstimated\tnetWgt\t"
        "isNetWgtEstimated\tgrossWgt\tisGrossWgtEstimated\tcifvalue\tfobvalue\tprimaryValue\t"
        "legacyEstimationFlag\tisReported\tisAggregate"
    )
    lines = [header]
    for month, kg in ((1, 1000), (2, 2000)):
        lines.append(
            "\t".join(
                [
                    "C",
                    "M",
                    f"2024{month:02d}01",
                    "2024",
                    str(month),
                    f"2024{month:02d}",
                    "156",
                    "X",
                    "410",
                    "0",
                    "H6",
                    "HS",
                    "True",
                    "250410",
                    "6",
                    "True",
                    "C00",
                    "0",
                    "0",
                    "8",
                    str(kg),
                    "False",
                    "-1",
                    "0",
                    "False",
                    str(kg),
                    "False",
                    "0",
                    "False",
                    "0",
                    str(kg * 3),
                    str(kg * 3),
                    "0",
                    "True",
                    "False",
                ]
            )
        )
    f = tmp_path / "COMTRADE-FINAL-CM156202401H6.txt.gz"
    with gzip.open(f, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    rep = import_comtrade(db, [f])
    assert rep.rows == 2 and rep.flows == {"export": 2}
    got = db.sql("SELECT month, quantity_kg, value_usd FROM trade ORDER BY month")
    assert got == [(1, 1000.0, 3000.0), (2, 2000.0, 6000.0)]


def test_comtrade_legacy_layout(db: DuckStore, tmp_path: Path) -> None:
    header = (
        "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,"
        "Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,"
        "2nd Partner Code,2nd Partner,2nd Partner ISO,Customs Proc. Code,Customs,"
        "Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,Qty Unit,"
        "Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),"
        "Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag"
    )
    row = (
        "H5,2019,2019,2019,6,1,1,Import,410,Rep. of Korea,KOR,156,China,CHN,,,,,,,,380110,"
        '"Graphite; artificial",8,Weight in kilograms,5000,,,,5000,,12000,,,0'
    )
    reexp = row.replace(",1,Import,", ",3,Re-Export,")
    f = tmp_path / "comtrade.csv"
    f.write_text(header + "\n" + row + "\n" + reexp + "\n", encoding="utf-8")
    rep = import_comtrade(db, [f])
    assert rep.flows == {"import": 1, "re-export": 1}
    assert db.sql("SELECT reporter, partner, quantity_kg FROM trade WHERE flow = 'import'") == [
        ("KOR", "CHN", 5000.0)
    ]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ("a,b,c\n1,2,3\n", "-", "not a UN Comtrade file"),
        (
            PLUS_HEADER + "\n" + plus_row(US, "M", CN, "282580", "12x", "1") + "\n",
            "netWgt",
            "not a valid quantity",
        ),
        (
            PLUS_HEADER + "\n" + plus_row(US, "M", ("12345", "ZZZ"), "282580", "1", "1") + "\n",
            "partnerCode",
            "unknown country",
        ),
        (
            PLUS_HEADER
            + "\n"
            + plus_row(US, "M", CN, "282580", "1", "1")
            + "\n"
            + plus_row(US, "M", CN, "282580", "2", "2")
            + "\n",
            "-",
            "duplicate flow",
        ),
        (PLUS_HEADER + "\n" + "C,A,2023\n", "-", "cells, header has 47"),
    ],
)
def test_comtrade_malformed_fails_cleanly(
    db: DuckStore, tmp_path: Path, body: str, field: str, message: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(PLUS_HEADER + "\n" + plus_row(US, "M", BE, "282580", "1", "1") + "\n")
    import_comtrade(db, [good])
    before = count(db), db.sql("SELECT count(*) FROM source")[0][0]
    bad = tmp_path / "bad.csv"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        import_comtrade(db, [good, bad], source_id="mixed")
    p = err.value.problems[0]
    assert p.file == "bad.csv" and p.field == field and message in p.message
    assert p.row in (1, 2, 3)
    assert (count(db), db.sql("SELECT count(*) FROM source")[0][0]) == before


def _baci_zip(path: Path, rows: list[str], codes: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "country_codes_V202401.csv",
            "country_code,country_name,country_iso2,country_iso3\n" + "\n".join(codes),
        )
        zf.writestr("product_codes_HS22_V202401.csv", "code,description\n380110,Graphite\n")
        zf.writestr("BACI_HS22_Y2022_V202401.csv", "t,i,j,k,v,q\n" + "\n".join(rows) + "\n")
    return path


CODES = [
    "156,China,CN,CHN",
    "842,USA,US,USA",
    "56,Belgium,BE,BEL",
    '490,"Other Asia, nes",,S19',
    "410,Rep. of Korea,KR,KOR",
]


def test_baci_archive(db: DuckStore, tmp_path: Path) -> None:
    rows = [
        "2022,156,56,380110,1200.5,3000",
        "2022,56,842,380110,  400.25,  1000",  # BACI pads numbers with spaces
        "2022,156,842,380110,2000,           NA",  # quantity unknown
        "2022,490,410,380110,10,20",  # Other Asia, nes -> Taiwan
        "2022,156,842,10121,5,5",  # product outside the concordance (k without leading 0)
    ]
    rep = import_baci(db, [_baci_zip(tmp_path / "BACI_HS22_V202401.zip", rows, CODES)])
    assert rep.rows == 4 and rep.skipped == {"product not selected": 1}
    got = db.sql(
        "SELECT reporter, partner, flow, quantity_kg, value_usd FROM trade "
        "ORDER BY reporter, partner"
    )
    assert got == [
        ("BEL", "USA", "export", 1_000_000.0, 400_250.0),
        ("CHN", "BEL", "export", 3_000_000.0, 1_200_500.0),
        ("CHN", "USA", "export", None, 2_000_000.0),
        ("TWN", "KOR", "export", 20_000.0, 10_000.0),
    ]


def test_baci_filters_and_plain_file(db: DuckStore, tmp_path: Path) -> None:
    data = tmp_path / "BACI_HS22_Y2022_V202401.csv"
    data.write_text("t,i,j,k,v,q\n2022,156,56,380110,1,1\n2022,56,842,250410,1,1\n")
    codes = tmp_path / "country_codes_V202401.csv"
    codes.write_text("country_code,country_name,country_iso2,country_iso3\n" + "\n".join(CODES))
    rep = import_baci(db, [data], country_codes=codes, products=["2504"], countries=["USA"])
    assert rep.rows == 1 and rep.hs_codes == ["250410"]


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        (["2022,156,56,380110,abc,1"], "v"),
        (["2022,156,56,380110,1"], "-"),
        (["2022,777,56,380110,1,1"], "i/j"),
        (["20x2,156,56,380110,1,1"], "t"),
    ],
)
def test_baci_malformed_fails_cleanly(
    db: DuckStore, tmp_path: Path, rows: list[str], field: str
) -> None:
    before = count(db)
    z = _baci_zip(tmp_path / "b.zip", ["2022,156,842,380110,1,1", *rows], CODES)
    with pytest.raises(ImportFailed) as err:
        import_baci(db, [z])
    assert err.value.problems[0].field == field and err.value.problems[0].row == 3
    assert count(db) == before


def test_baci_wrong_header(db: DuckStore, tmp_path: Path) -> None:
    f = tmp_path / "BACI_HS22_Y2022_V202401.csv"
    f.write_text("year,exporter,importer,product,value,quantity\n2022,156,56,380110,1,1\n")
    with pytest.raises(ImportFailed, match="t,i,j,k,v,q"):
        import_baci(db, [f])


def test_example_china_exports(db: DuckStore) -> None:
    rep = import_example(db, "china-exports")
    assert rep.flows == {"export": rep.rows}
    assert set(rep.hs_codes) == {"250410", "380110", "811292", "group:rare-earths"}
    assert rep.years == list(range(2017, 2025))
    # value and weight as the source file states them: China -> Belgium, HS 250410, 2017-01
    row = db.sql(
        "SELECT value_usd, quantity_kg FROM trade WHERE partner = 'BEL' AND hs_code = '250410' "
        "AND year = 2017 AND month = 1"
    )
    assert row == [(501880.0, 300948.978)]
    # Ga/Ge rows with a value but 0 kg: weight not reported, kept as unknown
    zero = db.sql(
        "SELECT quantity_kg FROM trade WHERE partner = 'BEL' AND hs_code = '811292' "
        "AND year = 2017 AND month = 1"
    )
    assert zero == [(None,)]
    again = import_example(db, "china-exports")  # replaces, does not duplicate
    assert count(db) == again.rows


def test_concordance_file_validation(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text(
        "hs_code,material_id,stage_id,note\n8112x,gallium,refining,\n811292,unobtainium,refining,\n"
    )
    with pytest.raises(ImportFailed) as err:
        read_concordance(f)
    assert [(p.row, p.field) for p in err.value.problems] == [(2, "hs_code"), (3, "material_id")]
