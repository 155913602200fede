"""What the make targets run (`make -n` prints it without running it).

The first `make run` installs for about a minute: it says so, and pip shows each package as it
goes, instead of a silent minute. `make test` lints first."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_first_install_says_what_it_does_and_shows_pip_progress(tmp_path):
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "install", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    commands = done.stdout.splitlines()

    assert any("Creating the virtualenv" in line for line in commands), done.stdout
    assert any(line.startswith("echo") and "about a minute" in line for line in commands), (
        done.stdout
    )
    install = [line for line in commands if "-r requirements.lock" in line]
    assert install and "--quiet" not in install[0], done.stdout


def make_n(*args: str) -> list[str]:
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.splitlines()


def test_make_lint_checks_style_format_types_and_imports():
    commands = "\n".join(make_n("lint"))
    for check in ("-m ruff check .", "-m ruff format --check", "-m mypy", "lint-imports"):
        assert check in commands, commands


def test_make_test_lints_before_the_suite():
    commands = make_n("test")
    first_test = next(i for i, line in enumerate(commands) if "-m pytest" in line)
    assert any("-m mypy" in line for line in commands[:first_test]), commands
    assert any("-m ruff check" in line for line in commands[:first_test]), commands
