"""The Jinja environment class the reports and the web pages render result records with.

Templates read results as records (``r.selected_share``, ``r["stage"]``), as they once read
their JSON dicts. Two things make a record read exactly like its JSON:

* a field holding :data:`~derisk.model.record.ABSENT` (a key that answer does not carry) is
  *undefined* in a template, as the missing key of the dict was;
* ``tojson`` encodes records, tuples and read-only mappings as the JSON ``to_json()`` prints.
"""

from __future__ import annotations

import json
from typing import Any

import jinja2

from derisk.model.record import ABSENT, to_jsonable

__all__ = ["RecordEnvironment"]


def _dumps(obj: Any, **kwargs: Any) -> str:
    return json.dumps(to_jsonable(obj), **kwargs)


class RecordEnvironment(jinja2.Environment):
    """A :class:`jinja2.Environment` in which result records read like their JSON."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.policies["json.dumps_function"] = _dumps

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)
        return self.undefined(obj=obj, name=attribute) if value is ABSENT else value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        return self.undefined(obj=obj, name=argument) if value is ABSENT else value
