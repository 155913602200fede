"""The benchmark harness on a tiny load, for correctness only: Parley (protocols v1 and v2 and the
tutorial endpoint, embedded mode), the Channels-tutorial peer and the bare websockets peer
each deliver every message to every member of its room, once, in order. No timing is
asserted: the machine may be busy."""

from pathlib import Path

import pytest

from bench.runner import Options, Run
from bench.scenarios import TARGETS, Scenario
from bench.servers import PEERS, Fixtures

pytestmark = [pytest.mark.system, pytest.mark.timeout(300)]

OPEN = Scenario(
    "smoke-open", "3 rooms x 6 members, 2 senders each", "open", rooms=3, members=6, senders=2
)
CLOSED = Scenario(
    "smoke-closed",
    "2 rooms x 4 members, all sending",
    "closed",
    rooms=2,
    members=4,
    senders=4,
    closed_steps=(4,),
)
NAMES = [
    "parley-embedded/v1",
    "parley-embedded/v2",
    "parley-embedded/tutorial",
    "tutorial-inmemory",
    "bare-ws",
]


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    if not (PEERS / "tutorial_chat").is_dir() or not (PEERS / "bare_ws").is_dir():
        pytest.skip(f"the benchmark peers are not at {PEERS} (set PARLEY_BENCH_PEERS)")
    made = Fixtures(
        tmp_path_factory.mktemp("bench"), senders=8, rooms=OPEN.slugs() + CLOSED.slugs()
    )
    yield made
    made.cleanup()


def run(name: str, scenario: Scenario, fixtures: Fixtures, logs: Path) -> dict:
    options = Options(
        step_seconds=1.0,
        drain_seconds=15.0,
        rates=(30.0,),
        server_cpu=None,
        load_cpu=None,
        logs=logs,
    )
    return Run(TARGETS[name], scenario, fixtures, options).execute()


def assert_exactly_once_in_order(result: dict) -> None:
    assert "failed" not in result, result.get("failed")
    assert result["steps"], "no step ran"
    for step in result["steps"]:
        assert step["sent"] > 0
        assert step["pending_after_drain"] == 0, f"step {step['step']}: deliveries missing"
        assert step["delivered"] == step["expected_deliveries"]
        assert (
            step["dups"],
            step["reordered"],
            step["errors"],
            step["closed"],
            step["unacked"],
        ) == (0, 0, 0, 0, 0)
    final = result["final"]
    assert (final["lost"], final["dups"], final["reordered"], final["errors"]) == (0, 0, 0, 0)
    assert result["server_log"].get("tracebacks", 0) == 0, f"see {result['server_log']['path']}"


@pytest.mark.parametrize("name", NAMES)
def test_every_member_gets_every_message_once_in_order(name, fixtures, tmp_path):
    assert_exactly_once_in_order(run(name, OPEN, fixtures, tmp_path))


@pytest.mark.parametrize("name", NAMES)
def test_closed_loop_senders_each_get_their_echo(name, fixtures, tmp_path):
    assert_exactly_once_in_order(run(name, CLOSED, fixtures, tmp_path))
