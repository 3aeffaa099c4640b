"""Loading a framework file: validation messages, upsert by code, nothing changed twice."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import select

from tests import factories
from tests.conftest import GPG_FILE
from tracker.db import session_scope
from tracker.models import (
    AuditEvent,
    Framework,
    Goal,
    Objective,
    SDGLink,
    Theme,
    ThemeStatement,
)
from tracker.services.framework.loader import FrameworkFileError, load_framework
from tracker.services.reference.load import load_reference_data

MINIMAL = {
    "code": "MINI",
    "name": "Minimal framework",
    "version": "1",
    "goals": [
        {
            "code": "G1",
            "short_name": "First",
            "statement": "First goal",
            "sdgs": [16],
            "objectives": [
                {"code": "1.1", "statement": "One"},
                {"code": "1.2", "statement": "Two"},
            ],
        },
        {
            "code": "G2",
            "short_name": "Second",
            "statement": "Second goal",
            "objectives": [{"code": "2.1", "statement": "Three"}],
        },
    ],
    "themes": [{"code": "T", "name": "Theme", "statements": [{"code": "T.1", "statement": "S"}]}],
}


@pytest.fixture
def reference(engine):
    with session_scope(engine) as session:
        load_reference_data(session=session)
    return engine


def _write(tmp_path: Path, data, name="framework.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def _problems(engine, path) -> list[str]:
    with pytest.raises(FrameworkFileError) as caught, session_scope(engine) as session:
        load_framework(session=session, path=path)
    return str(caught.value).splitlines()


def _snapshot(engine) -> dict:
    with session_scope(engine) as session:
        return {
            model.__name__: sorted(
                tuple(
                    sorted((k, repr(v)) for k, v in row.model_dump(exclude={"loaded_at"}).items())
                )
                for row in session.exec(select(model))
            )
            for model in (Framework, Goal, Objective, Theme, ThemeStatement, SDGLink)
        }


def test_gpg_loads_and_a_second_load_changes_nothing(reference):
    with session_scope(reference) as session:
        first = load_framework(session=session, path=GPG_FILE)
    assert first.created["goal"] == 7 and first.created["objective"] == 38
    assert first.activated
    before = _snapshot(reference)
    with session_scope(reference) as session:
        events_before = session.exec(select(func.count()).select_from(AuditEvent)).one()
        second = load_framework(session=session, path=GPG_FILE)
    assert not second.changed
    assert second.summary() == "Framework GPG-2023: already up to date, nothing changed."
    assert _snapshot(reference) == before
    with session_scope(reference) as session:
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == events_before


def test_every_goal_reaches_sdg_16_through_proposed_target_links(reference):
    with session_scope(reference) as session:
        load_framework(session=session, path=GPG_FILE)
        links = session.exec(
            select(Goal.code, SDGLink.sdg_number, SDGLink.target_code, SDGLink.proposed).join(
                SDGLink, SDGLink.goal_id == Goal.id
            )
        ).all()
    assert {code for code, number, _, _ in links if number == 16} == {
        f"GPG{n}" for n in range(1, 8)
    }
    assert all(target and proposed for _, _, target, proposed in links)
    # Beyond SDG 16: environmental security, vulnerable communities, and 16.4/16.5.
    assert {("GPG7", "15.7"), ("GPG7", "14.4"), ("GPG3", "5.2"), ("GPG3", "8.7")} <= {
        (code, target) for code, _, target, _ in links
    }
    assert {("GPG5", "16.4"), ("GPG5", "16.5")} <= {(c, t) for c, _, t, _ in links}


@pytest.mark.parametrize(
    ("file_links", "expected"),
    [
        ([{"target": "16.99"}], 'goals[0].sdg_links[0].target: unknown SDG target "16.99"'),
        ([{"sdg": 18}], "goals[0].sdg_links[0].sdg: unknown SDG 18; allowed: 1 to 17"),
        (
            [{"target": "16.4"}, {"target": "16.4"}],
            "goals[0].sdg_links[1]: 16.4 is linked twice",
        ),
        (
            [{"target": "16.4", "weight": 70}, {"target": "16.5", "weight": 40}],
            "goals[0].sdg_links: weights add up to 110; at most 100",
        ),
        (
            [{"target": "16.4", "sdg": 16}],
            "goals[0].sdg_links[0]: Value error, give either target",
        ),
    ],
)
def test_bad_sdg_links_are_refused_naming_where(reference, tmp_path, file_links, expected):
    data = yaml.safe_load(GPG_FILE.read_text(encoding="utf-8"))
    data["goals"][0]["sdg_links"] = file_links
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with session_scope(reference) as session, pytest.raises(FrameworkFileError) as caught:
        load_framework(session=session, path=path)
    assert any(expected in line for line in str(caught.value).splitlines()), str(caught.value)


def test_a_confirmed_link_stays_confirmed_when_the_file_is_loaded_again(reference):
    with session_scope(reference) as session:
        load_framework(session=session, path=GPG_FILE)
        link = session.exec(select(SDGLink).where(SDGLink.target_code == "16.5")).one()
        link.proposed = False
    with session_scope(reference) as session:
        report = load_framework(session=session, path=GPG_FILE)
        assert not report.changed
        assert not session.exec(select(SDGLink).where(SDGLink.target_code == "16.5")).one().proposed


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["goals"][0].pop("statement"),
            "goals[0].statement: required field is missing",
        ),
        (
            lambda d: d["goals"][1]["objectives"].append({"code": "1.2", "statement": "Dup"}),
            'goals[1].objectives[1].code: duplicate "1.2" (first at goals[0].objectives[1].code)',
        ),
        (
            lambda d: d["goals"].append(
                dict(d["goals"][1], code="G1", objectives=[{"code": "3.1", "statement": "x"}])
            ),
            'goals[2].code: duplicate "G1" (first at goals[0].code)',
        ),
        (
            lambda d: d["goals"][0]["sdgs"].append(18),
            "goals[0].sdgs[1]: unknown SDG 18; allowed: 1 to 17",
        ),
        (
            lambda d: d["goals"][0]["objectives"][0].update(code=1.1),
            "goals[0].objectives[0].code: must be text, got the number 1.1; "
            'put it in quotes, as in "1.1"',
        ),
        (
            lambda d: d["goals"][0].update(sdgs="16"),
            "goals[0].sdgs: must be a list, got str",
        ),
        (
            lambda d: d["goals"][1].update(objectives=[]),
            "goals[1].objectives: must have at least 1 item(s)",
        ),
        (
            lambda d: d["themes"][0]["statements"][0].update(colour="red"),
            "themes[0].statements[0].colour: unknown field",
        ),
        (
            lambda d: d["goals"][0].update(short_name="x" * 121),
            "goals[0].short_name: must be at most 120 characters",
        ),
    ],
)
def test_a_broken_file_is_reported_with_file_path_and_reason(reference, tmp_path, change, expected):
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    change(data)
    path = _write(tmp_path, data)
    assert _problems(reference, path) == [f"{path}: {expected}"]
    assert _snapshot(reference)["Framework"] == []


def test_every_problem_is_reported_at_once(reference, tmp_path):
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["goals"][0].pop("short_name")
    data["goals"][1]["objectives"][0]["statement"] = ""
    data["themes"][0].pop("name")
    problems = _problems(reference, _write(tmp_path, data))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "goals[0].short_name: required field is missing",
        "goals[1].objectives[0].statement: must not be empty",
        "themes[0].name: required field is missing",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("code: [unclosed\n", "not valid YAML: line 2, column 1"),
        ("- just\n- a list\n", "must be a mapping with code, name, version, goals and themes"),
    ],
)
def test_a_file_that_is_not_a_framework(reference, tmp_path, content, expected):
    problems = _problems(reference, _write(tmp_path, content))
    assert expected in problems[0]


def test_a_missing_file(reference, tmp_path):
    assert _problems(reference, tmp_path / "nope.yaml") == [
        f"{tmp_path / 'nope.yaml'}: file not found"
    ]


def test_changes_are_upserted_by_code_and_audited(reference, tmp_path):
    path = _write(tmp_path, MINIMAL)
    with session_scope(reference) as session:
        load_framework(session=session, path=path)
    changed = yaml.safe_load(yaml.safe_dump(MINIMAL))
    changed["goals"][0]["objectives"][1]["statement"] = "Two, reworded"
    changed["goals"][1]["objectives"].append({"code": "2.2", "statement": "Four"})
    changed["goals"][0]["objectives"].pop(0)  # 1.1 goes
    with session_scope(reference) as session:
        ids_before = dict(session.exec(select(Objective.code, Objective.id)).all())
        report = load_framework(session=session, path=_write(tmp_path, changed, "v2.yaml"))
        objectives = {o.code: o for o in session.exec(select(Objective))}
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (
        report.created["objective"],
        report.updated["objective"],
        report.removed["objective"],
    ) == (1, 1, 1)
    assert sorted(objectives) == ["1.2", "2.1", "2.2"]
    assert objectives["1.2"].id == ids_before["1.2"]  # updated in place, not replaced
    assert objectives["1.2"].statement == "Two, reworded"
    assert objectives["1.2"].position == 0
    assert event.entity_type == "framework" and event.entity_key == "MINI"
    assert event.before["objective 1.2"] == {"statement": "Two", "position": 1}
    assert event.after["objective 1.2"] == {"statement": "Two, reworded", "position": 0}
    assert event.before["objective 1.1"] == {"removed": True}


def test_a_tagged_objective_cannot_disappear(framework, tmp_path):
    with session_scope(framework) as session:
        factories.objective_tag(session, objective="1.4")
    data = yaml.safe_load(GPG_FILE.read_text(encoding="utf-8"))
    data["goals"][0]["objectives"] = [
        o for o in data["goals"][0]["objectives"] if o["code"] != "1.4"
    ]
    problems = _problems(framework, _write(tmp_path, data))
    assert problems[0].endswith(
        'goals: objective "1.4" is missing from the file but has 1 tag(s) and 0 target(s); '
        "keep it in the file"
    )
    with session_scope(framework) as session:
        assert session.exec(select(Objective).where(Objective.code == "1.4")).first() is not None


def test_only_one_framework_is_active(reference, tmp_path):
    with session_scope(reference) as session:
        load_framework(session=session, path=GPG_FILE)
        load_framework(session=session, path=_write(tmp_path, MINIMAL))
        assert session.exec(select(Framework.code).where(Framework.active)).all() == ["GPG-2023"]
        report = load_framework(session=session, path=_write(tmp_path, MINIMAL), activate=True)
        assert report.activated
        assert session.exec(select(Framework.code).where(Framework.active)).all() == ["MINI"]


def test_unknown_sdgs_before_reference_data(engine, tmp_path):
    text = textwrap.dedent(
        """
        code: X
        name: X
        version: "1"
        goals:
          - code: G
            short_name: G
            statement: G
            sdgs: [16]
            objectives: [{code: "1", statement: S}]
        """
    )
    problems = _problems(engine, _write(tmp_path, text))
    assert problems[0].endswith(
        "unknown SDG 16; allowed: none loaded yet; run `tracker reference load` first"
    )
