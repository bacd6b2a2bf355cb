"""The README's examples are true: its config block loads, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from digest.config import parse_config

README = Path(__file__).parent.parent / "README.md"


def test_readme_opens_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "demo"], ["make", "test"]]


def test_readme_config_example_is_valid(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    (tmp_path / "saved").mkdir()
    (tmp_path / "my-templates").mkdir()
    config = parse_config(block, tmp_path / "feeds.yaml")
    assert [f.name for f in config.feeds] == ["BBC News World", "Saved articles"]
    assert config.email is not None and config.email.smtp.password_env == "SMTP_PASSWORD"


def test_readme_commands_exist() -> None:
    text = README.read_text(encoding="utf-8")
    for command in sorted(set(re.findall(r"\.venv/bin/digest ((?:[a-z]+)(?: [a-z]+)?)", text))):
        args = command.split()
        result = CliRunner().invoke(main, [*args, "--help"])
        if result.exit_code != 0:  # "digest run --sample": the second word is an option value
            result = CliRunner().invoke(main, [args[0], "--help"])
        assert result.exit_code == 0, (command, result.output)
