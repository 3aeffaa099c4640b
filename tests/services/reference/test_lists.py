"""Reference lists for selectors and refusals: regions and programmes named as a message says
what is allowed, and the active framework's goals, objectives and themes as choices."""

from __future__ import annotations

from sqlmodel import Session, select

from tracker.db import session_scope
from tracker.models import Framework, Objective
from tracker.services.reference.lists import (
    framework_options,
    option_label,
    programme_names,
    region_names,
)


def test_regions_and_programmes_are_named_with_their_codes(framework):
    with Session(framework) as session:
        assert region_names(session=session) == (
            "Africa (AFR), Americas (AME), Asia and South Pacific (ASP), Europe (EUR), "
            "Middle East and North Africa (MENA)"
        )
        assert programme_names(session=session) == (
            "Counter-Terrorism (CT), Cybercrime (CYB), Financial Crime and Anti-Corruption "
            "(FCAC), Organized and Emerging Crime (OEC)"
        )


def test_the_framework_as_choices_in_its_order(framework):
    with Session(framework) as session:
        options = framework_options(session=session)
    assert options.goals[0] == ("GPG1", "GPG1 — Counter terrorism")
    assert [code for code, _ in options.goals] == [f"GPG{n}" for n in range(1, 8)]
    assert [label for label, _ in options.objectives][:2] == [
        "GPG1 — Counter terrorism",
        "GPG2 — Border security",
    ]
    objectives = [code for _, group in options.objectives for code, _ in group]
    assert len(objectives) == 38 and objectives[:3] == ["1.1", "1.2", "1.3"]
    assert options.objectives[3][1][0] == ("4.1", "4.1 — Cybercrime threat intelligence")
    assert options.themes[0] == ("I", "I — Data and information sharing")
    assert len(options.themes) == 5


def test_an_objective_without_a_short_name_reads_by_its_statement_shortened(framework):
    with session_scope(framework) as session:
        objective = session.exec(select(Objective).where(Objective.code == "1.1")).one()
        objective.short_name = None
        statement = objective.statement
    with Session(framework) as session:
        label = dict(framework_options(session=session).objectives[0][1])["1.1"]
    assert label.startswith("1.1 — " + statement[:40]) and label.endswith("…")
    assert len(label) == len("1.1 — ") + 90
    assert option_label("4.2", "  Cooperation\nagainst  cybercrime ") == (
        "4.2 — Cooperation against cybercrime"
    )
    assert option_label("GPG9", None) == "GPG9"


def test_no_active_framework_means_no_choices(framework):
    with session_scope(framework) as session:
        for row in session.exec(select(Framework)):
            row.active = False
    with Session(framework) as session:
        options = framework_options(session=session)
    assert (options.goals, options.objectives, options.themes) == ([], [], [])
