"""The figures of a benchmark run, their ratios to the baseline and to the ceiling, as a
terminal table and as JSON.

Each target's baseline is the tutorial peer on the same channel layer (in-memory or Redis);
the ceiling is the bare websockets peer. A ratio is target / reference for every figure, so
read it in the figure's direction: above 1 is better for rates, worse for latency, CPU and memory.
"""

from .scenarios import CEILING, TARGETS

# figure -> (column title, format, better: "high" | "low")
FANOUT_FIGURES = {
    "rate": ("msg/s", "{:.0f}", "high"),
    "deliveries_per_s": ("deliv/s", "{:.0f}", "high"),
    "p50_ms": ("p50 ms", "{:.1f}", "low"),
    "p99_ms": ("p99 ms", "{:.1f}", "low"),
    "p99_ms_half_rate": ("p99@½", "{:.1f}", "low"),
    "lost": ("lost", "{:d}", "low"),
    "dups": ("dup", "{:d}", "low"),
    "cpu_s_per_1k_deliveries": ("CPU s/1k", "{:.4f}", "low"),
    "deliveries_per_cpu_s": ("deliv/CPU-s", "{:.0f}", "high"),
    "infra_cpu_s_per_1k_deliveries": ("infra s/1k", "{:.4f}", "low"),
}
IDLE_FIGURES = {
    "rss_kb_per_connection": ("KB/conn", "{:.1f}", "low"),
    "connects_per_s": ("conn/s", "{:.0f}", "high"),
    "handshake_p99_ms": ("hs p99 ms", "{:.1f}", "low"),
    "ready_p99_ms": ("ready p99", "{:.1f}", "low"),
    "server_cpu_ms_per_connection": ("CPU ms/conn", "{:.2f}", "low"),
    "closed": ("closed", "{:d}", "low"),
}


def fanout_figures(run: dict) -> dict | None:
    steps = {s["step"]: s for s in run.get("steps", [])}
    best = steps.get(run.get("sustained_step"))
    met = best is not None
    if best is None:
        best = steps.get(run.get("fallback_step"))
    if best is None:
        return None
    half = steps.get(run.get("half_rate_step"))
    peak = steps.get(run.get("peak_step"))
    cpu = best["cpu_s_per_1k_deliveries"]
    final = run.get("final", {})
    return {
        "rate": best["rate"],
        "senders_per_room": best["senders_per_room"],
        "deliveries_per_s": best["deliveries_per_s"],
        "p50_ms": best["latency"]["p50_ms"],
        "p99_ms": best["latency"]["p99_ms"],
        "p99_ms_half_rate": half["latency"]["p99_ms"] if half else None,
        "lost": final.get("lost", 0),
        "dups": final.get("dups", 0),
        "cpu_s_per_1k_deliveries": cpu,
        "deliveries_per_cpu_s": round(1000 / cpu, 1) if cpu else None,
        "infra_cpu_s_per_1k_deliveries": best.get("infra_cpu_s_per_1k_deliveries"),
        "client_bound": any(s["client_bound"] for s in steps.values()),
        "met_p99_limit": met,
        "others_on_server_core": best.get("others_on_server_core"),
        "peak_deliveries_per_s": peak["deliveries_per_s"] if peak else None,
    }


def idle_figures(run: dict) -> dict[int, dict]:
    out = {}
    for level in run.get("levels", []):
        batch = level["batch"]
        out[level["connections"]] = {
            "rss_kb_per_connection": level["rss_kb_per_connection"],
            "connects_per_s": batch["connects_per_s"],
            "handshake_p99_ms": batch["handshake"]["p99_ms"],
            "ready_p99_ms": batch["ready"]["p99_ms"],
            "server_cpu_ms_per_connection": batch["server_cpu_ms_per_connection"],
            "closed": level["closed"],
        }
    return out


def ratios(figures: dict, reference: dict | None, names) -> dict:
    out = {}
    for name in names:
        value, ref = figures.get(name), (reference or {}).get(name)
        ok = isinstance(value, int | float) and isinstance(ref, int | float) and ref
        out[name] = round(value / ref, 3) if ok else None
    return out


def summarize(runs: list[dict]) -> dict:
    """scenario -> target -> {figures, vs_baseline, vs_ceiling} (idle: per connection count)."""
    summary: dict = {}
    for run in runs:
        if "failed" in run:
            summary.setdefault(run["scenario"], {})[run["target"]] = {"failed": run["failed"]}
            continue
        figures = idle_figures(run) if "levels" in run else fanout_figures(run)
        summary.setdefault(run["scenario"], {})[run["target"]] = {"figures": figures}
    for scenario, targets in summary.items():
        for name, entry in targets.items():
            if "figures" not in entry or entry["figures"] is None:
                continue
            base = targets.get(TARGETS[name].baseline, {}).get("figures")
            ceiling = targets.get(CEILING, {}).get("figures")
            figs = entry["figures"]
            if scenario == "d":
                entry["vs_baseline"] = {
                    n: ratios(f, (base or {}).get(n), IDLE_FIGURES) for n, f in figs.items()
                }
                entry["vs_ceiling"] = {
                    n: ratios(f, (ceiling or {}).get(n), IDLE_FIGURES) for n, f in figs.items()
                }
            else:
                entry["vs_baseline"] = ratios(figs, base, FANOUT_FIGURES)
                entry["vs_ceiling"] = ratios(figs, ceiling, FANOUT_FIGURES)
    return summary


def _fmt(value, fmt: str) -> str:
    if value is None:
        return "-"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def table(summary: dict, titles: dict[str, str]) -> str:
    lines = []
    for scenario in sorted(summary):
        targets = summary[scenario]
        lines.append("")
        lines.append(f"({scenario}) {titles.get(scenario, '')}")
        if scenario == "d":
            lines += _idle_table(targets)
        else:
            lines += _fanout_table(targets, closed="closed" in titles.get(scenario, ""))
    lines.append("")
    lines.append(
        "x base = target / tutorial peer on the same layer; x ceil = target / bare websockets."
    )
    lines.append(
        "Above 1 is better for rates, worse for latency, CPU and memory. * = load generator near 100% CPU;"
    )
    lines.append(
        "! = no step met p99 <= 100 ms with zero loss: the lowest-rate (open) or most-senders loss-free (closed) step."
    )
    return "\n".join(lines)


def _fanout_table(targets: dict, *, closed: bool) -> list[str]:
    cols = [
        "deliveries_per_s",
        "p50_ms",
        "p99_ms",
        "p99_ms_half_rate",
        "lost",
        "dups",
        "cpu_s_per_1k_deliveries",
        "deliveries_per_cpu_s",
    ]
    first = "senders" if closed else "msg/s"
    head = f"  {'target':<27}{first:>8}" + "".join(f"{FANOUT_FIGURES[c][0]:>12}" for c in cols)
    head += f"{'x base':>8}{'x ceil':>8}"
    out = [head]
    for name, entry in targets.items():
        figs = entry.get("figures")
        if figs is None:
            out.append(
                f"  {name:<27}  {entry.get('failed', 'no step passed (zero loss, p99 <= 100 ms)')}"
            )
            continue
        lead = figs["senders_per_room"] if closed else figs["rate"]
        mark = ("*" if figs["client_bound"] else "") + ("" if figs["met_p99_limit"] else "!")
        row = f"  {name + mark:<27}{_fmt(lead, '{:.3g}'):>8}"
        row += "".join(f"{_fmt(figs.get(c), FANOUT_FIGURES[c][1]):>12}" for c in cols)
        row += f"{_fmt(entry['vs_baseline'].get('deliveries_per_cpu_s'), '{:.2f}'):>8}"
        row += f"{_fmt(entry['vs_ceiling'].get('deliveries_per_cpu_s'), '{:.2f}'):>8}"
        out.append(row)
    out.append(
        "  (x base / x ceil of deliveries per server CPU-second; JSON has every figure's ratios)"
    )
    return out


def _idle_table(targets: dict) -> list[str]:
    cols = list(IDLE_FIGURES)
    head = f"  {'target':<27}{'conns':>7}" + "".join(f"{IDLE_FIGURES[c][0]:>12}" for c in cols)
    head += f"{'KB x base':>10}{'KB x ceil':>10}"
    out = [head]
    for name, entry in targets.items():
        figs = entry.get("figures")
        if not figs:
            out.append(f"  {name:<27}  {entry.get('failed', '-')}")
            continue
        for level, f in figs.items():
            row = f"  {name:<27}{level:>7}" + "".join(
                f"{_fmt(f.get(c), IDLE_FIGURES[c][1]):>12}" for c in cols
            )
            row += f"{_fmt(entry['vs_baseline'].get(level, {}).get('rss_kb_per_connection'), '{:.2f}'):>10}"
            row += f"{_fmt(entry['vs_ceiling'].get(level, {}).get('rss_kb_per_connection'), '{:.2f}'):>10}"
            out.append(row)
    return out
