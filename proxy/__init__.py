"""`hopdrive-proxy`: the contract between a client and any server, both sides judged."""

from proxy.exchange import Exchange
from proxy.violations import Violation

__all__ = ["Exchange", "Violation"]
