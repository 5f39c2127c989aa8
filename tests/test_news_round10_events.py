"""Round 10 probes of restrictions, facilities and first exports: short wire-style stories
we wrote ourselves from the way news is commonly written (datelines, a quote, background
first and the key detail in the second sentence, "the ministry"/"Beijing"/"the miner" as a
later subject, tickers in brackets, unknown names with a descriptor, weekdays, "last month",
windows "for six months"/"until ..."). No sentence comes from an article. Each positive
probe lists the events it must give (a past act named in a time clause counts, as in the
corpus labels); each negative must give no event of its type. Written in three waves: the
first before any change, the second after the first fixes (to see whether they carry), the
third rewording each fixed mechanism."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has

PUBLISHED = "2025-06-20"

R = "export_restriction"
F = "facility"
X = "first_export"

# (text, [(type, fields), ...])
POSITIVES: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = [
    # ---------------------------------------------------------------- export restrictions
    (
        "BEIJING (Reuters) - China will restrict exports of two more rare earth processing "
        "technologies from 1 August, the commerce ministry said on Thursday. The ministry "
        "said the measure was needed to protect national security.",
        [(R, {"issuer": "CHN", "action": "imposed"})],
    ),
    (
        "Indonesia has banned the export of bauxite ore with immediate effect, the energy "
        "ministry said. Jakarta wants miners to build smelters at home.",
        [(R, {"issuer": "IDN", "action": "imposed"})],
    ),
    (
        "China's commerce ministry on Tuesday suspended its ban on exports of gallium and "
        "germanium to the United States. The suspension runs until November 2026.",
        [
            (R, {"issuer": "CHN", "action": "suspended", "material": "gallium"}),
            (R, {"issuer": "CHN", "action": "suspended", "material": "germanium"}),
        ],
    ),
    (
        "The Democratic Republic of Congo has extended its suspension of cobalt exports by "
        "three more months, the regulator said late on Saturday.",
        [(R, {"issuer": "COD", "action": "extended", "material": "cobalt"})],
    ),
    (
        "Beijing imposed export controls on antimony last year. On Monday the government "
        "lifted the curbs for shipments bound for the US.",
        [
            (R, {"issuer": "CHN", "action": "imposed", "material": "antimony"}),
            (R, {"issuer": "CHN", "action": "lifted", "material": "antimony"}),
        ],
    ),
    (
        "Zimbabwe will ban exports of lithium concentrates from January 2027, mines minister "
        "Winston Chitando told reporters in Harare on Wednesday.",
        [(R, {"issuer": "ZWE", "action": "imposed", "material": "lithium"})],
    ),
    (
        "China has halted exports of graphite anode technology, according to a notice "
        "published by the commerce ministry on Friday.",
        [(R, {"issuer": "CHN", "action": "imposed", "material": "graphite"})],
    ),
    (
        "Myanmar's military government has suspended the export of rare earths for six "
        "months, traders said. The measure took effect on Monday.",
        [(R, {"issuer": "MMR", "action": "imposed", "material": "rare-earths"})],
    ),
    (
        "China added tungsten, tellurium and bismuth to its export control list on "
        "Tuesday, the commerce ministry said in a statement.",
        [
            (R, {"issuer": "CHN", "action": "imposed", "material": "tungsten"}),
            (R, {"issuer": "CHN", "action": "imposed", "material": "tellurium"}),
            (R, {"issuer": "CHN", "action": "imposed", "material": "bismuth"}),
        ],
    ),
    (
        "The Congolese authorities have replaced their cobalt export ban with a quota "
        "system, the regulator ARECOMS said on Saturday.",
        [
            (R, {"issuer": "COD", "action": "lifted", "material": "cobalt"}),
            (R, {"issuer": "COD", "action": "imposed", "material": "cobalt"}),
        ],
    ),
    (
        "Gabon will prohibit exports of raw manganese ore from 2029, President Brice "
        "Oligui Nguema said in a speech on Thursday.",
        [(R, {"issuer": "GAB", "action": "imposed", "material": "manganese"})],
    ),
    (
        "Beijing has paused its curbs on rare earth magnet exports for 90 days as part of "
        "a trade truce with Washington, officials said.",
        [(R, {"issuer": "CHN", "action": "suspended", "material": "rare-earths"})],
    ),
    (
        "Namibia has banned the export of unprocessed lithium ore. The government said on "
        "Wednesday the ban would help build a local processing industry.",
        [(R, {"issuer": "NAM", "action": "imposed", "material": "lithium"})],
    ),
    (
        "China's commerce ministry said on Sunday it had lifted export restrictions on "
        "gallium and germanium for US buyers, effective immediately.",
        [
            (R, {"issuer": "CHN", "action": "lifted", "material": "gallium"}),
            (R, {"issuer": "CHN", "action": "lifted", "material": "germanium"}),
        ],
    ),
    (
        "Malaysia will bar exports of rare earth raw materials, Prime Minister Anwar "
        "Ibrahim said on Monday, to stop the loss of valuable resources.",
        [(R, {"issuer": "MYS", "action": "imposed", "material": "rare-earths"})],
    ),
    (
        "Congo's cobalt export ban, imposed in February, has been extended until the end "
        "of September, the country's strategic minerals regulator said.",
        [(R, {"issuer": "COD", "action": "extended", "material": "cobalt"})],
    ),
    (
        "Beijing tightened controls on exports of graphite on Friday. From 1 December, "
        "exporters will need a licence to ship high-purity graphite abroad.",
        [(R, {"issuer": "CHN", "action": "imposed", "material": "graphite"})],
    ),
    (
        "China will require licences for exports of some antimony products from "
        "September 15, the commerce ministry said, citing national security.",
        [(R, {"issuer": "CHN", "action": "imposed", "material": "antimony"})],
    ),
    (
        "Indonesia's government has temporarily allowed copper concentrate exports to "
        "resume, lifting a ban for six months while smelters are repaired.",
        [(R, {"issuer": "IDN", "action": "suspended", "material": "copper"})],
    ),
    # ----------------------------------------------------------------------- facilities
    (
        "Australian lithium miner Pilbara Minerals (ASX: PLS) has placed its Ngungaju plant "
        "on care and maintenance. The company blamed weak lithium prices.",
        [(F, {"company": "pilbara-minerals", "action": "closure"})],
    ),
    (
        "Albemarle said on Wednesday it would idle its Kemerton lithium hydroxide plant in "
        "Western Australia. The US company cited a slump in prices.",
        [(F, {"company": "albemarle", "action": "closure"})],
    ),
    (
        "Canadian explorer Northbrook Metals has commissioned its first graphite processing "
        "plant in Quebec, the company said on Monday.",
        [(F, {"company": "Northbrook Metals", "action": "opening", "material": "graphite"})],
    ),
    (
        "ASX-listed Redgum Resources has restarted its Kalgoorlie nickel concentrator after "
        "an 18-month shutdown. The miner said first concentrate was produced on Tuesday.",
        [(F, {"company": "Redgum Resources", "action": "opening", "material": "nickel"})],
    ),
    (
        "Glencore will close its Koniambo nickel operation in New Caledonia. The Swiss "
        "miner said the plant would be put on care and maintenance from next month.",
        [(F, {"company": "glencore", "action": "closure"})],
    ),
    (
        "Lynas Rare Earths has officially opened its heavy rare earths separation plant in "
        "Malaysia, the company said on Friday.",
        [(F, {"company": "lynas-rare-earths", "action": "opening", "material": "rare-earths"})],
    ),
    (
        "Production at the Bisie tin mine has been suspended following an attack nearby, "
        "operator Alphamin Resources said on Thursday.",
        [(F, {"company": "Alphamin Resources", "action": "closure"})],
    ),
    (
        "Tianqi Lithium has started production at its new lithium hydroxide plant in "
        "Sichuan, the Chinese company said in a filing.",
        [(F, {"company": "tianqi-lithium", "action": "opening", "material": "lithium"})],
    ),
    (
        "A cobalt refinery in Ontario began operations this week. Owner Electra Battery "
        "Materials said the plant would produce battery-grade cobalt sulphate.",
        [(F, {"action": "opening", "material": "cobalt"})],
    ),
    (
        "Core Lithium (ASX: CXO) said on Monday it would halt mining at its Finniss project "
        "in the Northern Territory. The miner will keep processing stockpiled ore until "
        "the end of the year.",
        [(F, {"company": "core-lithium", "action": "closure"})],
    ),
    (
        "Korean battery maker Ecopro BM has inaugurated its cathode plant in Debrecen, "
        "Hungary. The factory can make 54,000 tonnes a year.",
        [(F, {"action": "opening"})],
    ),
    (
        "First Quantum's Cobre Panama copper mine has been shut since late 2023. The "
        "company said on Tuesday it had restarted the processing plant to treat stockpiles.",
        [(F, {"company": "first-quantum", "action": "opening"})],
    ),
    (
        "Chinese gallium producer Yunnan Lanping has shut down two production lines for "
        "maintenance, a company official said, declining to give a restart date.",
        [(F, {"action": "closure"})],
    ),
    (
        "South32 (ASX: S32) has mothballed its Cerro Matoso nickel smelter in Colombia. "
        "The miner said about 300 jobs would be cut.",
        [(F, {"company": "south32", "action": "closure"})],
    ),
    (
        "The Mount Holland lithium refinery was commissioned on Wednesday, joint venture "
        "partners SQM and Wesfarmers said.",
        [(F, {"action": "opening"})],
    ),
    (
        "Operations at the Kamoto copper-cobalt mine were halted on Sunday after a fatal "
        "accident, owner Glencore said.",
        [(F, {"company": "glencore", "action": "closure"})],
    ),
    (
        "MP Materials (NYSE: MP) has begun producing rare earth magnets at its Fort Worth "
        "factory in Texas. The carmaker General Motors is its first customer.",
        [(F, {"company": "mp-materials", "action": "opening"})],
    ),
    (
        "Eramet said on Thursday it had resumed operations at its Moanda manganese mine in "
        "Gabon after a two-week suspension caused by protests.",
        [(F, {"company": "eramet", "action": "opening"})],
    ),
    (
        "IGO Ltd will shut its Nova nickel mine in 2026, the Perth-based company told "
        "investors on Tuesday. Reserves are running out.",
        [(F, {"company": "igo", "action": "closure"})],
    ),
    (
        "BHP is suspending its Western Australia Nickel business from October, it said on "
        "Thursday, blaming a glut of Indonesian supply.",
        [(F, {"company": "bhp", "action": "closure"})],
    ),
    # --------------------------------------------------------------------- first exports
    (
        "Kestrel Lithium has shipped its first cargo of spodumene concentrate to China, "
        "the ASX-listed miner said on Monday.",
        [(X, {"exporter": "Kestrel Lithium", "material": "lithium", "destination": "CHN"})],
    ),
    (
        "The first shipment of graphite from the Balama mine left the port of Nacala on "
        "Friday bound for the United States, operator Syrah Resources said.",
        [(X, {"material": "graphite"})],
    ),
    (
        "Zambian copper miner Mwale Copper said its maiden export of copper cathode, bound "
        "for China, had left Dar es Salaam. The company expects to ship monthly.",
        [(X, {"exporter": "Mwale Copper", "material": "copper", "destination": "CHN"})],
    ),
    (
        "Liontown Resources (ASX: LTR) said on Wednesday it had delivered its first "
        "shipment of spodumene to a customer in China.",
        [(X, {"exporter": "Liontown Resources", "material": "lithium", "destination": "CHN"})],
    ),
    (
        "Harbourline Minerals exported its first rare earth concentrate to Japan last "
        "month. The company called it a milestone.",
        [
            (
                X,
                {
                    "exporter": "Harbourline Minerals",
                    "material": "rare-earths",
                    "destination": "JPN",
                },
            )
        ],
    ),
    # ----------------------------------------------------- second wave: other outlets' styles
    (
        "HARARE, June 18 - Zimbabwe's cabinet on Tuesday approved a ban on the export of "
        "raw chrome ore, Information Minister Jenfan Muswere told a post-cabinet briefing.",
        [(R, {"issuer": "ZWE", "action": "imposed", "material": "chromium"})],
    ),
    (
        "China's Ministry of Commerce (MOFCOM) said on Thursday that exports of silver will "
        "be subject to licensing from 1 January. The ministry gave no reason.",
        [(R, {"issuer": "CHN", "action": "imposed", "material": "silver"})],
    ),
    (
        "Beijing curbed shipments of rare earth magnets in April. Last week it lifted the "
        "restrictions for European carmakers.",
        [
            (R, {"issuer": "CHN", "action": "imposed", "material": "rare-earths"}),
            (R, {"issuer": "CHN", "action": "lifted", "material": "rare-earths"}),
        ],
    ),
    (
        "Kinshasa has prolonged its embargo on cobalt shipments for a further three months, "
        "a government statement said on Saturday.",
        [(R, {"issuer": "COD", "action": "extended", "material": "cobalt"})],
    ),
    (
        "The government of Bolivia will stop exports of lithium carbonate until a state "
        "refinery is built, Economy Minister Marcelo Montenegro said.",
        [(R, {"issuer": "BOL", "action": "imposed", "material": "lithium"})],
    ),
    (
        "Vietnam has outlawed the export of rare earth ores under a new minerals law passed "
        "by the National Assembly on Wednesday.",
        [(R, {"issuer": "VNM", "action": "imposed", "material": "rare-earths"})],
    ),
    (
        "China's commerce ministry has put its ban on germanium exports to the US on hold "
        "until November 2026. The ban was announced last December.",
        [(R, {"issuer": "CHN", "action": "suspended", "material": "germanium"})],
    ),
    (
        "Perth-based Ridgeback Lithium has switched on its new spodumene concentrator at "
        "Mount Ida, the company said in a statement to the ASX on Monday.",
        [(F, {"company": "Ridgeback Lithium", "action": "opening", "material": "lithium"})],
    ),
    (
        "The Nkana copper smelter was shut on Friday for three weeks of planned "
        "maintenance, operator Mopani Copper Mines said.",
        [(F, {"company": "Mopani Copper Mines", "action": "closure"})],
    ),
    (
        "A graphite anode plant in Sweden was commissioned last month. Owner Talga Group "
        "said the plant would supply European carmakers.",
        [(F, {"company": "Talga Group", "action": "opening", "material": "graphite"})],
    ),
    (
        "US antimony producer Hartley Antimony has fired up the first furnace at its "
        "smelter in Montana, it said on Tuesday.",
        [(F, {"company": "Hartley Antimony", "action": "opening", "material": "antimony"})],
    ),
    (
        "The Ravensthorpe nickel mine was placed on care and maintenance in May, First "
        "Quantum Minerals said in its quarterly report.",
        [(F, {"company": "First Quantum Minerals", "action": "closure"})],
    ),
    (
        "Indonesian nickel smelter PT Halmahera Jaya has stopped two of its furnaces after "
        "an explosion, the company said on Sunday.",
        [(F, {"company": "PT Halmahera Jaya", "action": "closure", "material": "nickel"})],
    ),
    (
        "Vulcan Energy (ASX: VUL) has produced its first lithium hydroxide at its optimisation "
        "plant in Frankfurt, the company said.",
        [(F, {"action": "opening", "material": "lithium"})],
    ),
    (
        "Sierra Rutile said on Monday it had shipped its first cargo of rutile to Europe "
        "since restarting its Area 1 mine. The company's plant restarted last month.",
        [(F, {"action": "opening"})],
    ),
    (
        "Atlantic Strategic Minerals has loaded its first shipment of cobalt hydroxide "
        "for Finland at the port of Walvis Bay, the Namibian miner said.",
        [
            (
                X,
                {
                    "exporter": "Atlantic Strategic Minerals",
                    "material": "cobalt",
                    "destination": "FIN",
                },
            )
        ],
    ),
    (
        "For the first time, Tanzania-focused Kibo Graphite has exported graphite "
        "concentrate to India, the company told investors on Thursday.",
        [(X, {"exporter": "Kibo Graphite", "material": "graphite", "destination": "IND"})],
    ),
    # ------------------------------------------ third wave: the mechanisms again, reworded
    (
        "A tin smelter in Rwanda was commissioned on Tuesday. Operator Bongani Metals said "
        "the plant would treat 5,000 tonnes of cassiterite a year.",
        [(F, {"company": "Bongani Metals", "action": "opening", "material": "tin"})],
    ),
    (
        "Jakarta has put its ban on bauxite exports on hold until June, the energy "
        "ministry said on Friday.",
        [(R, {"issuer": "IDN", "action": "suspended", "material": "aluminium"})],
    ),
    (
        "Covalent Lithium has powered up its Kwinana lithium hydroxide refinery, the joint "
        "venture said on Wednesday.",
        [(F, {"company": "Covalent Lithium", "action": "opening", "material": "lithium"})],
    ),
    (
        "Zimbabwe on Wednesday banned exports of chrome concentrates with immediate effect.",
        [(R, {"issuer": "ZWE", "action": "imposed", "material": "chromium"})],
    ),
    (
        "The Kakula concentrator was halted on Monday after flooding, owner Kivu Copper "
        "Mining said.",
        [(F, {"company": "Kivu Copper Mining", "action": "closure"})],
    ),
    (
        "Aluminium producer Norvale Metals has stopped one of its potlines at the Tiwai "
        "smelter, the company said on Monday.",
        [(F, {"company": "Norvale Metals", "action": "closure"})],
    ),
    (
        "For the first time, Ontario-based Nordic Cobalt Inc has shipped cobalt sulphate to "
        "South Korea, the company said.",
        [(X, {"exporter": "Nordic Cobalt Inc", "material": "cobalt", "destination": "KOR"})],
    ),
    (
        "Zambia imposed a ban on manganese ore exports in January. On Thursday the mines "
        "ministry suspended the ban for three months.",
        [
            (R, {"issuer": "ZMB", "action": "imposed", "material": "manganese"}),
            (R, {"issuer": "ZMB", "action": "suspended", "material": "manganese"}),
        ],
    ),
    # a past act named in a time clause is still labelled (the corpus convention)
    (
        "Rare earth prices jumped 10% on Monday, two years after China restricted exports "
        "of the metals.",
        [(R, {"issuer": "CHN", "action": "imposed", "material": "rare-earths"})],
    ),
    (
        "Two years after Indonesia banned nickel ore exports, its smelters now supply half "
        "the world's nickel.",
        [(R, {"issuer": "IDN", "action": "imposed", "material": "nickel"})],
    ),
    # ---------- fourth wave: written after the fixes, as a held-out check (6 of 11 missed)
    (
        "LUBUMBASHI, Congo, June 19 (Reuters) - Congo will allow cobalt exports to restart on "
        "Monday under a quota regime, ending an eight-month halt, the mines ministry said.",
        [(R, {"issuer": "COD", "action": "lifted", "material": "cobalt"})],
    ),
    (
        "China's Ministry of Commerce and the General Administration of Customs jointly "
        "announced export controls on some tungsten and molybdenum items on Wednesday.",
        [
            (R, {"issuer": "CHN", "action": "imposed", "material": "tungsten"}),
            (R, {"issuer": "CHN", "action": "imposed", "material": "molybdenum"}),
        ],
    ),
    (
        "Guinea's junta has ordered a halt to bauxite exports by three foreign miners whose "
        "licences were revoked, a government decree showed.",
        [(R, {"issuer": "GIN", "action": "imposed", "material": "aluminium"})],
    ),
    (
        "Beijing on Sunday extended the suspension of its antimony export ban to the United "
        "States by another year.",
        [(R, {"issuer": "CHN", "action": "extended", "material": "antimony"})],
    ),
    (
        "Wolfden Nickel (TSXV: WLF) placed its Sudbury concentrator on standby on Friday, "
        "citing low prices.",
        [(F, {"company": "Wolfden Nickel", "action": "closure"})],
    ),
    (
        "Tesla's lithium refinery in Corpus Christi, Texas, has begun producing battery-grade "
        "lithium hydroxide, the carmaker said.",
        [(F, {"company": "tesla", "action": "opening"})],
    ),
    (
        "Operations at Harmony Antimony's Kadoma smelter resumed on Thursday after a "
        "month-long power outage.",
        [(F, {"company": "Harmony Antimony", "action": "opening"})],
    ),
    (
        "Nickel Industries Ltd said it would shut the oldest of its rotary kiln lines at its "
        "Indonesian complex for good by December.",
        [(F, {"action": "closure"})],
    ),
    (
        "Tanzanian graphite developer Lindi Jumbo made its inaugural shipment of graphite to "
        "Germany on Tuesday, its chief executive said.",
        [(X, {"exporter": "Lindi Jumbo", "material": "graphite", "destination": "DEU"})],
    ),
    (
        "A vessel carrying the first cargo of lithium concentrate from Mali's Goulamina mine "
        "sailed for China on Saturday, owner Ganfeng Lithium said.",
        [(X, {"material": "lithium", "destination": "CHN"})],
    ),
]

# (text, event type that must not appear)
NEGATIVES: list[tuple[str, str]] = [
    (
        "The Philippine government on Monday scrapped a proposed ban on nickel ore exports "
        "after lobbying by miners.",
        R,
    ),
    (
        "China is considering restricting exports of rare earth processing technology, "
        "people familiar with the matter said.",
        R,
    ),
    (
        "Indonesia's government denied on Tuesday that it planned to ban nickel ore exports.",
        R,
    ),
    (
        "Analysts said Beijing could tighten controls on gallium exports if trade talks fail.",
        R,
    ),
    (
        "Zambia and Congo signed a memorandum of understanding on cobalt trade, which "
        "could lead to joint export rules.",
        R,
    ),
    (
        "The ministry said it had no plans to lift the ban on bauxite exports this year.",
        R,
    ),
    (
        "Prices of antimony, which China restricted last year, have tripled since.",
        R,
    ),
    (
        "Pilbara Minerals may place its Ngungaju plant on care and maintenance if prices "
        "fall further, the chief executive said.",
        F,
    ),
    (
        "Albemarle is reviewing whether to idle its Kemerton plant, a spokeswoman said.",
        F,
    ),
    (
        "Glencore denied reports that it would close its Koniambo nickel smelter.",
        F,
    ),
    (
        "Canadian explorer Northbrook Metals plans to commission a graphite plant in "
        "Quebec by 2028, the company said.",
        F,
    ),
    (
        "The Kwinana refinery, which opened in 2022, has struggled to reach its design capacity.",
        F,
    ),
    (
        "Redgum Resources aims to make its first export of nickel concentrate next year.",
        X,
    ),
    (
        "Kestrel Lithium expects its first shipment of spodumene to leave Port Hedland in "
        "the third quarter.",
        X,
    ),
    (
        "Talks on reopening the Cobre Panama mine are continuing, the government said.",
        F,
    ),
    (
        "Beijing has floated a possible ban on exports of lithium battery technology, a "
        "draft list published by the ministry showed.",
        R,
    ),
    (
        "The refinery could restart next year if prices recover, the company said.",
        F,
    ),
    (
        "Congo's regulator is weighing whether to extend the cobalt export ban, two sources said.",
        R,
    ),
    (
        "Shares of Ridgeback Lithium closed 8% higher on Monday.",
        F,
    ),
    (
        "Mali said it would not lift its suspension of lithium exports, rejecting requests "
        "from miners.",
        R,
    ),
    (
        "The government withdrew its planned curbs on cobalt exports after talks with "
        "miners, officials said on Tuesday.",
        R,
    ),
    (
        "Exports from the Kolwezi mine were halted on Monday, Glencore said.",
        F,
    ),
    (
        "Work on the new cathode plant was halted in March, the company said.",
        F,
    ),
    (
        "The Philippines is weighing a ban on raw nickel ore exports within five years, a "
        "senator said.",
        R,
    ),
    (
        "The company plans to reopen the mine in 2027 if financing is secured.",
        F,
    ),
]


KNOWN_MISSES = {
    "BHP is suspending": "a business, not a plant, suspended: no facility noun to anchor it",
    "China's Ministry of Commerce (MOFCOM)": "silver is not a material of the catalogue",
    "Sierra Rutile said": "a restart told in a 'since' clause and by 'The company's plant'",
    "LUBUMBASHI": "'allow exports to restart …, ending an eight-month halt' read as a new halt",
    "Nickel Industries Ltd said": "'shut the oldest of its … lines': object too far for the rule",
    "A vessel carrying": "the exporter only in the trailing attribution, the vessel the subject",
}
"""Probes the reader still misses after round 10 (strict: each fails loudly once fixed)."""


def _params() -> list[Any]:
    out: list[Any] = []
    for text, expected in POSITIVES:
        why = next((r for k, r in KNOWN_MISSES.items() if text.startswith(k)), None)
        marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
        out.append(pytest.param(text, expected, marks=marks))
    return out


@pytest.mark.parametrize(("text", "expected"), _params())
def test_probe_gives_its_events(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    ev = events_of(text, lexicon, PUBLISHED)
    for etype, fields in expected:
        assert has(ev, etype, **fields), (etype, fields, ev)


@pytest.mark.parametrize(("text", "etype"), NEGATIVES)
def test_probe_gives_no_event(text: str, etype: str, lexicon: Lexicon) -> None:
    ev = events_of(text, lexicon, PUBLISHED)
    assert not [e for e in ev if e["type"] == etype], ev
