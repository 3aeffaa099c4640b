"""An IATI import's report in lines of text, as the command line prints it: what will be
imported, with notes or not, what cannot be and why, and the publisher's hierarchy as a tree.

Each line is a `Text` (one message per sentence), said in the command's language; codes and
titles are the file's own."""

from __future__ import annotations

from tracker.formats import Text, listed
from tracker.locales import N_
from tracker.services.exchange.iati.read import IatiReport

OUTCOMES = {
    "imported": N_("will be imported"),
    "noted": N_("will be imported, with notes"),
    "cannot": N_("cannot be imported"),
    "within": N_("counted in %(into)s"),
    "represented": N_("not a project of its own: the activities below it are"),
}


def _indented(indent: str, line: Text | str) -> Text:
    return Text("%(indent)s%(line)s", indent=indent, line=line)


def report_lines(report: IatiReport) -> list[Text]:
    """Every line but the last word (written, dry run, nothing written), which is the
    caller's to say."""
    planned = report.creates + report.updates
    noted: dict[str, list[str]] = {}
    for note in report.notes:
        noted.setdefault(note["activity"], []).append(note["note"])
    activities = Text.counted("%(num)s activities", "%(num)s activities", report.activities)
    if report.version:
        activities = Text(
            N_("%(activities)s (IATI %(version)s)"), activities=activities, version=report.version
        )
    lines = [
        Text(
            N_(
                "%(activities)s: %(can)s can be imported (%(new)s, %(updates)s to update; "
                "%(noted)s with notes), %(cannot)s cannot be, %(grouped)s counted in others."
            ),
            activities=activities,
            can=len(planned),
            new=Text.counted(
                "%(num)s new project(s)", "%(num)s new project(s)", len(report.creates)
            ),
            updates=len(report.updates),
            noted=sum(1 for c in planned if c in noted),
            cannot=len(report.unmapped),
            grouped=len(report.grouped),
        )
    ]
    if report.hierarchy:
        h = report.hierarchy
        if h["level"] == h["default_level"]:
            message = N_(
                "Parent and child activities at levels %(levels)s; level %(level)s is imported "
                "(the lowest level that carries budgets). Choose another with --level."
            )
        else:
            message = N_(
                "Parent and child activities at levels %(levels)s; level %(level)s is imported. "
                "Choose another with --level."
            )
        levels = listed(Text("%(level)s", level=n) for n in h["levels"])
        lines += [Text(message, levels=levels, level=h["level"]), *_tree(h["tree"], "  ")]
    clean = [c for c in planned if c not in noted]
    if clean:
        lines.append(Text(N_("Will be imported:")))
        lines += [_indented("  ", f"{c} {report.titles.get(c, '')}".rstrip()) for c in clean]
    if len(clean) < len(planned):
        lines.append(Text(N_("Will be imported, with notes:")))
        for code in (c for c in planned if c in noted):
            lines.append(_indented("  ", f"{code} {report.titles.get(code, '')}".rstrip()))
            lines += [
                _indented("    ", Text(N_("note: %(note)s"), note=note)) for note in noted[code]
            ]
    if report.unmapped:
        lines.append(Text(N_("Cannot be imported:")))
        lines += [
            _indented(
                "  ", Text("%(activity)s: %(reason)s", activity=u["activity"], reason=u["reason"])
            )
            for u in report.unmapped
        ]
    return lines


def _tree(nodes: list[dict], indent: str) -> list[Text]:
    lines = []
    for node in nodes:
        message = OUTCOMES.get(node["outcome"])
        outcome = Text(message, into=node["into"]) if message else node["outcome"]
        lines.append(
            _indented(
                indent,
                Text(
                    N_("%(activity)s %(title)s [level %(level)s: %(outcome)s]"),
                    activity=node["activity"],
                    title=node["title"],
                    level=node["level"],
                    outcome=outcome,
                ),
            )
        )
        lines += _tree(node["children"], indent + "  ")
    return lines
