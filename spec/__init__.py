"""The HopDrive dealer API spec: `load()` reads, validates and resolves `openapi.yaml` once."""

from spec.lifecycle import Derivation, Edge, Lifecycle, State
from spec.loader import (
    SPEC_PATH,
    Operation,
    Response,
    Spec,
    SpecError,
    SpecInvalid,
    SpecUnreadable,
    load,
)

__all__ = [
    "SPEC_PATH",
    "Derivation",
    "Edge",
    "Lifecycle",
    "Operation",
    "Response",
    "Spec",
    "SpecError",
    "SpecInvalid",
    "SpecUnreadable",
    "State",
    "load",
]
