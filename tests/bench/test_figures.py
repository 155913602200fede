"""A step's verdict and contention figures (bench/figures.py), from made-up answers."""

from bench.figures import Sample, contention, passed

GOOD = {
    "lost_or_late": False,
    "unacked": 0,
    "errors": 0,
    "closed": 0,
    "dups": 0,
    "latency": {"p99_ms": 40.0},
    "offered_ratio": 1.0,
}


def test_a_clean_fast_step_passes():
    assert passed(GOOD, open_loop=True)


def test_a_step_with_anything_lost_doubled_or_slow_fails():
    for change in (
        {"lost_or_late": True},
        {"dups": 1},
        {"closed": 1},
        {"latency": {"p99_ms": 101.0}},
    ):
        assert not passed(GOOD | change, open_loop=True), change


def test_an_under_offered_rate_fails_only_an_open_loop_step():
    assert not passed(GOOD | {"offered_ratio": 0.9}, open_loop=True)
    assert passed(GOOD | {"offered_ratio": None}, open_loop=False)


def test_others_on_the_server_core_is_its_busy_time_less_the_server_own():
    before = Sample(
        t=0.0,
        server_cpu=0.0,
        load_cpu=0.0,
        server_wait=0.0,
        load_wait=0.0,
        pressure_us=0.0,
        core_busy=0.0,
        infra=None,
    )
    after = Sample(
        t=2.0,
        server_cpu=0.5,
        load_cpu=1.0,
        server_wait=0.2,
        load_wait=0.0,
        pressure_us=400_000.0,
        core_busy=1.5,
        infra=None,
    )
    assert contention(before, after) == {
        "others_on_server_core": 0.5,
        "server_wait_share": 0.1,
        "load_wait_share": 0.0,
        "cpu_pressure": 0.2,
    }
