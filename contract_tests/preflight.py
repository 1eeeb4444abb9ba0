"""The run's first request: is the base URL this API, and does it take the tokens given?

It sends `POST /appointments` with an empty object, which every conforming server refuses (400)
without creating anything, and says in one line what is wrong before any check runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from contract_tests.delivery import Answer, patiently
from contract_tests.errors import NotTheApi
from contract_tests.target import Target

_PATH = "/appointments"
_VERSION = "/v1"


@dataclass(frozen=True)
class Findings:
    """What the first requests found: notes on checks that will not run, the round trip."""

    notes: tuple[str, ...]
    round_trip: float


def check(target: Target, env: Mapping[str, str], timeout: float) -> Findings:
    """Raise NotTheApi or a NetworkError for what is wrong, else say what was found."""
    # One client, so that the second request finds the connection open.
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return _check(client, target, env, timeout)


def _check(
    client: httpx.Client, target: Target, env: Mapping[str, str], timeout: float
) -> Findings:
    answer = _first(client, target, target.token, timeout)
    url = target.base_url + _PATH
    if answer.is_redirect:
        location = answer.headers.get("location", "?")
        raise NotTheApi(
            f"{url} redirects ({answer.status_code}) to {location}; give the URL it redirects "
            "to as the base URL"
        )
    media = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "text/html" or answer.text.lstrip().lower().startswith(("<!doctype", "<html")):
        raise NotTheApi(f"{url} answered an HTML page, not JSON: {_base_hint(target)}")
    if answer.status_code == 404:
        raise NotTheApi(f"{url} answered 404: {_base_hint(target)}")
    if answer.status_code == 401:
        default = "" if "HOPDRIVE_TOKEN" in env else " (the bundled mock's default; set it)"
        raise NotTheApi(f"the server refused HOPDRIVE_TOKEN{default}: 401 for {url}")
    round_trip = answer.elapsed.total_seconds()
    if target.other_token is None:
        return Findings((), round_trip)
    other = _first(client, target, target.other_token, timeout)
    # The second request goes on an open connection: the network's own round trip.
    round_trip = min(round_trip, other.elapsed.total_seconds())
    if other.status_code != 401:
        return Findings((), round_trip)
    if "HOPDRIVE_OTHER_TOKEN" in env:
        raise NotTheApi(f"the server refused HOPDRIVE_OTHER_TOKEN: 401 for {url}")
    note = (
        "HOPDRIVE_OTHER_TOKEN is not set and the bundled mock's default was refused (401): "
        "tenant isolation is not checked"
    )
    return Findings((note,), round_trip)


def _base_hint(target: Target) -> str:
    """What the base URL should look like, given the one the user gave."""
    path = urlsplit(target.base_url).path.rstrip("/")
    if not path.endswith(_VERSION):
        return f"the base URL has no {_VERSION}; try {target.base_url}{_VERSION}"
    return f"is {target.base_url} the HopDrive API's base URL?"


def _first(client: httpx.Client, target: Target, token: str, timeout: float) -> httpx.Response:
    """The answer to the first request with `token`, a 429 waited out as D24 asks."""
    url = target.base_url + _PATH
    headers = {"Authorization": f"Bearer {token}"}
    response, _ = patiently(
        f"POST {_PATH}",
        url,
        lambda: client.post(url, json={}, headers=headers),
        lambda answer: Answer(
            answer.status_code, answer.headers.get("retry-after"), answer.content
        ),
        timeout=timeout,
    )
    return response
