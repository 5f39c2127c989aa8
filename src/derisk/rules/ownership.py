"""The ownership rule pack (``ownership.yaml``): FEOC, SFE, FIE and PFE, versioned by date.

>>> rule_version("fie", dt.date(2026, 1, 1)).params["single"]["threshold"]
0.25
>>> rule_version("feoc", dt.date(2024, 1, 1))
Traceback (most recent call last):
...
ValueError: no version of rule 'feoc' is in force on 2024-01-01 (versions: doe-2024 from 2024-05-06)
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources
from typing import NotRequired, TypedDict

import yaml

from derisk.errors import BadInputError
from derisk.model.record import JSONObject

RULE_IDS = ("feoc", "sfe", "fie", "pfe")


class PackCitation(TypedDict):
    """A law or guidance the rule pack cites (``citations`` of a rule in ownership.yaml)."""

    id: str
    title: str
    url: str | None
    confidence: str | None
    note: NotRequired[str]


class RuleDescription(TypedDict):
    """A rule version as screening results cite it."""

    rule: str
    title: str
    version: str
    effective_from: str | None
    effective_to: str | None
    confidence: str
    citations: list[PackCitation]


@dataclass(frozen=True)
class RuleVersion:
    rule_id: str
    title: str
    version: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    confidence: str
    citations: tuple[PackCitation, ...]
    #: the version's parameters as the pack gives them (thresholds, groups, ...)
    params: JSONObject

    def describe(self) -> RuleDescription:
        return {
            "rule": self.rule_id,
            "title": self.title,
            "version": self.version,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "confidence": self.confidence,
            "citations": list(self.citations),
        }


@functools.cache
def load_pack() -> JSONObject:
    """The pack shipped with the package (the parsed YAML document)."""
    text = resources.files("derisk.rules").joinpath("ownership.yaml").read_text("utf-8")
    doc: JSONObject = yaml.safe_load(text)
    ids = [r["id"] for r in doc["rules"]]
    if tuple(ids) != RULE_IDS:
        raise BadInputError(f"ownership.yaml must define rules {RULE_IDS}, has {ids}")
    return doc


def _date(v: object) -> dt.date | None:
    if v is None or v == "":
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def rule_version(rule_id: str, when: dt.date) -> RuleVersion:
    """The version of a rule in force on ``when``."""
    if rule_id not in RULE_IDS:
        raise BadInputError(f"unknown rule {rule_id!r}; one of {', '.join(RULE_IDS)}")
    rule = next(r for r in load_pack()["rules"] if r["id"] == rule_id)
    for v in rule["versions"]:
        start, end = _date(v.get("effective_from")), _date(v.get("effective_to"))
        if (start is None or start <= when) and (end is None or when <= end):
            params = {
                k: val
                for k, val in v.items()
                if k not in ("version", "effective_from", "effective_to")
            }
            return RuleVersion(
                rule_id,
                rule["title"],
                str(v["version"]),
                start,
                end,
                str(v.get("confidence", rule.get("confidence", "M"))),
                tuple(rule.get("citations", [])),
                params,
            )
    known = "; ".join(f"{v['version']} from {v.get('effective_from')}" for v in rule["versions"])
    raise BadInputError(
        f"no version of rule {rule_id!r} is in force on {when.isoformat()} (versions: {known})"
    )
