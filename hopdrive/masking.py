"""Bearer tokens masked wherever they appear in text a tool shows (the journal, a HAR file)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MASK = "***"


def tag(token: str) -> str:
    """`***` and a short digest of the token: two tokens can be told apart, neither recovered."""
    return MASK + hashlib.sha256(token.encode()).hexdigest()[:8]


class Masker:
    """Replaces every known token, and any other the caller names, by its tag."""

    def __init__(self, tokens: Iterable[str]) -> None:
        self._known = tuple(sorted(set(tokens), key=len, reverse=True))
        self.longest = max(map(len, self._known), default=0)

    def text(self, value: str, *others: str) -> str:
        """`value` with every token in it replaced by its tag."""
        tokens = [token for token in (*others, *self._known) if token and token in value]
        if not tokens:
            return value
        # Longest first, in one pass: no token is cut short by another it contains, and no tag
        # written in is searched again.
        pattern = "|".join(re.escape(token) for token in sorted(set(tokens), key=len, reverse=True))
        return re.sub(pattern, lambda match: tag(match.group()), value)

    @staticmethod
    def credentials(value: str) -> str:
        """An Authorization header's value: its scheme kept, its credentials as their tag."""
        scheme, _, credentials = value.strip().partition(" ")
        if not credentials.strip():
            return tag(scheme)
        return f"{scheme} {tag(credentials.strip())}"
