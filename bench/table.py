"""The README's table of the latest figures, from a result of bench.run: each measure on SQLite
and PostgreSQL with its ratio to the plain SQL aggregate of the same run.

    .venv/bin/python -m bench.table bench/results/2026-11-29T...-100000.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FLOOR = "plain SQL aggregate goals x regions (floor)"


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.1f} ms" if value < 10_000 else f"{value / 1000:,.1f} s"


def table(report: dict) -> str:
    backends = list(report["backends"])
    names: list[str] = []
    for result in report["backends"].values():
        names += [n for n in result["measures"] if n not in names]
    head = "| measure | " + " | ".join(f"{b} median | x floor" for b in backends) + " | target |"
    lines = [head, "|---|" + "---:|---:|" * len(backends) + "---|"]
    for name in names:
        cells, target = [], ""
        for backend in backends:
            result = report["backends"][backend]
            value = result["measures"].get(name)
            floor = result["measures"][FLOOR]["median_ms"]
            if value is None:
                cells += ["", ""]
                continue
            cells += [_ms(value["median_ms"]), f"{value['median_ms'] / floor:.2f}"]
            verdict = result.get("targets", {}).get(name)
            if verdict:
                state = "met" if verdict["met"] else f"missed, {verdict['times_target']}x"
                target += f"{backend}: {_ms(verdict['target_ms'])} {state}; "
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {target.rstrip('; ')} |")
    return "\n".join(lines)


def main() -> None:
    report = json.loads(Path(sys.argv[1]).read_text())
    print(f"{report['when']}, {report['projects']:,} projects, {report['machine']}")
    for backend, result in report["backends"].items():
        print(
            f"{backend}: loaded in {result['load_s']} s; cube rebuilt in "
            f"{result['cube_rebuild_s']} s; coverage over time rebuilt in "
            f"{result.get('history_rebuild_s')} s; load average {result.get('load_average')}"
        )
    print()
    print(table(report))


if __name__ == "__main__":
    main()
