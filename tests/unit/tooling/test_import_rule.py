"""The layering rule of docs/architecture.md: domain apps (accounts, chat, parley) never import
transports (realtime, api, web). import-linter checks it, with the contract in pyproject.toml;
`make lint` runs the same check."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(ROOT, ".venv", "bin")))


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )


def test_domain_apps_import_no_transport():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_domain_app_importing_a_transport_breaks_the_rule(tmp_path):
    # The repository's own contract, over a tree in which chat imports realtime, as a domain
    # service that pushed frames to sockets itself would.
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in ("parley", "config", "accounts", "chat", "realtime", "api", "web"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "realtime" / "hub.py").write_text("")
    (tmp_path / "chat" / "services.py").write_text("from realtime import hub\n")

    done = lint_imports(tmp_path)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "chat.services -> realtime.hub" in done.stdout
