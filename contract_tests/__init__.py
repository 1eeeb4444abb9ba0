"""The contract suite that judges any implementation of the spec at a base URL."""

from contract_tests.errors import ContractError
from contract_tests.profiles import PROFILES, Profile
from contract_tests.target import Target, TargetError

__all__ = ["PROFILES", "ContractError", "Profile", "Target", "TargetError"]
