"""Parent and child activities: the publisher's hierarchy found in a file, and which activities
become projects at the level chosen, so that no work and no money is counted twice.

Activities are linked by `related-activity` (type 1 names the parent, type 2 a child), in either
direction, when the parent's `hierarchy` is above the child's. At the chosen level L (by
default the lowest level that carries budgets), every path from a top activity down to the last
one below it becomes exactly one project:

- an activity at level L becomes a project, and the activities below it are counted in it
  (their money where it has none of its own, their places and sectors where it names none);
- an activity above L with activities below it does not: they stand for it;
- an activity above L with none below it, or one below L that nothing above it stands for
  (its parent is not in the file, or is above L), becomes a project too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.formats import Text
from tracker.locales import N_
from tracker.services.exchange.files import printable
from tracker.services.exchange.iati.activity import Activity

IMPORTED, WITHIN, REPRESENTED = "imported", "within", "represented"


@dataclass(eq=False)
class Node:
    activity: Activity
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    outcome: str = IMPORTED
    unit: Node | None = None  # WITHIN: the project it is counted in

    @property
    def identifier(self) -> str:
        return self.activity.identifier

    @property
    def level(self) -> int:
        return self.activity.level

    def descendants(self) -> list[Node]:
        out: list[Node] = []
        for child in self.children:
            out += [child, *child.descendants()]
        return out


@dataclass
class Forest:
    nodes: dict[str, Node]
    roots: list[Node]
    levels: list[int]
    default_level: int
    level: int

    @property
    def linked(self) -> bool:
        """Whether the file has a hierarchy worth showing: links, or more than one level."""
        return len(self.levels) > 1 or any(n.children for n in self.roots)

    def units(self) -> list[tuple[Node, list[Node]]]:
        """Each activity that becomes a project, in the order of the file, with the
        activities counted in it."""
        within: dict[int, list[Node]] = {}
        for node in self.nodes.values():
            if node.outcome == WITHIN:
                within.setdefault(id(node.unit), []).append(node)
        ordered = sorted(self.nodes.values(), key=lambda n: n.activity.number)
        return [(n, within.get(id(n), [])) for n in ordered if n.outcome == IMPORTED]


def build(activities: list[Activity], level: int | None) -> Forest:
    """The hierarchy of a file's activities (each identifier once), cut at `level` (None:
    the lowest level that carries budgets). Links that cannot be right are noted on the
    activity and left out."""
    nodes = {a.identifier: Node(a) for a in activities}
    for activity in activities:
        node = nodes[activity.identifier]
        for ref in activity.parents:
            if ref in nodes:
                _link(nodes[ref], node)
        for ref in activity.children:
            if ref in nodes:
                _link(node, nodes[ref])
    levels = sorted({a.level for a in activities}) or [1]
    funded = [a.level for a in activities if a.money.source]
    default = max(funded) if funded else levels[-1]
    chosen = default if level is None else level
    roots = [n for n in nodes.values() if n.parent is None]
    for root in roots:
        _assign(root, None, chosen)
    return Forest(nodes=nodes, roots=roots, levels=levels, default_level=default, level=chosen)


def _link(parent: Node, child: Node) -> None:
    if child.parent is parent:
        return
    if parent.level >= child.level:
        child.activity.notes.append(
            Text(
                N_(
                    "related-activity: %(parent)s (level %(parent_level)s) is named as its parent "
                    "but is not above it (level %(level)s); the link is left out"
                ),
                parent=printable(parent.identifier, 60),
                parent_level=parent.level,
                level=child.level,
            )
        )
        return
    if child.parent is not None:
        child.activity.notes.append(
            Text(
                N_(
                    "related-activity: it is named as a child of both %(first)s and %(second)s; "
                    "it is counted under the first only"
                ),
                first=printable(child.parent.identifier),
                second=printable(parent.identifier),
            )
        )
        return
    child.parent = parent
    parent.children.append(child)


def _assign(node: Node, unit: Node | None, level: int) -> None:
    if unit is not None:
        node.outcome, node.unit = WITHIN, unit
    elif node.level < level and node.children:
        node.outcome = REPRESENTED
    else:
        node.outcome = IMPORTED
    below = node if node.outcome == IMPORTED else node.unit
    for child in node.children:
        _assign(child, below, level)


def outcome_note(node: Node, level: int) -> str:
    """What happens to an activity that does not become a project of its own."""
    if node.outcome == WITHIN:
        return (
            f"counted in {printable(node.unit.identifier, 60)} (level {node.unit.level}), which is "
            f"imported at level {level}; not a project of its own"
        )
    count = len(node.children)
    return (
        f"not a project of its own: its {count} child activit{'y' if count == 1 else 'ies'} "
        f"below it {'is' if count == 1 else 'are'} imported instead (level {level})"
    )


def tree(forest: Forest, cannot: dict[str, str], noted: set[str]) -> list[dict]:
    """The hierarchy as the report shows it: each top activity with those below it, and what
    becomes of each."""

    def shown(node: Node) -> dict:
        outcome = node.outcome
        if outcome == IMPORTED and node.identifier in cannot:
            outcome = "cannot"
        elif outcome == IMPORTED and node.identifier in noted:
            outcome = "noted"
        return {
            "activity": printable(node.identifier, 60),
            "title": printable(node.activity.title.text, 120),
            "level": node.level,
            "outcome": outcome,
            "into": printable(node.unit.identifier, 60) if node.unit is not None else None,
            "children": [shown(c) for c in node.children],
        }

    return [shown(root) for root in sorted(forest.roots, key=lambda n: n.activity.number)]
