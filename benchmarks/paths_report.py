"""The table of ``bench_paths.py``: the rows and targets of issue 11, the cells, saving and loading results.

One column per vault size; targets are judged at ``TARGET_SIZE`` contacts only (the issue's targets are stated
for 10,000; its 100k column is shown for reference). A column after the first also shows each figure's growth
over the previous column (``x9.8``): linear growth from 10k to 100k is about x10.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench_build import machine_info
from paths_children import VAULTNET_DIR, Metric

TARGET_SIZE = 10_000
COLD_FACTOR = 2.0
DEBOUNCE_S = 0.1  # the debounce of a single save (at most 0.1 s), added to the watch targets
FORMAT = 1
UNITS = {
    "memory": "MiB",
    "cache": "bytes",
    "serve": "req/s",
    "serve_plain": "req/s",
    "serve_304": "req/s",
}  # the others: seconds


@dataclass
class SizeResult:
    """Everything measured at one vault size."""

    contacts: int
    n_md: int  # Markdown files in the vault
    notes_bytes: int
    metrics: dict[str, Metric] = field(default_factory=dict)
    info: list[str] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        """The median of a metric that was measured without error; None otherwise."""
        metric = self.metrics.get(key)
        return metric.median if metric is not None and metric.error is None else None


@dataclass(frozen=True)
class Spec:
    """One row: what it shows, the issue's targets, and the value a target is judged on."""

    key: str
    label: str
    target: str
    target_100k: str
    judged: Callable[[SizeResult], float | None]
    ok: Callable[[float], bool] | None
    cell: Callable[[SizeResult], str]


def _secs(key: str) -> Callable[[SizeResult], str]:
    def cell(r: SizeResult) -> str:
        m = r.median(key)
        return "" if m is None else f"{m:.3f} s"

    return cell


def _cold_ratio(r: SizeResult) -> float | None:
    cold, floor = r.median("cold"), r.median("floor")
    return None if cold is None or not floor else cold / floor


def _cold_cell(r: SizeResult) -> str:
    cold, floor, ratio = r.median("cold"), r.median("floor"), _cold_ratio(r)
    return "" if cold is None or floor is None or ratio is None else f"{cold:.2f} s ({ratio:.1f}x floor {floor:.2f} s)"


def _serve_cell(r: SizeResult) -> str:
    parts = []
    labels = (("serve", ""), ("serve_304", "revalidating (304): "))
    for key, label in labels:
        m = r.metrics.get(key)
        if m is not None and m.error is None and m.runs:
            parts.append(f"{label}{m.runs[0]:.0f} req/s, {m.extra.get('max_latency_s', math.nan):.2f} s max latency")
    return "; ".join(parts)


def _cache_ratio(r: SizeResult) -> float | None:
    m = r.median("cache")
    return None if m is None or not r.notes_bytes else m / r.notes_bytes


def _cache_cell(r: SizeResult) -> str:
    m, ratio = r.median("cache"), _cache_ratio(r)
    return "" if m is None or ratio is None else f"{m / 2**20:.1f} MiB ({ratio:.2f}x the notes)"


def _mib_cell(r: SizeResult) -> str:
    m = r.median("memory")
    return "" if m is None else f"{m:.0f} MiB"


def _at_most(limit: float) -> Callable[[float], bool]:
    return lambda v: v <= limit


SPECS = (
    Spec("cold", "cold build", f"≤ {COLD_FACTOR:g}x floor", "≤ 20 s", _cold_ratio, _at_most(COLD_FACTOR), _cold_cell),
    Spec(
        "unchanged",
        "nothing changed",
        "≤ 0.12 s",
        "≤ 0.5 s",
        lambda r: r.median("unchanged"),
        _at_most(0.12),
        _secs("unchanged"),
    ),
    Spec(
        "one_changed",
        "one note changed",
        "≤ 0.2 s",
        "≤ 1 s",
        lambda r: r.median("one_changed"),
        _at_most(0.2),
        _secs("one_changed"),
    ),
    Spec("due", "`due --json` (warm)", "≤ 0.2 s", "≤ 1 s", lambda r: r.median("due"), _at_most(0.2), _secs("due")),
    Spec(
        "watch",
        "`watch`: save -> calendar on disk",
        f"≤ 0.2 s + debounce ({0.2 + DEBOUNCE_S:g} s)",
        f"≤ 0.5 s + debounce ({0.5 + DEBOUNCE_S:g} s)",
        lambda r: r.median("watch"),
        _at_most(0.2 + DEBOUNCE_S),
        _secs("watch"),
    ),
    Spec(
        "serve",
        "`serve` under 20 parallel clients",
        "≥ 500 req/s",
        "",
        lambda r: r.median("serve"),
        lambda v: v >= 500,
        _serve_cell,
    ),
    Spec(
        "memory",
        "peak memory, one changed",
        "≤ 100 MiB",
        "≤ 800 MiB",
        lambda r: r.median("memory"),
        _at_most(100),
        _mib_cell,
    ),
    Spec("cache", "cache on disk", "≤ 1x the notes' size", "", _cache_ratio, _at_most(1.0), _cache_cell),
    Spec(
        "daily_changed",
        "one daily note changed (info)",
        "",
        "",
        lambda r: r.median("daily_changed"),
        None,
        _secs("daily_changed"),
    ),
)


def _growth(spec: Spec, result: SizeResult, before: SizeResult | None) -> str:
    """`` (x9.8)``: the row's main figure over the previous column's, for rows that grow with the vault."""
    if before is None or spec.key == "serve":
        return ""
    now, then = result.median(spec.key), before.median(spec.key)
    return f" (x{now / then:.1f})" if now is not None and then else ""


def size_label(n: int) -> str:
    """``10k`` for 10,000 contacts."""
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def table(results: list[SizeResult], spec_list: tuple[Spec, ...] = SPECS) -> tuple[list[str], list[str]]:
    """(the Markdown table's lines, the rows whose target was missed at TARGET_SIZE)."""
    lines = [
        "| path | " + " | ".join(size_label(r.contacts) for r in results) + " | target 10k | target 100k |",
        "|---|" + "---:|" * len(results) + "---:|---:|",
    ]
    missed: list[str] = []
    for spec in spec_list:
        cells = []
        for i, r in enumerate(results):
            metric = r.metrics.get(spec.key)
            text = "ERROR" if metric is not None and metric.error is not None else spec.cell(r)
            if text and text != "ERROR":
                text += _growth(spec, r, results[i - 1] if i else None)
                value = spec.judged(r)
                if r.contacts == TARGET_SIZE and spec.ok is not None and value is not None:
                    good = spec.ok(value)
                    text += " ok" if good else " **MISSED**"
                    missed += [] if good else [spec.label]
            cells.append(text or "–")
        lines.append(f"| {spec.label} | " + " | ".join(cells) + f" | {spec.target} | {spec.target_100k} |")
    return lines, missed


def details(r: SizeResult) -> list[str]:
    """The notes under the table for one size: floors, API times, every run."""
    out = [f"- **{size_label(r.contacts)}**: {r.contacts} contacts, {r.n_md} Markdown files, "
           f"{r.notes_bytes / 2**20:.1f} MiB of notes; " + "; ".join(r.info)]  # fmt: skip
    floor, inproc = r.median("floor"), r.median("floor_in_process")
    if floor is not None and inproc is not None:
        out.append(f"  - floor: {floor:.3f} s as a process (paired with each cold build), {inproc:.3f} s in "
                   f"this process (bench_build's floor c2); {r.metrics['floor'].extra.get('mappings', 0):.0f} front "
                   "matters parsed")  # fmt: skip
    api = [(k, r.median(f"api_{k}")) for k in ("cold", "unchanged", "one_changed")]
    if any(v is not None for _, v in api):
        out.append("  - API `build()` alone (imports not counted): "
                   + ", ".join(f"{k.replace('_', ' ')} {v:.3f} s" for k, v in api if v is not None))  # fmt: skip
    cache = r.metrics.get("cache")
    if cache is not None and cache.runs:
        out.append(f"  - `.vaultnet/` holds {cache.extra['folder'] / 2**20:.1f} MiB, of which the calendar "
                   f"{cache.extra['calendar'] / 2**20:.1f} MiB (an output, not counted as cache)")  # fmt: skip
    for key, metric in r.metrics.items():
        unit = UNITS.get(key, "s")
        runs = ", ".join(f"{x:.0f}" if unit == "bytes" else f"{x:.3f}" for x in metric.runs) or "–"
        extra = "".join(f"; {k} {v:.0f}" if v == int(v) else f"; {k} {v:.3f}" for k, v in metric.extra.items())
        note = f" ({metric.note})" if metric.note else ""
        out.append(f"  - {key}: {runs} {unit}{extra}{note}")
    return out


def print_report(results: list[SizeResult], args: argparse.Namespace, command: str, n_pyc: int) -> bool:
    """Print the whole Markdown report; whether something was missed or failed."""
    print("# vaultnet: every path of issue 11\n")
    print(f"- command: `{command}`")
    for line in machine_info():
        print(line)
    if hasattr(os, "getloadavg"):
        print("- load average before the report (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if n_pyc:
        print(f"- vaultnet: {VAULTNET_DIR} ({n_pyc} modules compiled beforehand; children write bytecode)")
    print(
        f"- each value is the median of {args.repeat} fresh process(es); `--today {args.today}` for build and "
        f"due; watch and serve run on the real day; serve: {args.clients} clients for {args.serve_seconds:g} s\n"
    )
    lines, missed = table(results)
    print("\n".join(lines))
    print("\n<details><summary>floors, API times, every run</summary>\n")
    for r in results:
        print("\n".join(details(r)))
    print("\n</details>\n")
    errors = [(r.contacts, k, m.error) for r in results for k, m in r.metrics.items() if m.error is not None]
    for contacts, key, error in errors:
        print(f"ERROR at {contacts} contacts, {key}:\n```\n{error.strip()}\n```")
    for label in missed:
        print(f"MISSED: {label} at {TARGET_SIZE} contacts")
    if missed or errors:
        print(f"\nRESULT: MISSED {len(missed)} target(s), {len(errors)} error(s).")
    elif any(r.contacts == TARGET_SIZE for r in results):
        print("\nRESULT: all targets met.")
    else:
        print(f"\nRESULT: no errors (targets are judged at {TARGET_SIZE} contacts, not measured here).")
    return bool(missed or errors)


def save_results(path: Path, results: list[SizeResult]) -> None:
    """Write results as JSON (``--save``)."""
    path.write_text(json.dumps({"format": FORMAT, "results": [asdict(r) for r in results]}, indent=1) + "\n")


def load_results(path: Path) -> list[SizeResult]:
    """Read results written by ``save_results`` (``--load``)."""
    data = json.loads(path.read_text())
    if data.get("format") != FORMAT:
        raise SystemExit(f"{path}: not a result file of this benchmark (format {data.get('format')!r})")
    out = []
    for item in data["results"]:
        metrics = {k: Metric(**m) for k, m in item.pop("metrics").items()}
        out.append(SizeResult(**item, metrics=metrics))
    return out
