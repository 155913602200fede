"""`python -m bench` (`make bench`): Parley side by side with the Channels-tutorial baseline and
the bare websockets ceiling, same run, same load. docs/performance.md explains the method.

    python -m bench                      # everything (about 15 minutes on 2 cores)
    python -m bench --quick              # embedded Parley v1, tutorial in-memory, bare; a, c, d(1k)
    python -m bench --scenarios a --targets parley-embedded/v1,tutorial-inmemory,bare-ws
"""

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from .report import summarize, table
from .runner import Options, Run
from .scenarios import (
    FANOUT_TARGETS,
    IDLE_TARGETS,
    MAX_SENDERS,
    QUICK_TARGETS,
    SCENARIOS,
    TARGETS,
    all_slugs,
)
from .servers import PG_URL, REDIS_HOST, REDIS_PORT, ROOT, Fixtures


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a quick subset: 3 targets, scenarios a, c and d at 1k, 2 s steps",
    )
    parser.add_argument("--scenarios", help=f"comma-separated, of {','.join(SCENARIOS)}")
    parser.add_argument("--targets", help=f"comma-separated, of {','.join(TARGETS)}")
    parser.add_argument(
        "--step-seconds", type=float, help="length of each load step (default 3, quick 2)"
    )
    parser.add_argument(
        "--start-rate", type=float, help="first offered rate in messages/s (open-loop scenarios)"
    )
    parser.add_argument(
        "--max-steps", type=int, default=8, help="doublings of the offered rate at most"
    )
    parser.add_argument("--idle-levels", help="idle connection counts, e.g. 1000,5000,10000")
    parser.add_argument(
        "--load-procs",
        type=int,
        default=1,
        help="load generator processes (all on the load core; more only help with more cores)",
    )
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--load-cpu", type=int, default=1)
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin the server and the load to cores"
    )
    parser.add_argument(
        "--no-deflate",
        action="store_true",
        help="clients do not offer permessage-deflate (browsers do)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample each server with py-spy during the steps (collapsed stacks next to the logs)",
    )
    parser.add_argument(
        "--parley-settings",
        metavar="MODULE",
        help="Parley's settings module in embedded mode (default bench.settings_embedded): "
        "to compare a variant",
    )
    parser.add_argument(
        "--no-production", action="store_true", help="skip the PostgreSQL + Redis targets"
    )
    parser.add_argument("--out", help="JSON file (default bench/results/bench-<time>.json)")
    return parser.parse_args(argv)


def plan(args) -> list[tuple[str, list[str]]]:
    scenarios = (
        args.scenarios.split(",")
        if args.scenarios
        else (["a", "c", "d"] if args.quick else list(SCENARIOS))
    )
    chosen = args.targets.split(",") if args.targets else None
    for name in chosen or []:
        if name not in TARGETS:
            raise SystemExit(f"unknown target {name!r}; choose from {', '.join(TARGETS)}")
    out = []
    for key in scenarios:
        if key not in SCENARIOS:
            raise SystemExit(f"unknown scenario {key!r}; choose from {', '.join(SCENARIOS)}")
        default = QUICK_TARGETS if args.quick else (IDLE_TARGETS if key == "d" else FANOUT_TARGETS)
        targets = [t for t in (chosen or default) if key == "d" or t != "tutorial-defaults"]
        out.append((key, targets))
    return out


def production_problem() -> str | None:
    """Why the PostgreSQL + Redis mode cannot run here, or None."""
    try:
        import psycopg
        import redis

        with psycopg.connect(f"{PG_URL}/postgres", connect_timeout=3):
            pass
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=3).ping()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def machine() -> dict:
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    return {
        "nproc": os.cpu_count(),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in run(["lscpu"]).splitlines()
                if line.startswith("Model name")
            ),
            platform.processor(),
        ),
        "python": platform.python_version(),
        "loadavg_start": os.getloadavg(),
        "git": run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
    }


def contention(runs: list[dict]) -> dict:
    """How much of the server's core the machine's other work took, over every step."""
    others = sorted(s.get("others_on_server_core") or 0.0 for r in runs for s in r.get("steps", []))
    if not others:
        return {"steps": 0, "others_on_server_core_median": 0.0, "others_on_server_core_max": 0.0}
    return {
        "steps": len(others),
        "others_on_server_core_median": others[len(others) // 2],
        "others_on_server_core_max": others[-1],
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    work = plan(args)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 2 * 10_000 + 1_000:
        print(f"note: the open-files limit is {hard}; 10k idle sockets need about 10k per process")
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    if pin:
        os.sched_setaffinity(0, {args.load_cpu})  # the runner and the load processes
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"bench-{stamp}.json"
    options = Options(
        step_seconds=args.step_seconds or (2.0 if args.quick else 3.0),
        max_steps=args.max_steps,
        start_rate=args.start_rate,
        load_procs=args.load_procs,
        server_cpu=args.server_cpu if pin else None,
        load_cpu=args.load_cpu if pin else None,
        deflate=not args.no_deflate,
        profile=args.profile,
        idle_levels=tuple(int(n) for n in args.idle_levels.split(","))
        if args.idle_levels
        else ((1000,) if args.quick else None),
        logs=out.parent / f"logs-{stamp}",
    )
    skipped = {}
    if not args.no_production and any(TARGETS[t].server.production for _, ts in work for t in ts):
        if problem := production_problem():
            skipped = {
                t: f"PostgreSQL/Redis unavailable: {problem}"
                for t in TARGETS
                if TARGETS[t].server.production
            }
    if args.no_production:
        skipped = {t: "--no-production" for t in TARGETS if TARGETS[t].server.production}

    meta = {
        "started": stamp,
        "argv": argv,
        "machine": machine(),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(options).items()},
        "skipped": skipped,
    }
    print(
        f"Parley fan-out benchmark: server on CPU {options.server_cpu}, load on CPU {options.load_cpu}; "
        f"results -> {out}"
    )
    fixtures = Fixtures(
        Path(tempfile.mkdtemp(prefix="parley-bench-")),
        senders=MAX_SENDERS,
        rooms=all_slugs(),
        settings={"embedded": args.parley_settings} if args.parley_settings else None,
    )
    meta["parley_settings"] = fixtures.settings
    runs: list[dict] = []
    started = time.monotonic()
    try:
        for key, targets in work:
            scenario = SCENARIOS[key]
            print(f"\n({key}) {scenario.title}")
            for name in targets:
                if name in skipped:
                    runs.append(
                        {"target": name, "scenario": key, "failed": f"skipped: {skipped[name]}"}
                    )
                    continue
                print(f"  {name}", flush=True)
                runs.append(Run(TARGETS[name], scenario, fixtures, options).execute())
                if "failed" in runs[-1]:
                    print(f"    failed: {runs[-1]['failed']}")
    except KeyboardInterrupt:
        print("\ninterrupted: everything started was stopped; partial results follow")
        meta["interrupted"] = True
    finally:
        fixtures.cleanup()
    meta["seconds"] = round(time.monotonic() - started, 1)
    meta["machine"]["loadavg_end"] = os.getloadavg()
    summary = summarize(runs)
    meta["contention"] = contention(runs)
    print(table(summary, {k: s.title for k, s in SCENARIOS.items()}))
    c = meta["contention"]
    print(
        f"Noise: load average {meta['machine']['loadavg_start'][0]:.1f} -> {meta['machine']['loadavg_end'][0]:.1f}; "
        f"other processes took {c['others_on_server_core_median']:.0%} of the server's core during a step "
        f"(median over {c['steps']} steps, max {c['others_on_server_core_max']:.0%})."
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"meta": meta, "summary": summary, "runs": runs}, indent=1, default=str)
    )
    print(f"\n{meta['seconds']:.0f} s; JSON: {out}")
    return 130 if meta.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
