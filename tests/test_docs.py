"""README stays true: every Telegram command and every CLI subcommand is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bot
from handlers.features import default_features
from handlers.registry import all_commands

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.+?)\n```", README, flags=re.S)
    assert "hrdbot" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1] and "pip install" in blocks[1]
    assert README.index(blocks[1]) < README.index("## What it is")


def _feature_commands() -> list[str]:
    return [c.name for c in all_commands(default_features())]


@pytest.mark.parametrize("name", _feature_commands())
def test_every_telegram_command_is_documented(name: str) -> None:
    assert f"/{name}" in README


@pytest.mark.parametrize("name", sorted(bot.build_parser()._subparsers._group_actions[0].choices))
def test_every_cli_command_is_documented(name: str) -> None:
    assert f"hrdbot {name}" in README


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = re.findall(r"```sh\n(.+?)\n```", README, flags=re.S)[1]
    assert test_command.strip() in ci
