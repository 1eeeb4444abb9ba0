"""Bearer tokens and the rooftops each holds (D2), read from a tenants file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from hopdrive.errors import HopDriveError
from mock_server.problems import Problem

DEFAULT_TENANTS = Path(__file__).with_name("tenants.yaml")
TENANTS_ENV = "HOPDRIVE_MOCK_TENANTS"
# The challenge of every 401 the mock answers (RFC 6750), before any `error`.
CHALLENGE = 'Bearer realm="hopdrive"'
# RFC 6750 b64token.
_BEARER = re.compile(r"Bearer +([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)


class TenantsError(HopDriveError):
    """The tenants file cannot be used; `str()` is one line naming the file."""


@dataclass(frozen=True)
class Tenant:
    """A dealer token and the rooftops it holds, its own first."""

    token: str
    rooftops: tuple[int, ...]

    def holds(self, rooftop: int) -> bool:
        """Whether the token may act for this rooftop."""
        return rooftop in self.rooftops

    @property
    def own_rooftop(self) -> int:
        """The rooftop a request acts for when it names none."""
        return self.rooftops[0]


@dataclass(frozen=True)
class Tenants:
    """Every known token."""

    by_token: Mapping[str, Tenant]

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Tenants:
        """Read a tenants file: `token: [rooftop, ...]` in YAML or JSON."""
        chosen = Path(path or os.environ.get(TENANTS_ENV) or DEFAULT_TENANTS)
        try:
            data = yaml.safe_load(chosen.read_text(encoding="utf-8"))
        except OSError as error:
            raise TenantsError(f"{chosen}: cannot be read ({error.strerror})") from None
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            reason = str(error).splitlines()[0]
            raise TenantsError(f"{chosen}: not valid YAML or JSON ({reason})") from None
        if not isinstance(data, dict) or not data:
            raise TenantsError(f"{chosen}: expected a mapping of token to a list of rooftop ids")
        tenants = {}
        for token, rooftops in data.items():
            if not isinstance(token, str) or not _BEARER.fullmatch(f"Bearer {token}"):
                raise TenantsError(f"{chosen}: {token!r} is not a valid bearer token")
            valid = isinstance(rooftops, list) and rooftops
            if not valid or not all(type(r) is int and r > 0 for r in rooftops):
                raise TenantsError(
                    f"{chosen}: {token}: rooftops must be a list of positive integers"
                )
            tenants[token] = Tenant(token=token, rooftops=tuple(rooftops))
        return cls(by_token=tenants)

    def authenticate(self, authorization: str | None) -> Tenant:
        """The tenant behind an Authorization header, or a 401 Problem (D2)."""
        if not authorization:
            raise _unauthorized("A bearer token is required.", "")
        match = _BEARER.fullmatch(authorization.strip())
        if match is None:
            raise _unauthorized(
                "The Authorization header is not a bearer token.", "invalid_request"
            )
        tenant = self.by_token.get(match.group(1))
        if tenant is None:
            raise _unauthorized("The bearer token is not known.", "invalid_token")
        return tenant


def _unauthorized(detail: str, error: str) -> Problem:
    challenge = CHALLENGE + (f', error="{error}"' if error else "")
    return Problem(401, "unauthorized", detail, headers={"WWW-Authenticate": challenge})
