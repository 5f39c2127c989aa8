"""The material catalogue: materials as chains of processing stages with HS codes."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from derisk.errors import UnknownIdError


@dataclass(frozen=True)
class StageSpec:
    id: str
    name: str
    kind: str
    seq: int
    hs: tuple[str, ...]


@dataclass(frozen=True)
class MaterialSpec:
    id: str
    name: str
    stages: tuple[StageSpec, ...]

    def stage(self, stage_id: str) -> StageSpec:
        for s in self.stages:
            if s.id == stage_id:
                return s
        known = ", ".join(s.id for s in self.stages)
        raise UnknownIdError(f"material {self.id!r} has no stage {stage_id!r} (stages: {known})")


@dataclass(frozen=True)
class Catalog:
    materials: tuple[MaterialSpec, ...]

    def material(self, material_id: str) -> MaterialSpec:
        for m in self.materials:
            if m.id == material_id:
                return m
        raise UnknownIdError(
            f"unknown material {material_id!r}; run `derisk materials` to list them"
        )

    def ids(self) -> list[str]:
        return [m.id for m in self.materials]


def parse_catalog(doc: Mapping[str, Any]) -> Catalog:
    """The catalogue from its YAML document (``materials`` with their ``stages``)."""
    mats = []
    for m in doc["materials"]:
        stages = tuple(
            StageSpec(s["id"], s["name"], s["kind"], i + 1, tuple(str(h) for h in s.get("hs", [])))
            for i, s in enumerate(m["stages"])
        )
        mats.append(MaterialSpec(m["id"], m["name"], stages))
    return Catalog(tuple(mats))


@functools.cache
def load_catalog() -> Catalog:
    """The catalogue shipped with the package (``derisk/model/materials.yaml``)."""
    text = resources.files("derisk.model").joinpath("materials.yaml").read_text("utf-8")
    return parse_catalog(yaml.safe_load(text))
