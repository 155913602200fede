"""Runs one scenario against one target: starts the server (pinned to the server core), starts
the load processes (pinned to the load core), steps the load up, measures, stops everything.

A step passes when the generator offered what was asked (>= 95 %), every delivery of the
step arrived within the drain time, none twice, no error came back, and p99 <= 100 ms.
"""

import math
import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path

from . import figures, load, procstat
from .figures import OFFERED_MIN, latency_summary
from .profile import Profiler
from .scenarios import Scenario, Target, layout
from .servers import Fixtures, Infra, Server

MIN_MESSAGES = 6  # per open-loop step
CLIENT_BOUND = 0.90  # load-process CPU share above which a result may be the generator's limit


@dataclass
class Options:
    step_seconds: float = 4.0
    drain_seconds: float = 2.0
    recover_seconds: float = 15.0
    max_steps: int = 8
    start_rate: float | None = None
    rates: tuple[float, ...] | None = None  # exactly these offered rates, no stepping (open loop)
    load_procs: int = 1
    server_cpu: int | None = 0
    load_cpu: int | None = 1
    deflate: bool = True
    body_size: int = 80
    idle_levels: tuple[int, ...] | None = None
    profile: bool = False  # py-spy the server during the measured steps (bench/profile.py)
    logs: Path = Path("bench/results/logs")


class LoadProcs:
    """The load processes of one run, spoken to in lockstep: a command goes to all of them,
    then every answer is awaited."""

    def __init__(self, n: int, cpu: int | None, init: dict):
        ctx = multiprocessing.get_context("spawn")
        self.pipes, self.procs = [], []
        for _ in range(n):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=load.serve, args=(child, cpu), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)
        self.call("init", init)

    def call(self, name: str, kwargs: dict | list[dict], timeout: float = 120.0) -> list[dict]:
        per = kwargs if isinstance(kwargs, list) else [kwargs] * len(self.pipes)
        for pipe, kw in zip(self.pipes, per, strict=True):
            pipe.send((name, kw))
        results = []
        deadline = time.monotonic() + timeout
        for pipe in self.pipes:
            if not pipe.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"load process did not answer {name!r} within {timeout:.0f}s")
            status, result = pipe.recv()
            if status != "ok":
                raise RuntimeError(f"load process failed on {name!r}:\n{result}")
            results.append(result)
        return results

    def cpu_seconds(self) -> float:
        return sum(procstat.cpu_seconds(p.pid) for p in self.procs)

    def wait_seconds(self) -> float:
        return sum(procstat.wait_seconds(p.pid) for p in self.procs)

    def close(self) -> None:
        for pipe, proc in zip(self.pipes, self.procs, strict=True):
            try:
                pipe.send(("exit", {}))
                if pipe.poll(10):
                    pipe.recv()
            except (OSError, EOFError):
                pass
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)


class Run:
    """One scenario against one target."""

    def __init__(self, target: Target, scenario: Scenario, fixtures: Fixtures, options: Options):
        self.target, self.scenario, self.fixtures, self.options = (
            target,
            scenario,
            fixtures,
            options,
        )
        self.server: Server | None = None
        self.loads: LoadProcs | None = None
        self.infra: Infra | None = None
        self.blocks: list[list[dict]] = []
        self.expected: dict[int, dict[str, int]] = {}  # step -> room -> deliveries per member
        self._health_base = {"dups": 0, "reordered": 0, "errors": 0}

    def execute(self) -> dict:
        opts = self.options
        log = opts.logs / f"{self.scenario.key}-{self.target.name.replace('/', '-')}.log"
        self.server = Server(self.target.server, self.fixtures, log=log, cpu=opts.server_cpu)
        result: dict = {"target": self.target.name, "scenario": self.scenario.key}
        measured_log = None
        try:
            self.server.start()
            if self.target.server.production:
                database = (
                    self.fixtures.run_database if self.target.server.family == "parley" else None
                )
                self.infra = Infra(database, redis=True)
            self.loads = LoadProcs(
                opts.load_procs,
                opts.load_cpu,
                {
                    "url": self.server.url,
                    "proto": self.target.proto,
                    "deflate": opts.deflate,
                    "body_size": opts.body_size,
                },
            )
            if self.scenario.kind == "idle":
                result.update(self._idle())
            else:
                result.update(self._fanout())
            measured_log = self.server.log_size()
        except Exception as error:
            result["failed"] = f"{type(error).__name__}: {error}"
        finally:
            if self.loads is not None:
                self.loads.close()
            self.server.stop()
            result["server"] = self.server.described
            result["server_log"] = {"path": str(log), **self.server.log_summary(upto=measured_log)}
        return result

    # Fan-out scenarios

    def _fanout(self) -> dict:
        tokens = (
            self.fixtures.tokens.get(self.target.server.name)
            if self.target.server.family == "parley"
            else None
        )
        members = layout(self.scenario, tokens)
        n = self.options.load_procs
        size = math.ceil(len(members) / n)
        self.blocks = [members[i * size : (i + 1) * size] for i in range(n)]
        connected = self.loads.call("connect", [{"members": b} for b in self.blocks], timeout=180)
        conn = self._connect_summary(connected)
        if conn["failed"]:
            raise RuntimeError(
                f"{conn['failed']} sockets failed to connect: {connected[0]['failures']}"
            )
        warm = self.loads.call("warmup", {"within": 30.0}, timeout=60)
        if unprobed := sum(w["unprobed"] for w in warm):
            raise RuntimeError(f"{unprobed} sockets never received a warm-up probe")
        profiler = None
        if self.options.profile:
            out = (
                self.options.logs
                / f"{self.scenario.key}-{self.target.name.replace('/', '-')}.profile.txt"
            )
            profiler = Profiler(self.server.pid, out, self.options.load_cpu)
        try:
            steps = self._open_steps() if self.scenario.kind == "open" else self._closed_steps()
        finally:
            profile = profiler.stop() if profiler else None
        final = self._final()
        out = {"connect": conn, "steps": steps, "final": final, **self._choose(steps)}
        if profile is not None:
            out["profile"] = profile
            for name, share in profile.get("self", [])[:8]:
                print(f"      {share * 100:5.1f} %  {name}")
        return out

    def _open_steps(self) -> list[dict]:
        opts = self.options
        if opts.rates:
            return [self._step(i, rate=r) for i, r in enumerate(opts.rates)]
        rate = opts.start_rate or self.scenario.start_rate
        steps: list[dict] = []
        best, failed_at = None, None
        retried = False
        while len(steps) < opts.max_steps + 1:
            step = self._step(len(steps), rate=rate)
            steps.append(step)
            if not step["passed"] and not retried and self._only_slow(step):
                # Other work on the machine stalls the server now and then: one more try.
                retried = True
                step["retried"] = True
                continue
            if step["passed"]:
                best, rate = step, rate * 2
                continue
            failed_at = rate
            break
        if best is None and failed_at is not None and self._recovered(steps[-1]):
            steps.append(self._step(len(steps), rate=failed_at / 4))  # below the first step
            best = steps[-1] if steps[-1]["passed"] else None
        elif best is not None and failed_at is not None and self._recovered(steps[-1]):
            mid = math.sqrt(best["rate"] * failed_at)
            steps.append(self._step(len(steps), rate=mid))
            if steps[-1]["passed"]:
                best = steps[-1]
        if best is not None and self._recovered(steps[-1]):
            half = self._step(len(steps), rate=best["rate"] / 2)
            half["half_of"] = best["step"]
            steps.append(half)
        return steps

    @staticmethod
    def _only_slow(step: dict) -> bool:
        """Failed on latency alone: everything delivered, no errors, the rate offered."""
        return not (
            step["lost_or_late"]
            or step["unacked"]
            or step["errors"]
            or step["closed"]
            or step["dups"]
        ) and (step["offered_ratio"] is None or step["offered_ratio"] >= OFFERED_MIN)

    def _closed_steps(self) -> list[dict]:
        steps = []
        for k in self.scenario.closed_steps:
            active = [
                m["sender"]
                for b in self.blocks
                for m in b
                if m["sender"] is not None and m["sender"] % self.scenario.senders < k
            ]
            step = self._step(len(steps), senders=active, per_room=k)
            steps.append(step)
            if step["lost_or_late"] or step["errors"] or not self._recovered(step):
                break
        return steps

    def _step(
        self,
        index: int,
        *,
        rate: float | None = None,
        senders: list[int] | None = None,
        per_room: int | None = None,
    ) -> dict:
        """One step: open loop at `rate` (messages/s, all senders together), or closed loop with
        `senders` each keeping one message in flight. Sends, drains, then measures."""
        before = self._sample()
        seconds, sent = self._send(index, rate=rate, senders=senders)
        expected = figures.expected_deliveries(sent, acked_only=self.target.proto in ("v1", "v2"))
        self.expected[index] = expected
        drained = self.loads.call(
            "drain", {"step": index, "expected": expected, "within": self.options.drain_seconds}
        )
        after = self._sample()
        infra_cpu = Infra.delta(before.infra, after.infra) if self.infra else None
        health = self._health(drained)
        step = {
            "step": index,
            **figures.traffic(
                sent=sent,
                drained=drained,
                rate=rate,
                per_room=per_room,
                seconds=seconds,
                expected_total=sum(expected.get(m["room"], 0) for b in self.blocks for m in b),
                with_acks=self.target.proto in ("v1", "v2"),
            ),
        }
        step |= figures.costs(
            before, after, delivered=step["delivered"], infra_cpu=infra_cpu, rss=self.server.rss()
        )
        step |= figures.contention(before, after)
        step |= health
        step["lost_or_late"] = step["pending_after_drain"] > 0
        step["client_bound"] = step["load_cpu_share"] >= CLIENT_BOUND * len(self.loads.procs)
        step["passed"] = figures.passed(step, open_loop=rate is not None)
        self._health_base = {k: sum(d[k] for d in drained) for k in ("dups", "reordered", "errors")}
        print(self._step_line(step), flush=True)
        return step

    def _send(
        self, index: int, *, rate: float | None, senders: list[int] | None
    ) -> tuple[float, list[dict]]:
        """Run the step's load; returns its nominal length in seconds and each load process's
        account of what it sent."""
        opts = self.options
        if rate is None:
            kwargs = {"step": index, "senders": senders, "seconds": opts.step_seconds}
            return opts.step_seconds, self.loads.call(
                "closed_step", kwargs, timeout=opts.step_seconds + 60
            )
        total = sum(1 for b in self.blocks for m in b if m["sender"] is not None)
        # At a low rate a short step holds too few messages for a tail: MIN_MESSAGES at least.
        seconds = max(opts.step_seconds, MIN_MESSAGES / rate)
        # Each load process offers its share of the rate: its share of the senders.
        per_block = [
            {
                "step": index,
                "seconds": seconds,
                "rate": rate * sum(m["sender"] is not None for m in b) / total,
            }
            for b in self.blocks
        ]
        return seconds, self.loads.call("open_step", per_block, timeout=seconds * 3 + 60)

    def _sample(self) -> figures.Sample:
        server_cpu = self.options.server_cpu
        return figures.Sample(
            server_cpu=self.server.cpu_seconds(),
            load_cpu=self.loads.cpu_seconds(),
            t=time.monotonic(),
            server_wait=procstat.wait_seconds(self.server.pid),
            load_wait=self.loads.wait_seconds(),
            pressure_us=procstat.cpu_pressure_us(),
            core_busy=procstat.core_busy_seconds(server_cpu) if server_cpu is not None else None,
            infra=self.infra.sample() if self.infra else None,
        )

    def _health(self, answers: list[dict]) -> dict:
        base = self._health_base
        return {
            "dups": sum(a["dups"] for a in answers) - base["dups"],
            "reordered": sum(a["reordered"] for a in answers) - base["reordered"],
            "errors": sum(a["errors"] for a in answers) - base["errors"],
            "error_samples": [e for a in answers for e in a["error_samples"]][:3],
            "closed": sum(a["closed"] for a in answers),
        }

    def _recovered(self, step: dict) -> bool:
        """Whether the server caught up with a step that left deliveries pending."""
        if not step["lost_or_late"]:
            return True
        drained = self.loads.call(
            "drain",
            {
                "step": step["step"],
                "expected": self.expected[step["step"]],
                "within": self.options.recover_seconds,
            },
            timeout=self.options.recover_seconds + 30,
        )
        pending = sum(d["pending"] for d in drained)
        step["pending_after_recovery"] = pending
        return pending == 0

    def _final(self) -> dict:
        health = self.loads.call("final", {"expected": {}, "within": 0.0})
        if self.target.proto in ("v1", "v2"):
            expected: dict = {}
            for h in health:
                for room, seq in h["acked_seq"].items():
                    expected[room] = max(expected.get(room, 0), seq)
        else:
            expected = {}
            sent_n = {int(s): n for h in health for s, n in h["sent_n"].items()}
            for b in self.blocks:
                for m in b:
                    if m["sender"] is not None and m["sender"] in sent_n:
                        expected.setdefault(m["room"], {})[str(m["sender"])] = (
                            sent_n[m["sender"]] - 1
                        )
        answers = self.loads.call(
            "final", {"expected": expected, "within": self.options.drain_seconds}
        )
        self._health_base = {"dups": 0, "reordered": 0, "errors": 0}
        return {"lost": sum(a["lost"] for a in answers), **self._health(answers)}

    def _choose(self, steps: list[dict]) -> dict:
        """The step the summary reports: the highest rate that passed; when none did, the
        lowest-rate step (open loop) or the step with the most senders and nothing lost (closed loop),
        flagged as not meeting the p99 limit."""
        passed = [s for s in steps if s["passed"] and "half_of" not in s]
        best = max(passed, key=lambda s: s["rate"], default=None)
        fallback = None
        if best is None and steps:
            whole = [s for s in steps if not s["lost_or_late"] and "half_of" not in s]
            if self.scenario.kind == "open":
                fallback = min(steps, key=lambda s: s["rate"])
            elif whole:  # the most senders in flight: the same point for every target
                fallback = max(whole, key=lambda s: s["senders_per_room"])
        half = next(
            (s for s in steps if best is not None and s.get("half_of") == best["step"]), None
        )
        peak = max(steps, key=lambda s: s["deliveries_per_s"], default=None)
        return {
            "sustained_step": best["step"] if best else None,
            "fallback_step": fallback["step"] if fallback else None,
            "half_rate_step": half["step"] if half else None,
            "peak_step": peak["step"] if peak else None,
        }

    def _step_line(self, step: dict) -> str:
        lat = step["latency"]
        flags = ("ok" if step["passed"] else "FAIL") + (
            " client-bound" if step["client_bound"] else ""
        )
        rate = (
            f"{step['rate']:>8.3g} msg/s"
            if step["senders_per_room"] is None
            else (f"{step['senders_per_room']:>3}/room {step['rate']:>6.0f} msg/s")
        )
        cpu = step["cpu_s_per_1k_deliveries"]
        return (
            f"    step {step['step']}: {rate}  {step['deliveries_per_s']:>9.0f} deliv/s  "
            f"p50 {lat['p50_ms'] or 0:>7.1f}  p99 {lat['p99_ms'] or 0:>7.1f} ms  "
            f"pending {step['pending_after_drain']}  dup {step['dups']}  err {step['errors']}  "
            f"cpu/1k {cpu if cpu is not None else '-'}  srv {step['server_cpu_share']:.2f} "
            f"(others {step['others_on_server_core'] or 0:.2f}) load {step['load_cpu_share']:.2f}  {flags}"
        )

    def _connect_summary(self, answers: list[dict]) -> dict:
        hs = latency_summary([a["handshake"] for a in answers])
        ready = latency_summary([a["ready"] for a in answers])
        return {
            "sockets": hs["n"],
            "failed": sum(a["failed"] for a in answers),
            "seconds": round(max(a["seconds"] for a in answers), 3),
            "handshake": hs,
            "ready": ready,
            "deflate_negotiated": sum(a["deflate"] for a in answers),
        }

    # Idle connections

    def _idle(self) -> dict:
        levels = self.options.idle_levels or self.scenario.idle_levels
        slugs = self.scenario.slugs()
        next_index = 0

        def batch(count: int) -> dict:
            nonlocal next_index
            specs = [
                {"index": i, "room": slugs[i % len(slugs)], "sender": None, "token": None}
                for i in range(next_index, next_index + count)
            ]
            next_index += count
            n = self.options.load_procs
            size = math.ceil(len(specs) / n)
            cpu0 = self.server.cpu_seconds()
            answers = self.loads.call(
                "connect",
                [{"members": specs[i * size : (i + 1) * size]} for i in range(n)],
                timeout=600,
            )
            summary = self._connect_summary(answers)
            summary["server_cpu_ms_per_connection"] = round(
                (self.server.cpu_seconds() - cpu0) / max(1, summary["sockets"]) * 1000, 3
            )
            summary["connects_per_s"] = round(summary["sockets"] / summary["seconds"], 1)
            return summary

        warm = batch(
            100
        )  # imports, first DB connection, allocator arenas: not per-connection costs
        time.sleep(1.5)
        rss0 = self.server.rss()
        levels_out = []
        held = 0
        for level in levels:
            added = batch(level - held)
            held = level
            time.sleep(2.0)
            rss = self.server.rss()
            alive = self.loads.call("final", {"expected": {}, "within": 0.0})
            levels_out.append(
                {
                    "connections": level,
                    "batch": added,
                    "server_rss_mb": round(rss / 2**20, 1),
                    "rss_kb_per_connection": round((rss - rss0) / level / 1024, 2),
                    "closed": sum(a["closed"] for a in alive),
                }
            )
            print(
                f"    {level:>6} idle: {levels_out[-1]['rss_kb_per_connection']:>8.1f} KB/conn  "
                f"{added['connects_per_s']:>7.0f} conn/s  handshake p99 {added['handshake']['p99_ms']} ms  "
                f"ready p99 {added['ready']['p99_ms']} ms  failed {added['failed']}  "
                f"server {added['server_cpu_ms_per_connection']} ms cpu/conn",
                flush=True,
            )
            if added["failed"]:
                break
        return {"warm": warm, "rss_base_mb": round(rss0 / 2**20, 1), "levels": levels_out}
