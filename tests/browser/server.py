"""The real Parley server as a subprocess, shared with the system tier (tests/system/server.py):
`python -m parley migrate`, then `serve`, on a free port with a fresh data directory (the
embedded settings: SQLite + in-memory layer)."""

from tests.system.server import ROOT as REPO
from tests.system.server import ParleyServer

__all__ = ["REPO", "ParleyServer"]
