"""The first `make run` installs for about a minute: it says so, and pip shows each package as
it goes, instead of a silent minute. `make -n` prints what the install would run."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_first_install_says_what_it_does_and_shows_pip_progress(tmp_path):
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "install", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    commands = done.stdout.splitlines()

    assert any("Creating the virtualenv" in line for line in commands), done.stdout
    assert any(line.startswith("echo") and "about a minute" in line for line in commands), done.stdout
    install = [line for line in commands if "-r requirements.lock" in line]
    assert install and "--quiet" not in install[0], done.stdout
