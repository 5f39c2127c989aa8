"""Round 10: probes of stakes, investments, supply deals, loans and grants, written as news is
written (a wire lead with a dateline, a ticker, an unknown company with its descriptor, the key
detail in the second sentence, "the company" / "the miner" as a later subject, sums in several
currencies, translated contract style), each with the events it states; and negatives (talks,
plans, denials, MoUs, price moves, deals recalled in a background clause) that must give no
event of these types. Every text is ours; none is from an article.

The probes were written before the reader was run on them (docs/news.md, "Round 10: probes of
stakes, investments, supply deals, loans and grants"). Those it still misses are marked xfail
(strict) with the mechanism that fails, so that a fix shows up as an unexpected pass."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has

PUBLISHED = "2025-06-20"
DEALS = ("stake_acquisition", "investment", "offtake", "loan", "grant")


def _probe(pid: str, text: str, expected: list[tuple[str, dict[str, Any]]]) -> Any:
    reason = XFAIL.get(pid)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(text, expected, id=pid, marks=marks)


XFAIL: dict[str, str] = {
    "g_funding_noun_lead": "'is to get C$10 million in federal funding', the grantor given only "
    "as a capital ('Ottawa announced')",
    "i_led_round": "a one-word new investor ('Temasek') is not proposed",
    "o_agreement_covers": "an agreement as the subject ('The supply agreement with Y covers ...') "
    "with the seller only as the reporter",
    "o_market_output": "marketing rights ('will market all X produced by Y') are not read as a "
    "purchase",
    "o_take_entire_output": "the seller is named in the clause before a colon ('X has locked in a "
    "buyer: Y will take ...')",
    "o_under_contract_deliver": "'from 1 January 2026' after the buyer is not read as the deal's "
    "start",
    "s_bought_percent_of_stock": "the owner of 'its stock' is named by 'the company disclosed', "
    "not 'X said'",
    "s_sale_of_stake_to": "a stake sold as a noun without 'in X' ('the sale of a 10% stake to "
    "Y'): the seller is the subject's owner",
    "s_ticker_lead": "a new name without a company word ('Atacama Brine') is not proposed",
}
"""Probes the reader still fails, with the mechanism (left for a later round)."""

POSITIVE = [
    _probe(
        "s_sojitz_takes",
        "Australian lithium developer Bluegum Lithium said on Tuesday that Japanese trading "
        "house Sojitz has taken a 9.9% stake in the company for A$24 million. The investment "
        "gives Sojitz a seat on the board.",
        [
            (
                "stake_acquisition",
                {
                    "acquirer": "sojitz",
                    "target": "Bluegum Lithium",
                    "percent": 9.9,
                    "amount": 24000000,
                    "currency": "AUD",
                },
            )
        ],
    ),
    _probe(
        "s_unit_of_interest",
        "TORONTO, June 18 (Reuters) - Canadian explorer Norvik Resources (TSXV: NVK) said a "
        "unit of Zijin Mining will buy a 15% interest in the company through a private "
        "placement. The miner will spend the C$18.5 million on drilling at its Quebec lithium "
        "property.",
        [
            (
                "stake_acquisition",
                {"acquirer": "zijin-mining", "target": "Norvik Resources", "percent": 15},
            )
        ],
    ),
    _probe(
        "s_per_cent_shareholding",
        "Ganfeng Lithium has agreed to acquire a 30 per cent shareholding in Argentine brine "
        "explorer Salar Verde SA for US$62m, the Chinese company told the Shenzhen exchange on "
        "Monday.",
        [
            (
                "stake_acquisition",
                {
                    "acquirer": "ganfeng-lithium",
                    "target": "Salar Verde SA",
                    "percent": 30,
                    "amount": 62000000,
                    "currency": "USD",
                },
            )
        ],
    ),
    _probe(
        "s_raised_holding",
        "Korea Zinc raised its holding in Australian nickel firm Kestrel Metals to 19.9% from "
        "12%, according to a filing on Thursday.",
        [
            (
                "stake_acquisition",
                {"acquirer": "korea-zinc", "target": "Kestrel Metals", "percent": 19.9},
            )
        ],
    ),
    _probe(
        "s_bought_percent_of_stock",
        "Shares of Redwood Metals jumped 14% after the company disclosed that CATL had bought "
        "8.2 percent of its stock.",
        [("stake_acquisition", {"acquirer": "catl", "target": "Redwood Metals", "percent": 8.2})],
    ),
    _probe(
        "s_pentagon_shareholder",
        "MP Materials said on Thursday the Pentagon will become its largest shareholder with a "
        "15% stake, buying $400 million of preferred stock.",
        [("stake_acquisition", {"acquirer": "us-dod", "target": "mp-materials", "percent": 15})],
    ),
    _probe(
        "s_block_on_market",
        "Swiss commodity trader Aurelia Trading AG has picked up a 5.1% block of ASX-listed "
        "graphite hopeful Kestrel Graphite (ASX:KGR) on market, a substantial holder notice "
        "showed.",
        [
            (
                "stake_acquisition",
                {"acquirer": "Aurelia Trading AG", "target": "Kestrel Graphite", "percent": 5.1},
            )
        ],
    ),
    _probe(
        "s_sale_of_stake_to",
        "Lynas Rare Earths shareholders approved the sale of a 10% stake to Japan Australia "
        "Rare Earths on Friday.",
        [
            (
                "stake_acquisition",
                {
                    "acquirer": "japan-australia-rare-earths",
                    "target": "lynas-rare-earths",
                    "percent": 10,
                },
            )
        ],
    ),
    _probe(
        "s_shares_or_percent",
        "Beijing-based CMOC Group has become a substantial shareholder in Canadian cobalt "
        "refiner Ontaro Cobalt after acquiring 11.4 million shares, or 7.3%, the company said.",
        [
            (
                "stake_acquisition",
                {"acquirer": "cmoc-group", "target": "Ontaro Cobalt", "percent": 7.3},
            )
        ],
    ),
    _probe(
        "s_sold_stake_to",
        "Cathay Fortune has sold a 24% stake in Kalen Copper to Zijin Mining for 3.2 billion "
        "yuan ($445 million).",
        [
            (
                "stake_acquisition",
                {
                    "acquirer": "zijin-mining",
                    "target": "Kalen Copper",
                    "percent": 24,
                    "amount": 3200000000,
                    "currency": "CNY",
                },
            )
        ],
    ),
    _probe(
        "s_subscribe_share_capital",
        "According to the announcement, Shenghe Resources will subscribe for 19.9% of the "
        "enlarged share capital of Peak Rare Earths at A$0.30 per share.",
        [
            (
                "stake_acquisition",
                {"acquirer": "shenghe-resources", "target": "Peak Rare Earths", "percent": 19.9},
            )
        ],
    ),
    _probe(
        "s_ticker_lead",
        "Albemarle Corp (ALB.N) agreed on Wednesday to buy a 49% interest in Chilean lithium "
        "startup Atacama Brine for $210 million, the US company said in a statement.",
        [
            (
                "stake_acquisition",
                {
                    "acquirer": "albemarle",
                    "target": "Atacama Brine",
                    "percent": 49,
                    "amount": 210000000,
                },
            )
        ],
    ),
    _probe(
        "i_secured_from",
        "Lumen Lithium said on Wednesday it had secured a $75 million investment from Orion "
        "Resource Partners to build its lithium refinery in Texas.",
        [
            (
                "investment",
                {
                    "investor": "Orion Resource Partners",
                    "target": "Lumen Lithium",
                    "amount": 75000000,
                    "currency": "USD",
                },
            )
        ],
    ),
    _probe(
        "i_poured_into",
        "BlackRock Fund Advisors has poured €500m into German battery recycler Cyclon GmbH, "
        "the company said.",
        [
            (
                "investment",
                {
                    "investor": "blackrock-fund-advisors",
                    "target": "Cyclon GmbH",
                    "amount": 500000000,
                    "currency": "EUR",
                },
            )
        ],
    ),
    _probe(
        "i_will_invest_in",
        "CATL will invest 1.4 billion yuan in Ningbo Brunp Times New Energy to expand its "
        "nickel sulphate lines, according to a filing late on Friday.",
        [
            (
                "investment",
                {
                    "investor": "catl",
                    "target": "ningbo-brunp-times-new-energy",
                    "amount": 1400000000,
                    "currency": "CNY",
                },
            )
        ],
    ),
    _probe(
        "i_raised_from",
        "Vancouver-based Arctis Minerals raised C$12 million from Young Poong, which bought "
        "the shares at a 15% premium.",
        [
            (
                "investment",
                {
                    "investor": "young-poong",
                    "target": "Arctis Minerals",
                    "amount": 12000000,
                    "currency": "CAD",
                },
            )
        ],
    ),
    _probe(
        "i_led_round",
        "Singapore-based Temasek led a US$40m Series B funding round in cathode startup "
        "Kestrel Materials, the startup said on Tuesday.",
        [
            (
                "investment",
                {
                    "investor": "Temasek",
                    "target": "Kestrel Materials",
                    "amount": 40000000,
                    "currency": "USD",
                },
            )
        ],
    ),
    _probe(
        "i_is_investing",
        "Zijin Mining is investing $380 million in Argentine lithium developer Puna Minerals, "
        "the Chinese miner said on Monday, as part of a push into the lithium triangle.",
        [
            (
                "investment",
                {"investor": "zijin-mining", "target": "Puna Minerals", "amount": 380000000},
            )
        ],
    ),
    _probe(
        "i_cash_injection",
        "Mineral Resources received a A$1.1 billion cash injection from Albemarle, the miner said.",
        [
            (
                "investment",
                {
                    "investor": "albemarle",
                    "target": "mineral-resources",
                    "amount": 1100000000,
                    "currency": "AUD",
                },
            )
        ],
    ),
    _probe(
        "i_landed_funding",
        "US-listed Redwood Metals has landed fresh funding of $25 million from BlackRock Fund "
        "Advisors.",
        [
            (
                "investment",
                {
                    "investor": "blackrock-fund-advisors",
                    "target": "Redwood Metals",
                    "amount": 25000000,
                },
            )
        ],
    ),
    _probe(
        "i_nok_by",
        "Nordic Graphite AS on Friday announced a NOK 300 million investment by Equinor "
        "Ventures, the largest private funding round for a Norwegian minerals company this "
        "year.",
        [
            (
                "investment",
                {
                    "investor": "Equinor Ventures",
                    "target": "Nordic Graphite",
                    "amount": 300000000,
                    "currency": "NOK",
                },
            )
        ],
    ),
    _probe(
        "i_backed_with",
        "Sovereign fund Norvest Capital has backed Heron Lithium Ltd with a A$60 million "
        "equity investment, the Perth company said on Monday. The money will fund a "
        "feasibility study.",
        [
            (
                "investment",
                {
                    "investor": "Norvest Capital",
                    "target": "Heron Lithium Ltd",
                    "amount": 60000000,
                    "currency": "AUD",
                },
            )
        ],
    ),
    _probe(
        "o_binding_supply_to",
        "Bluegum Lithium (ASX: BGL) has signed a binding agreement to supply 60,000 tonnes a "
        "year of spodumene concentrate to Ganfeng Lithium for five years, starting in 2026.",
        [
            (
                "offtake",
                {
                    "supplier": "Bluegum Lithium",
                    "buyer": "ganfeng-lithium",
                    "material": "lithium",
                    "quantity": 60000,
                    "unit": "t/yr",
                    "term": "P5Y",
                },
            )
        ],
    ),
    _probe(
        "o_will_buy_from",
        "Tesla will buy graphite from Kestrel Graphite's Mozambique mine under a three-year "
        "deal, the explorer said on Monday. The carmaker will take 8,000 tonnes of anode "
        "material annually.",
        [
            (
                "offtake",
                {
                    "supplier": "Kestrel Graphite",
                    "buyer": "Tesla",
                    "material": "graphite",
                    "term": "P3Y",
                },
            )
        ],
    ),
    _probe(
        "o_purchase_over_years",
        "CATL has agreed to purchase 25,000 tonnes of nickel sulphate from Indonesian producer "
        "Vesta Nickel over five years.",
        [
            (
                "offtake",
                {
                    "supplier": "Vesta Nickel",
                    "buyer": "catl",
                    "material": "nickel",
                    "quantity": 25000,
                    "term": "P5Y",
                },
            )
        ],
    ),
    _probe(
        "o_under_contract_deliver",
        "Under the contract, Glencore will deliver 6,000 t/y of cobalt hydroxide to Korea Zinc "
        "from 1 January 2026.",
        [
            (
                "offtake",
                {
                    "supplier": "Glencore",
                    "buyer": "korea-zinc",
                    "material": "cobalt",
                    "quantity": 6000,
                    "unit": "t/yr",
                    "start": "2026-01-01",
                },
            )
        ],
    ),
    _probe(
        "o_secured_supply_from",
        "LG Energy Solution has secured lithium supply from Chile's SQM in a deal running "
        "until 2030, the South Korean battery maker said.",
        [("offtake", {"supplier": "sqm", "buyer": "LG Energy Solution", "material": "lithium"})],
    ),
    _probe(
        "o_market_output",
        "Japanese trading house Sojitz will market all heavy rare earths produced by Lynas "
        "Rare Earths in Japan under a new sales agreement.",
        [
            (
                "offtake",
                {"supplier": "lynas-rare-earths", "buyer": "sojitz", "material": "rare-earths"},
            )
        ],
    ),
    _probe(
        "o_inked_pact",
        "MP Materials inked a 10-year supply pact with General Motors for rare earth magnets, "
        "the Las Vegas-based company said.",
        [
            (
                "offtake",
                {
                    "supplier": "mp-materials",
                    "buyer": "General Motors",
                    "material": "rare-earths",
                    "term": "P10Y",
                },
            )
        ],
    ),
    _probe(
        "o_take_entire_output",
        "Redwood Metals has locked in a buyer for its first cobalt: Belgian refiner Umicore "
        "will take the entire output of the Idaho project for four years.",
        [
            (
                "offtake",
                {
                    "supplier": "Redwood Metals",
                    "buyer": "Umicore",
                    "material": "cobalt",
                    "term": "P4Y",
                },
            )
        ],
    ),
    _probe(
        "o_translated_shall_purchase",
        "According to the agreement, Albemarle shall purchase no less than 30,000 tons of "
        "lithium hydroxide from Tianqi Lithium during a term of three years.",
        [
            (
                "offtake",
                {
                    "supplier": "tianqi-lithium",
                    "buyer": "albemarle",
                    "material": "lithium",
                    "quantity": 30000,
                    "term": "P3Y",
                },
            )
        ],
    ),
    _probe(
        "o_agreement_covers",
        "The supply agreement with Samsung SDI covers 20,000 tonnes of battery-grade graphite "
        "per year from 2027, Kestrel Graphite said.",
        [
            (
                "offtake",
                {
                    "supplier": "Kestrel Graphite",
                    "buyer": "Samsung SDI",
                    "material": "graphite",
                    "quantity": 20000,
                    "unit": "t/yr",
                },
            )
        ],
    ),
    _probe(
        "o_next_month",
        "Panasonic has agreed to buy 10,500 tonnes a year of lithium hydroxide from Mineral "
        "Resources for three years, starting next month.",
        [
            (
                "offtake",
                {
                    "supplier": "mineral-resources",
                    "buyer": "Panasonic",
                    "material": "lithium",
                    "quantity": 10500,
                    "unit": "t/yr",
                    "term": "P3Y",
                },
            )
        ],
    ),
    _probe(
        "o_sell_to_noun",
        "Vesta Nickel said it will sell mixed hydroxide precipitate containing 12,000 tonnes "
        "of nickel a year to South Korea's Posco Future M under a five-year contract.",
        [
            (
                "offtake",
                {
                    "supplier": "Vesta Nickel",
                    "buyer": "Posco Future M",
                    "material": "nickel",
                    "term": "P5Y",
                },
            )
        ],
    ),
    _probe(
        "l_exim_approved",
        "The U.S. Export-Import Bank has approved a $120 million loan to Australian graphite "
        "producer Kestrel Graphite for its Mozambique mine, the lender said on Thursday.",
        [
            (
                "loan",
                {
                    "lender": "Export-Import Bank of the United States",
                    "borrower": "Kestrel Graphite",
                    "amount": 120000000,
                    "currency": "USD",
                },
            )
        ],
    ),
    _probe(
        "l_secured_facility_from",
        "Lumen Lithium has secured a A$50 million debt facility from Export Finance Australia "
        "to build its hydroxide plant.",
        [
            (
                "loan",
                {
                    "lender": "Export Finance Australia",
                    "borrower": "Lumen Lithium",
                    "amount": 50000000,
                    "currency": "AUD",
                },
            )
        ],
    ),
    _probe(
        "l_will_lend",
        "Germany's KfW IPEX-Bank will lend 200 million euros to Vulcan Lithium (ASX: VUL) for "
        "its geothermal lithium plant, the company announced on Monday.",
        [
            (
                "loan",
                {
                    "lender": "KfW IPEX-Bank",
                    "borrower": "Vulcan Lithium",
                    "amount": 200000000,
                    "currency": "EUR",
                },
            )
        ],
    ),
    _probe(
        "l_signed_loan_agreement",
        "The Japan Bank for International Cooperation (JBIC) signed a loan agreement with "
        "Sojitz worth up to 15 billion yen to finance rare earth imports from Lynas.",
        [
            (
                "loan",
                {
                    "lender": "Japan Bank for International Cooperation",
                    "borrower": "sojitz",
                    "amount": 15000000000,
                    "currency": "JPY",
                },
            )
        ],
    ),
    _probe(
        "l_obtained_credit",
        "Redwood Metals said on Friday it had obtained a $75 million credit facility from "
        "Macquarie Bank to fund construction of the cobalt refinery. The facility matures in "
        "2029.",
        [
            (
                "loan",
                {
                    "lender": "Macquarie Bank",
                    "borrower": "Redwood Metals",
                    "amount": 75000000,
                    "currency": "USD",
                },
            )
        ],
    ),
    _probe(
        "l_provide_debt_financing",
        "Canada Infrastructure Bank will provide up to C$250 million in debt financing to "
        "Arctis Minerals for its lithium refinery in Ontario, it said on Tuesday.",
        [
            (
                "loan",
                {
                    "lender": "Canada Infrastructure Bank",
                    "borrower": "Arctis Minerals",
                    "amount": 250000000,
                    "currency": "CAD",
                },
            )
        ],
    ),
    _probe(
        "l_borrowed_from",
        "Tianqi Lithium borrowed $300 million from China Construction Bank to refinance debt, "
        "the company said in a filing.",
        [
            (
                "loan",
                {
                    "lender": "China Construction Bank",
                    "borrower": "tianqi-lithium",
                    "amount": 300000000,
                },
            )
        ],
    ),
    _probe(
        "l_extended_term_loan",
        "Export Development Canada extended a US$90m term loan to Ontaro Cobalt. The loan "
        "carries a seven-year tenor.",
        [
            (
                "loan",
                {
                    "lender": "Export Development Canada",
                    "borrower": "Ontaro Cobalt",
                    "amount": 90000000,
                    "currency": "USD",
                },
            )
        ],
    ),
    _probe(
        "l_passive_granted",
        "A $400 million loan has been granted to Heron Lithium Ltd by the Export-Import Bank "
        "of Korea, the company said.",
        [
            (
                "loan",
                {
                    "lender": "Export-Import Bank of Korea",
                    "borrower": "Heron Lithium Ltd",
                    "amount": 400000000,
                },
            )
        ],
    ),
    _probe(
        "l_financing_package",
        "Finnish battery chemicals maker Keliber Oy has signed a €150 million financing "
        "package with the European Investment Bank, the lender said on Wednesday.",
        [
            (
                "loan",
                {
                    "lender": "European Investment Bank",
                    "borrower": "Keliber Oy",
                    "amount": 150000000,
                    "currency": "EUR",
                },
            )
        ],
    ),
    _probe(
        "g_pentagon_awarded",
        "The Pentagon has awarded $37.5 million to South32 to speed up manganese production in "
        "Arizona under the Defense Production Act.",
        [
            (
                "grant",
                {
                    "grantor": "us-dod",
                    "recipient": "South32",
                    "amount": 37500000,
                    "currency": "USD",
                },
            )
        ],
    ),
    _probe(
        "g_won_grant_doe",
        "Redwood Metals won a $15 million grant from the U.S. Department of Energy for its "
        "cobalt recycling line, the company said.",
        [
            (
                "grant",
                {
                    "grantor": "U.S. Department of Energy",
                    "recipient": "Redwood Metals",
                    "amount": 15000000,
                },
            )
        ],
    ),
    _probe(
        "g_govt_will_give",
        "The Australian government will give A$14.8 million to graphite developer Kestrel "
        "Graphite from its Critical Minerals Accelerator Initiative, the resources minister "
        "said on Sunday.",
        [
            (
                "grant",
                {
                    "grantor": "AUS",
                    "recipient": "Kestrel Graphite",
                    "amount": 14800000,
                    "currency": "AUD",
                },
            )
        ],
    ),
    _probe(
        "g_awarded_subsidies_by",
        "Vulcan Lithium has been awarded €104 million in subsidies by the German government "
        "for its lithium extraction plant.",
        [
            (
                "grant",
                {
                    "grantor": "DEU",
                    "recipient": "Vulcan Lithium",
                    "amount": 104000000,
                    "currency": "EUR",
                },
            )
        ],
    ),
    _probe(
        "g_granted_under_act",
        "Under the Inflation Reduction Act, the Department of Energy granted Albemarle $150 "
        "million to build a lithium concentrator in North Carolina.",
        [
            (
                "grant",
                {"grantor": "Department of Energy", "recipient": "albemarle", "amount": 150000000},
            )
        ],
    ),
    _probe(
        "g_contributing_towards",
        "Canada's federal government is contributing C$27 million towards Arctis Minerals' "
        "graphite pilot plant, Natural Resources Canada said on Monday.",
        [
            (
                "grant",
                {
                    "grantor": "CAN",
                    "recipient": "Arctis Minerals",
                    "amount": 27000000,
                    "currency": "CAD",
                },
            )
        ],
    ),
    _probe(
        "g_handed_grant",
        "The European Commission handed Nordic Graphite AS a €20 million grant from its "
        "Innovation Fund.",
        [
            (
                "grant",
                {
                    "grantor": "European Commission",
                    "recipient": "Nordic Graphite",
                    "amount": 20000000,
                    "currency": "EUR",
                },
            )
        ],
    ),
    _probe(
        "g_received_from_dod",
        "MP Materials received $35 million from the Department of Defense to build a heavy "
        "rare earth separation facility at Mountain Pass, the company said.",
        [("grant", {"grantor": "us-dod", "recipient": "mp-materials", "amount": 35000000})],
    ),
    _probe(
        "g_funding_noun_lead",
        "Ontaro Cobalt is to get C$10 million in federal funding for its cobalt refinery, "
        "Ottawa announced on Friday.",
        [
            (
                "grant",
                {
                    "grantor": "CAN",
                    "recipient": "Ontaro Cobalt",
                    "amount": 10000000,
                    "currency": "CAD",
                },
            )
        ],
    ),
]

#: Sentences written after the fixes, a second wording for each rule (not counted as probes).
RULE_CHECKS = [
    pytest.param(
        "A €60 million loan was extended to Keliber Oy by the Nordic Investment Bank on Thursday.",
        [
            (
                "loan",
                {"lender": "Nordic Investment Bank", "borrower": "Keliber Oy", "amount": 60000000},
            )
        ],
        id="rc_passive_loan",
    ),
    pytest.param(
        "Korea Zinc lifted its shareholding in Ontaro Cobalt to 12.5% from 9.1% on Monday.",
        [
            (
                "stake_acquisition",
                {"acquirer": "korea-zinc", "target": "Ontaro Cobalt", "percent": 12.5},
            )
        ],
        id="rc_lifted_shareholding",
    ),
    pytest.param(
        "Vulcan Lithium was awarded €30 million in grants by the French government.",
        [("grant", {"grantor": "FRA", "recipient": "Vulcan Lithium", "amount": 30000000})],
        id="rc_grants_by_government",
    ),
    pytest.param(
        "The Japanese government handed Heron Lithium Ltd a 2 billion yen subsidy last week.",
        [("grant", {"grantor": "JPN", "recipient": "Heron Lithium Ltd", "amount": 2000000000})],
        id="rc_government_handed",
    ),
    pytest.param(
        "Export Finance Australia will provide A$80 million in debt financing to Lumen "
        "Lithium, the agency said.",
        [
            (
                "loan",
                {
                    "lender": "Export Finance Australia",
                    "borrower": "Lumen Lithium",
                    "amount": 80000000,
                },
            )
        ],
        id="rc_debt_financing_to",
    ),
    pytest.param(
        "Redwood Metals said Glencore had acquired 6.1 percent of its issued shares.",
        [
            (
                "stake_acquisition",
                {"acquirer": "Glencore", "target": "Redwood Metals", "percent": 6.1},
            )
        ],
        id="rc_percent_of_its_shares",
    ),
    pytest.param(
        "Lumen Lithium shall deliver 5,000 tonnes of lithium hydroxide a year to Panasonic "
        "during a term of four years.",
        [
            (
                "offtake",
                {
                    "supplier": "Lumen Lithium",
                    "buyer": "Panasonic",
                    "material": "lithium",
                    "term": "P4Y",
                },
            )
        ],
        id="rc_shall_deliver",
    ),
    pytest.param(
        "Ganfeng Lithium bought 40 million shares in Bluegum Lithium, or 9.9%, the company said.",
        [
            (
                "stake_acquisition",
                {"acquirer": "ganfeng-lithium", "target": "Bluegum Lithium", "percent": 9.9},
            )
        ],
        id="rc_shares_or_percent",
    ),
    pytest.param(
        "The Australian government will contribute A$20 million towards battery maker Volt "
        "Cells' plant, the minister said.",
        [("grant", {"grantor": "AUS", "recipient": "Volt Cells", "amount": 20000000})],
        id="rc_contribute_towards",
    ),
    pytest.param(
        "Kestrel Graphite signed a loan agreement with Export Finance Australia worth A$45 "
        "million.",
        [
            (
                "loan",
                {
                    "lender": "Export Finance Australia",
                    "borrower": "Kestrel Graphite",
                    "amount": 45000000,
                },
            )
        ],
        id="rc_loan_agreement_worth",
    ),
    pytest.param(
        "Lumen Lithium said a subsidiary of Albemarle will supply 10,000 tonnes of lithium "
        "hydroxide to Tesla.",
        [("offtake", {"supplier": "albemarle", "buyer": "Tesla", "material": "lithium"})],
        id="rc_subsidiary_of",
    ),
]

NEGATIVE = [
    pytest.param(
        "Zijin Mining is in talks to buy a 20% stake in Kalen Copper, people familiar with the "
        "matter said.",
        id="ns_talks",
    ),
    pytest.param(
        "Tianqi Lithium denied a report that it plans to sell its 23.75% holding in SQM.",
        id="ns_denied",
    ),
    pytest.param(
        "Ganfeng Lithium, which owns a 50% stake in the Mariana project, reported higher "
        "quarterly profit on Wednesday.",
        id="ns_background_owns",
    ),
    pytest.param(
        "Shares in Kestrel Metals rose 12% on Monday after the company reported drilling results.",
        id="ns_price",
    ),
    pytest.param(
        "Korea Zinc could take a stake of up to 10% in Redwood Metals if the talks succeed, "
        "analysts said.",
        id="ns_could",
    ),
    pytest.param(
        "Zijin Mining plans to invest up to $1 billion in new lithium projects over the next "
        "five years.",
        id="ni_plan",
    ),
    pytest.param(
        "Lumen Lithium is seeking $75 million from investors to fund its refinery.", id="ni_seeking"
    ),
    pytest.param(
        "Analysts estimate CATL would need to invest 10 billion yuan to double its output.",
        id="ni_estimate",
    ),
    pytest.param(
        "Orion Resource Partners, which invested $40 million in Lumen Lithium in 2021, "
        "declined to comment.",
        id="ni_background",
    ),
    pytest.param(
        "Bluegum Lithium is in talks with several Asian buyers over offtake for its spodumene.",
        id="no_talks",
    ),
    pytest.param(
        "Kestrel Graphite signed a non-binding memorandum of understanding with Samsung SDI on "
        "potential graphite supply.",
        id="no_mou",
    ),
    pytest.param(
        "Lithium carbonate prices fell 4% in China on Monday as buyers held off purchases.",
        id="no_price",
    ),
    pytest.param(
        "Vesta Nickel, which supplies nickel to CATL, reported a first-half loss on Thursday.",
        id="no_background",
    ),
    pytest.param("Glencore denied it had agreed to sell cobalt to Korea Zinc.", id="no_denied"),
    pytest.param(
        "Lumen Lithium is in discussions with export credit agencies about debt funding of up "
        "to $400 million.",
        id="nl_discussions",
    ),
    pytest.param(
        "Ioneer repaid a $50 million loan from Sibanye Stillwater ahead of schedule.",
        id="nl_repaid",
    ),
    pytest.param(
        "The bank said it expects to lend more to critical mineral projects next year.",
        id="nl_expects",
    ),
    pytest.param(
        "Kestrel Graphite received a letter of interest from the U.S. Export-Import Bank for "
        "potential financing of up to $150 million.",
        id="nl_letter_interest",
    ),
    pytest.param(
        "Redwood Metals has applied for a $15 million grant from the Department of Energy.",
        id="ng_applied",
    ),
    pytest.param(
        "The Australian government is considering grants for downstream processing, the "
        "minister said.",
        id="ng_considering",
    ),
    pytest.param(
        "MP Materials, which received $35 million from the Pentagon in 2022, said on Monday "
        "its quarterly revenue rose.",
        id="ng_background",
    ),
    pytest.param(
        "Kestrel Graphite was shortlisted for a grant under the Critical Minerals Development "
        "Program.",
        id="ng_shortlisted",
    ),
    pytest.param("Glencore handed Korea Zinc a $50 million payment.", id="nx_handed_payment"),
    pytest.param(
        "The bank has made almost $15 billion in loans to American companies since 2009.",
        id="nx_loans_total",
    ),
    pytest.param(
        "Heron Lithium Ltd, which secured a $400 million loan from the Export-Import Bank of "
        "Korea last year, said output rose.",
        id="nx_background_loan",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE + RULE_CHECKS)
def test_probe_states_its_deals(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    events = events_of(text, lexicon, PUBLISHED)
    for etype, fields in expected:
        assert has(events, etype, **fields), (etype, fields, events)
    # no deal beyond those stated (a swapped pair is a false event beside the miss)
    assert len([e for e in events if e["type"] in DEALS]) == len(expected), events


@pytest.mark.parametrize("text", NEGATIVE)
def test_probe_states_no_deal(text: str, lexicon: Lexicon) -> None:
    assert [e for e in events_of(text, lexicon, PUBLISHED) if e["type"] in DEALS] == []


def test_probe_counts() -> None:
    """At least 60 probes, negatives among them (the brief of round 10)."""
    assert len(POSITIVE) + len(NEGATIVE) >= 60
    assert len(NEGATIVE) >= 20
