"""The server under test, known only through the contract's HOPDRIVE_* variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from contract_tests.errors import ContractError


class TargetError(ContractError):
    """A HOPDRIVE_* variable is missing or malformed; `str()` is one line naming it."""


@dataclass(frozen=True)
class Target:
    """Everything the suite may assume about the server under test."""

    base_url: str
    token: str
    customer_id: int
    other_token: str
    other_customer_id: int
    delivery_location_id: int
    pickup_location_id: int
    test_control: bool

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Target:
        """Read the target from the environment, with the bundled mock's defaults."""
        env = os.environ if env is None else env
        base_url = env.get("HOPDRIVE_BASE_URL", "").rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise TargetError("HOPDRIVE_BASE_URL must be the server's base URL, including /v1")
        return cls(
            base_url=base_url,
            token=env.get("HOPDRIVE_TOKEN", "dev-token-a"),
            customer_id=_integer(env, "HOPDRIVE_CUSTOMER_ID", 1234),
            other_token=env.get("HOPDRIVE_OTHER_TOKEN", "dev-token-b"),
            other_customer_id=_integer(env, "HOPDRIVE_OTHER_CUSTOMER_ID", 777),
            delivery_location_id=_integer(env, "HOPDRIVE_DELIVERY_LOCATION_ID", 5678),
            pickup_location_id=_integer(env, "HOPDRIVE_PICKUP_LOCATION_ID", 9012),
            # Off unless the server declares it: internal transitions are not public API.
            test_control=env.get("HOPDRIVE_TEST_CONTROL", "") == "1",
        )


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise TargetError(f"{name} must be a positive integer, not {raw!r}")
    return int(raw)
