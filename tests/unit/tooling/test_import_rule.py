"""The import rules in pyproject.toml, checked by import-linter (`make lint` runs the same check):
the layering rule of docs/architecture.md, domain apps (accounts, chat, notifications, search, jobs, throttle, parley) never
import transports (realtime, api, web, ops); and bench/ never imports tests/ (tests/bench imports bench)."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(ROOT, ".venv", "bin")))


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def tree(root: Path, imports: dict[str, str]) -> Path:
    """The repository's contracts over a tree of empty packages, plus `imports` (module -> source)."""
    shutil.copy(ROOT / "pyproject.toml", root)
    for package in (
        "parley",
        "config",
        "accounts",
        "chat",
        "links",
        "notifications",
        "search",
        "jobs",
        "throttle",
        "realtime",
        "api",
        "web",
        "ops",
        "bench",
        "tests",
    ):
        (root / package).mkdir()
        (root / package / "__init__.py").write_text("")
    for module, source in imports.items():
        (root / (module.replace(".", "/") + ".py")).write_text(source)
    return root


def test_the_tree_keeps_the_import_rules():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_domain_app_importing_a_transport_breaks_the_rule(tmp_path):
    # As a domain service that pushed frames to sockets itself would.
    done = lint_imports(
        tree(tmp_path, {"realtime.hub": "", "chat.services": "from realtime import hub\n"})
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "chat.services -> realtime.hub" in done.stdout


def test_chat_importing_notifications_breaks_the_rule(tmp_path):
    # Email sent from a post's own path: notifications sits above chat.
    done = lint_imports(
        tree(
            tmp_path,
            {"notifications.services": "", "chat.messages": "from notifications import services\n"},
        )
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "chat.messages -> notifications.services" in done.stdout


def test_bench_importing_the_tests_breaks_the_rule(tmp_path):
    done = lint_imports(
        tree(tmp_path, {"tests.server": "", "bench.run": "from tests import server\n"})
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "bench.run -> tests.server" in done.stdout


def test_accounts_importing_chat_breaks_the_layers(tmp_path):
    # accounts sits below chat (docs/architecture.md): identity knows nothing of rooms.
    done = lint_imports(
        tree(tmp_path, {"chat.models": "", "accounts.services": "from chat import models\n"})
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "Imports point down the layers BROKEN" in done.stdout
