"""Files that hold secrets (the embedded database, the generated secret key) and their
directory: readable by the server's user alone from the moment they exist.

Each is created with its final mode (os.open's mode, os.mkdir's mode), never created readable and
tightened afterwards, which would leave a window in which another local user could open it. A
file or directory made by an older Parley with looser modes is tightened when found.
"""

import os
import secrets
from pathlib import Path

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600


def private_directory(path: Path) -> Path:
    """`path` (and missing parents) as a directory only its owner may enter."""
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_DIRECTORY)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists (empty when new) and only its owner may read or write it.

    For an SQLite database this is the whole story: SQLite creates its -wal and -shm files with
    the database file's mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_FILE)
    return path


def secret_in(path: Path) -> str:
    """The secret stored in `path`, made (50 random characters, mode 0600) if there is none."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        private_file(path)
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
