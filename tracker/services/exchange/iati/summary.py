"""An IATI import's report in lines of text, as the command line prints it: what will be
imported, with notes or not, what cannot be and why, and the publisher's hierarchy as a tree."""

from __future__ import annotations

from tracker.services.exchange.iati.read import IatiReport

OUTCOMES = {
    "imported": "will be imported",
    "noted": "will be imported, with notes",
    "cannot": "cannot be imported",
    "within": "counted in {into}",
    "represented": "not a project of its own: the activities below it are",
}


def report_lines(report: IatiReport) -> list[str]:
    """Every line but the last word (written, dry run, nothing written), which is the
    caller's to say."""
    planned = report.creates + report.updates
    noted: dict[str, list[str]] = {}
    for note in report.notes:
        noted.setdefault(note["activity"], []).append(note["note"])
    version = f" (IATI {report.version})" if report.version else ""
    lines = [
        f"{report.activities} activities{version}: {len(planned)} can be imported "
        f"({len(report.creates)} new project(s), {len(report.updates)} to update; "
        f"{sum(1 for c in planned if c in noted)} with notes), "
        f"{len(report.unmapped)} cannot be, {len(report.grouped)} counted in others."
    ]
    if report.hierarchy:
        h = report.hierarchy
        why = " (the lowest level that carries budgets)" if h["level"] == h["default_level"] else ""
        levels = ", ".join(str(n) for n in h["levels"])
        lines += [
            f"Parent and child activities at levels {levels}; level {h['level']} is imported"
            f"{why}. Choose another with --level.",
            *_tree(h["tree"], "  "),
        ]
    clean = [c for c in planned if c not in noted]
    if clean:
        lines.append("Will be imported:")
        lines += [f"  {c} {report.titles.get(c, '')}".rstrip() for c in clean]
    if len(clean) < len(planned):
        lines.append("Will be imported, with notes:")
        for code in (c for c in planned if c in noted):
            lines.append(f"  {code} {report.titles.get(code, '')}".rstrip())
            lines += [f"    note: {note}" for note in noted[code]]
    if report.unmapped:
        lines.append("Cannot be imported:")
        lines += [f"  {u['activity']}: {u['reason']}" for u in report.unmapped]
    return lines


def _tree(nodes: list[dict], indent: str) -> list[str]:
    lines = []
    for node in nodes:
        outcome = OUTCOMES.get(node["outcome"], node["outcome"]).format(into=node["into"])
        lines.append(
            f"{indent}{node['activity']} {node['title']} [level {node['level']}: {outcome}]"
        )
        lines += _tree(node["children"], indent + "  ")
    return lines
