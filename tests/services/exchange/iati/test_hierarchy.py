"""A publisher's hierarchy cut at a level: every path from a top activity down becomes exactly
one project, whatever the shape (three levels, a level skipped, links that cannot be right).
Pure: no database."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from tracker.services.exchange.iati.activity import read_activity, read_money
from tracker.services.exchange.iati.hierarchy import IMPORTED, REPRESENTED, WITHIN, build


def _activities(*specs: tuple[str, int, list[str], bool]):
    """(identifier, level, parents, has a budget) as activities."""
    out = []
    for n, (identifier, level, parents, budget) in enumerate(specs, start=1):
        links = "".join(f'<related-activity ref="{p}" type="1"/>' for p in parents)
        money = (
            '<budget><period-start iso-date="2025-01-01"/><period-end iso-date="2025-12-31"/>'
            '<value currency="EUR">100</value></budget>'
            if budget
            else ""
        )
        element = ElementTree.fromstring(
            f'<iati-activity hierarchy="{level}"><iati-identifier>{identifier}</iati-identifier>'
            f"<title><narrative>{identifier}</narrative></title>{money}{links}</iati-activity>"
        )
        out.append(read_activity(element, n))
    return out


THREE_LEVELS = (
    ("A", 1, [], False),
    ("A1", 2, ["A"], False),
    ("A1x", 3, ["A1"], True),
    ("A1y", 3, ["A1"], True),
    ("A2", 2, ["A"], True),  # a leaf above the lowest level
    ("B", 1, [], True),  # on its own
    ("C3", 3, ["C"], True),  # a level skipped: its parent is at level 1
    ("C", 1, [], False),
    ("C2", 2, ["C"], True),
    ("D2", 2, ["NOT-IN-FILE"], True),  # its parent is elsewhere
)


@pytest.mark.parametrize(
    ("level", "imported"),
    [
        (None, {"A1x", "A1y", "A2", "B", "C3", "C2", "D2"}),  # default: 3, the lowest funded
        (2, {"A1", "A2", "B", "C3", "C2", "D2"}),
        (1, {"A", "B", "C", "D2"}),
    ],
)
def test_every_path_becomes_one_project(level, imported):
    forest = build(_activities(*THREE_LEVELS), level)
    assert {n.identifier for n in forest.nodes.values() if n.outcome == IMPORTED} == imported
    units = dict((n.identifier, [w.identifier for w in within]) for n, within in forest.units())
    # Each activity is a project, counted in one, or stood for by those below it; each leaf
    # reaches exactly one project.
    for node in forest.nodes.values():
        chain, project = node, []
        while chain is not None:
            if chain.outcome == IMPORTED:
                project.append(chain.identifier)
            chain = chain.parent
        if not node.children:
            assert len(project) == 1, node.identifier
        if node.outcome == WITHIN:
            assert node.identifier in units[node.unit.identifier]
        if node.outcome == REPRESENTED:
            assert node.children and node.level < forest.level
    assert forest.levels == [1, 2, 3] and forest.default_level == 3


def test_links_that_cannot_be_right_are_noted_and_left_out():
    activities = _activities(
        ("P", 2, [], False),
        ("Q", 1, [], False),
        ("X", 2, ["P"], True),  # its parent is not above it
        ("Y", 3, ["P", "Q"], True),  # two parents
    )
    activities[3].parents = ["P"]
    activities[1].children = ["Y"]
    forest = build(activities, None)
    x, y = forest.nodes["X"], forest.nodes["Y"]
    assert (
        x.parent is None
        and "is not above it (level 2); the link is left out" in (x.activity.notes[0])
    )
    # Q names it as its child before it names P (the order of the file): Q is its parent.
    assert y.parent.identifier == "Q"
    assert (
        "named as a child of both Q and P; it is counted under the first only"
        in (y.activity.notes[0])
    )


def test_money_as_publishers_write_it():
    def money(body: str, **attributes):
        attrs = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attributes.items())
        return read_money(ElementTree.fromstring(f"<iati-activity {attrs}>{body}</iati-activity>"))

    def budget(start, amount, kind="1", currency="EUR"):
        return (
            f'<budget type="{kind}"><period-start iso-date="{start}-01-01"/>'
            f'<period-end iso-date="{start}-12-31"/>'
            f'<value currency="{currency}">{amount}</value></budget>'
        )

    def commitment(amount, code="2"):
        return (
            f'<transaction><transaction-type code="{code}"/>'
            f'<transaction-date iso-date="2025-01-01"/><value>{amount}</value></transaction>'
        )

    netted = money(budget(2024, 100) + budget(2024, 80, "2") + budget(2025, -30))
    assert (netted.totals, netted.source, netted.negative_lines) == (
        {"EUR": 50},
        "budget",
        ["-30.00 EUR"],
    )
    # Two lines of one period and type are both counted, in each currency.
    split = money(budget(2024, 100) + budget(2024, 20) + budget(2024, 5, currency="USD"))
    assert split.totals == {"EUR": 120, "USD": 5}
    committed = money(
        commitment(70) + commitment(30) + commitment(999, "3"), default_currency="EUR"
    )
    assert (committed.totals, committed.source) == ({"EUR": 100}, "commitments")
    withheld = money(commitment(70), default_currency="EUR", budget_not_provided="1")
    assert (withheld.totals, withheld.not_provided, withheld.unused_lines) == ({}, "1", 1)
    # The attribute is for activities without budget lines: lines beside it are read.
    both = money(budget(2024, 10), budget_not_provided="3")
    assert (both.totals, both.ignored_not_provided) == ({"EUR": 10}, "3")
