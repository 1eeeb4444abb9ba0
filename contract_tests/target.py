"""The server under test, known only through the contract's HOPDRIVE_* variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from contract_tests.errors import ContractError


class TargetError(ContractError):
    """A HOPDRIVE_* variable is missing or malformed; `str()` is one line naming it."""


@dataclass(frozen=True)
class Target:
    """Everything the suite may assume about the server under test."""

    base_url: str
    token: str
    customer_id: int
    # None when the server under test offers no second dealer (tenant isolation not checked).
    other_token: str | None
    other_customer_id: int | None
    delivery_location_id: int
    pickup_location_id: int
    test_control: bool
    # The server moves appointments along internal edges by itself, as HopDrive does.
    advances: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Target:
        """Read the target from the environment, with the bundled mock's defaults."""
        env = os.environ if env is None else env
        base_url = env.get("HOPDRIVE_BASE_URL", "").rstrip("/")
        if not base_url.startswith(("http://", "https://")) or not _has_host(base_url):
            raise TargetError("HOPDRIVE_BASE_URL must be the server's base URL, including /v1")
        return cls(
            base_url=base_url,
            token=env.get("HOPDRIVE_TOKEN", "dev-token-a"),
            customer_id=_integer(env, "HOPDRIVE_CUSTOMER_ID", 1234),
            other_token=env.get("HOPDRIVE_OTHER_TOKEN", "dev-token-b") or None,
            # The mock's other customer only goes with the mock's other token.
            other_customer_id=_optional_integer(
                env,
                "HOPDRIVE_OTHER_CUSTOMER_ID",
                777 if "HOPDRIVE_OTHER_TOKEN" not in env else None,
            ),
            delivery_location_id=_integer(env, "HOPDRIVE_DELIVERY_LOCATION_ID", 5678),
            pickup_location_id=_integer(env, "HOPDRIVE_PICKUP_LOCATION_ID", 9012),
            # Off unless the server declares it: internal transitions are not public API.
            test_control=env.get("HOPDRIVE_TEST_CONTROL", "") == "1",
            # Off unless declared: a step the suite did not take is otherwise a server's fault.
            advances=env.get("HOPDRIVE_ADVANCES", "") == "1",
        )


def _has_host(url: str) -> bool:
    """Whether `url` names a host, and a port if any within 1-65535."""
    try:
        return bool(urlsplit(url).hostname) and urlsplit(url).port != 0
    except ValueError:
        return False


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    value = _optional_integer(env, name, default)
    return default if value is None else value


def _optional_integer(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return default if raw is None else None
    if not raw.isdigit() or int(raw) < 1:
        raise TargetError(f"{name} must be a positive integer, not {raw!r}")
    return int(raw)
