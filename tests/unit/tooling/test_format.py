"""`ruff format` (`make format`, checked by `make lint`) wraps at the project's 100 characters,
not at its default 88."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def formatted(source: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--config", str(ROOT / "pyproject.toml"), "-"],
        input=source,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_a_line_of_95_characters_stays_whole():
    line = "result = some_function(first_argument, second_argument, third_argument, fourth_argument_x)\n"
    assert 88 < len(line.rstrip("\n")) <= 100
    assert formatted(line) == line


def test_a_line_over_100_characters_is_wrapped():
    line = "result = some_function(first_argument, second_argument, third_argument, fourth_argument, fifth_argument_xyz)\n"
    assert len(line.rstrip("\n")) > 100
    assert max(len(row) for row in formatted(line).splitlines()) <= 100
