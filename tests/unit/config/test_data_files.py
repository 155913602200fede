"""The embedded data directory holds password hashes, sessions and private messages: the
directory is 0700, the database (with its -wal and -shm) and the generated key 0600."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from parley import files

ROOT = Path(__file__).resolve().parents[3]

# Opens the embedded database in WAL mode and writes, so that -wal and -shm exist, then prints
# every file's mode while the connection is still open.
WRITE_AND_LIST = """
import os, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    cursor.execute("INSERT INTO probe VALUES (1)")
data = os.environ["PARLEY_DATA_DIR"]
for name in ["", *sorted(os.listdir(data))]:
    print(name or ".", oct(os.stat(os.path.join(data, name)).st_mode & 0o777))
"""


def modes_after_first_start(data_dir: Path, umask: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.embedded",
        "PARLEY_DATA_DIR": str(data_dir),
    }
    env.pop("SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", f"import os; os.umask({umask}); exec({WRITE_AND_LIST!r})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(line.split() for line in done.stdout.splitlines())


def test_a_new_data_directory_and_its_files_are_private_even_with_a_permissive_umask(tmp_path):
    modes = modes_after_first_start(tmp_path / "data", umask=0)
    assert modes == {
        ".": "0o700",
        "parley.sqlite3": "0o600",
        "parley.sqlite3-shm": "0o600",
        "parley.sqlite3-wal": "0o600",
        "secret_key": "0o600",
    }


def test_files_an_older_version_left_readable_are_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    for name in ("parley.sqlite3", "secret_key"):
        (data / name).write_text("k" * 50 if name == "secret_key" else "")
        (data / name).chmod(0o644)
    modes = modes_after_first_start(data, umask=0o022)
    assert modes["."] == "0o700"
    assert {name: modes[name] for name in ("parley.sqlite3", "secret_key")} == {
        "parley.sqlite3": "0o600",
        "secret_key": "0o600",
    }
    assert (data / "secret_key").read_text() == "k" * 50


def test_the_generated_secret_is_made_once_and_kept(tmp_path):
    first = files.secret_in(tmp_path / "key")
    assert len(first) >= 50 and files.secret_in(tmp_path / "key") == first
    assert stat.S_IMODE((tmp_path / "key").stat().st_mode) == 0o600
