"""The seed pages' examples, as the JSON fixtures copied from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SEED_EXAMPLES = Path(__file__).parent / "fixtures" / "seed_examples"


def seed(name: str) -> Any:
    """A seed page example by its fixture name (`000_createAppointment.request`)."""
    return json.loads((SEED_EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
