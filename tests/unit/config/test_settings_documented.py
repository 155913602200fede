"""Every PARLEY_* variable the code reads is in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
READERS = [
    *sorted((ROOT / "config" / "settings").glob("*.py")),
    ROOT / "realtime/management/commands/serve.py",
]


def test_every_variable_read_is_documented():
    read = set()
    for path in READERS:
        read |= set(re.findall(r'"(PARLEY_[A-Z_]+)"', path.read_text()))
    documented = set(
        re.findall(r"`(PARLEY_[A-Z_]+)`", (ROOT / "docs" / "configuration.md").read_text())
    )
    # Names of settings (not variables) are documented too; only the variables are checked here.
    assert read - documented == set()
