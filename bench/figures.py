"""A step's figures (docs/performance.md, "Figures"): what is read at the start of a step and at
the end of its drain (`Sample`), and what is computed from two samples and the load processes'
answers. Pure functions: the runner (bench/runner.py) reads the processes, these do the sums.
"""

import math
from array import array
from dataclasses import dataclass

P99_LIMIT = 0.100
OFFERED_MIN = 0.95


@dataclass(frozen=True)
class Sample:
    """Counters read at one moment; a step's figures are differences of two samples."""

    t: float  # time.monotonic()
    server_cpu: float  # the server process's utime + stime, seconds
    load_cpu: float  # the load processes' utime + stime, seconds
    server_wait: float  # seconds the server's threads were runnable but waiting for a core
    load_wait: float  # the same for the load processes
    pressure_us: float | None  # the machine's CPU pressure (PSI "some"), microseconds
    core_busy: float | None  # busy seconds of the server's core, when the server is pinned
    infra: dict[int, float] | None  # CPU seconds of PostgreSQL backends and redis-server, by pid


def percentile(sorted_values, q: float) -> float | None:
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[i]


def latency_summary(chunks: list[bytes]) -> dict:
    values = array("d")
    for chunk in chunks:
        values.frombytes(chunk)
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50_ms": ms(percentile(ordered, 0.50)),
        "p99_ms": ms(percentile(ordered, 0.99)),
        "max_ms": ms(ordered[-1] if ordered else None),
    }


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def expected_deliveries(sent: list[dict], *, acked_only: bool) -> dict[str, int]:
    """Room -> messages each member of the room should receive: what was sent (acknowledged,
    for protocol v1, where an unacknowledged post may not have been stored)."""
    expected: dict[str, int] = {}
    for answer in sent:
        for room, count in (answer["acked_by_room"] if acked_only else answer["by_room"]).items():
            expected[room] = expected.get(room, 0) + count
    return expected


def traffic(
    *,
    sent: list[dict],
    drained: list[dict],
    expected_total: int,
    rate: float | None,
    per_room: int | None,
    seconds: float,
    with_acks: bool,
) -> dict:
    """What was offered, what arrived and how fast."""
    started = min(s["started"] for s in sent)
    send_seconds = max(s["ended"] for s in sent) - started
    n_sent = sum(s["sent"] for s in sent)
    last = max((d["last_delivery"] for d in drained if d["last_delivery"]), default=None)
    delivered = sum(d["delivered"] for d in drained)
    return {
        "rate": round(rate, 3) if rate is not None else round(n_sent / send_seconds, 3),
        "senders_per_room": per_room,
        "sent": n_sent,
        "offered_ratio": round(n_sent / send_seconds / rate, 3) if rate else None,
        "generator_max_lag_ms": ms(max(s["max_lag"] for s in sent)),
        "unacked": sum(s["unacked"] for s in sent),
        "expected_deliveries": expected_total,
        "delivered": delivered,
        "pending_after_drain": sum(d["pending"] for d in drained),
        # Over the step (at least its nominal length), to its last delivery: a backlog counts.
        "seconds": round(seconds, 3),
        "deliveries_per_s": round(delivered / max(seconds, (last or started) - started), 1),
        "latency": latency_summary([d["lat"] for d in drained]),
        "ack_latency": latency_summary([d["ack_lat"] for d in drained]) if with_acks else None,
    }


def costs(
    before: Sample, after: Sample, *, delivered: int, infra_cpu: float | None, rss: int
) -> dict:
    """CPU of the server (and of PostgreSQL and Redis) per delivery, the load's CPU, memory."""
    cpu = after.server_cpu - before.server_cpu
    elapsed = after.t - before.t
    return {
        "server_cpu_s": round(cpu, 3),
        "server_cpu_share": round(cpu / elapsed, 3),
        "cpu_s_per_1k_deliveries": round(cpu / delivered * 1000, 5) if delivered else None,
        "infra_cpu_s_per_1k_deliveries": (
            round(infra_cpu / delivered * 1000, 5) if infra_cpu is not None and delivered else None
        ),
        "load_cpu_share": round((after.load_cpu - before.load_cpu) / elapsed, 3),
        "server_rss_mb": round(rss / 2**20, 1),
    }


def contention(before: Sample, after: Sample) -> dict:
    """others_on_server_core: the share of the server's core that other processes took during
    the step. server/load_wait_share: the share of the step the server's (load's) threads were
    runnable but waiting for their core, behind other processes or behind each other (the
    server's threads share one core). cpu_pressure (PSI): some task on the machine waited."""
    elapsed = after.t - before.t
    cpu = after.server_cpu - before.server_cpu
    others = None
    if before.core_busy is not None and after.core_busy is not None:
        others = round(max(0.0, (after.core_busy - before.core_busy) - cpu) / elapsed, 3)
    pressure = None
    if before.pressure_us is not None and after.pressure_us is not None:
        pressure = round((after.pressure_us - before.pressure_us) / 1e6 / elapsed, 3)
    return {
        "others_on_server_core": others,
        "server_wait_share": round((after.server_wait - before.server_wait) / elapsed, 3),
        "load_wait_share": round((after.load_wait - before.load_wait) / elapsed, 3),
        "cpu_pressure": pressure,
    }


def passed(step: dict, *, open_loop: bool) -> bool:
    """The step's verdict (the module docstring of bench/runner.py)."""
    p99 = step["latency"]["p99_ms"]
    return bool(
        not step["lost_or_late"]
        and not step["unacked"]
        and not step["errors"]
        and not step["closed"]
        and step["dups"] == 0
        and p99 is not None
        and p99 <= P99_LIMIT * 1000
        and (not open_loop or step["offered_ratio"] >= OFFERED_MIN)
    )
