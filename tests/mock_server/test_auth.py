"""Tenants files and bearer tokens (D2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.auth import TENANTS_ENV, Tenants, TenantsError
from mock_server.problems import Problem


def test_bundled_tenants_are_the_contract_defaults() -> None:
    tenants = Tenants.load()
    assert tenants.by_token["dev-token-a"].rooftops == (1234, 42)
    assert tenants.by_token["dev-token-b"].rooftops == (777,)


def test_tenants_file_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tenants.json"
    path.write_text('{"partner-1": [5]}', encoding="utf-8")
    monkeypatch.setenv(TENANTS_ENV, str(path))
    assert Tenants.load().authenticate("Bearer partner-1").own_rooftop == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "expected a mapping"),
        ("tok: [0]", "positive integers"),
        ("tok: [", "not valid YAML"),
    ],
)
def test_bad_tenants_file_is_one_line_naming_it(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TenantsError) as caught:
        Tenants.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer a b", "Bearer nobody"])
def test_missing_malformed_or_unknown_token_is_401_with_a_challenge_d2(header: str | None) -> None:
    with pytest.raises(Problem) as caught:
        Tenants.load().authenticate(header)
    assert caught.value.status == 401
    assert caught.value.headers["WWW-Authenticate"].startswith("Bearer")


def test_bearer_scheme_is_case_insensitive() -> None:
    assert Tenants.load().authenticate("bearer dev-token-b").own_rooftop == 777
