"""Common Norwegian and Sámi first names (``first_names.yaml``), shared by triage (a full name in a
citizen's comment) and the reply check (a third person named in our reply)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

FIRST_NAMES_PATH = Path(__file__).with_name("first_names.yaml")


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The packaged first names, lower case."""
    data = yaml.safe_load(FIRST_NAMES_PATH.read_text(encoding="utf-8"))
    return frozenset(str(name).lower() for name in data["first_names"])
