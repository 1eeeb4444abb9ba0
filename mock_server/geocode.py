"""Deterministic fake geocoding: the same address always gets the same place, offline."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

# "street, city, ST 12345[, USA]" - how a one-line US address is usually written.
_ONE_LINE = re.compile(
    r"\s*(?P<address_one>[^,]+),\s*(?P<city>[^,]+),\s*(?P<state>[A-Za-z]{2})"
    r"(?:\s+(?P<zip>\d{5}))?(?:,\s*USA)?\s*"
)


def geocode(location: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The location as a geocoder would answer it, with exactly the members in `fields`."""
    parts = {name: location.get(name) for name in ("address_one", "city", "state", "zip")}
    full = location.get("full_address")
    if full and not parts["address_one"]:
        match = _ONE_LINE.fullmatch(full)
        if match:
            parts.update({k: v for k, v in match.groupdict().items() if v})
    full = full or _one_line(parts)
    digest = hashlib.sha256(full.casefold().encode()).digest()
    found = {
        **parts,
        "full_address": full,
        # Inside the contiguous United States, seven decimals as the seeds show.
        "lat": round(25 + 24 * _fraction(digest[0:4]), 7),
        "lon": round(-124 + 57 * _fraction(digest[4:8]), 7),
        "google_place_id": "ChIJ" + base64.urlsafe_b64encode(digest[8:26]).decode().rstrip("="),
        "location_id": 1000 + int.from_bytes(digest[26:30], "big") % 9_000_000,
    }
    return {name: found.get(name, location.get(name)) for name in fields}


def _one_line(parts: Mapping[str, Any]) -> str:
    state_zip = " ".join(str(p) for p in (parts["state"], parts["zip"]) if p)
    pieces = [p for p in (parts["address_one"], parts["city"], state_zip) if p]
    return ", ".join(str(p) for p in pieces) + ", USA"


def _fraction(chunk: bytes) -> float:
    return int.from_bytes(chunk, "big") / 2**32
