"""Tokens masked: a tag that tells tokens apart and gives none of them away."""

from __future__ import annotations

import re

from hopdrive.masking import Masker, tag


def test_a_tag_is_stars_and_a_short_digest_that_differs_by_token() -> None:
    assert re.fullmatch(r"\*\*\*[0-9a-f]{8}", tag("dev-token-a"))
    assert tag("dev-token-a") == tag("dev-token-a") != tag("dev-token-b")
    assert "dev-token-a" not in tag("dev-token-a")


def test_every_known_token_and_every_named_one_is_replaced_by_its_tag() -> None:
    masker = Masker(["dev-token-a", "dev-token-b"])
    shown = masker.text("a=dev-token-a b=dev-token-b c=own-token", "own-token")
    assert shown == f"a={tag('dev-token-a')} b={tag('dev-token-b')} c={tag('own-token')}"


def test_a_token_inside_a_longer_one_leaves_no_part_of_the_longer_shown() -> None:
    masker = Masker(["token", "token-longer"])
    assert masker.text("x token-longer y") == f"x {tag('token-longer')} y"


def test_text_without_a_token_is_left_as_it_is() -> None:
    assert Masker(["dev-token-a"]).text("nothing to hide") == "nothing to hide"


def test_credentials_keep_their_scheme_and_show_only_their_tag() -> None:
    assert Masker.credentials("Bearer  dev-token-a ") == f"Bearer {tag('dev-token-a')}"
    assert Masker.credentials("Basic dXNlcjpwYXNz") == f"Basic {tag('dXNlcjpwYXNz')}"
    assert Masker.credentials("bare-token") == tag("bare-token")
