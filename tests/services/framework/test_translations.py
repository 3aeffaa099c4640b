"""The framework in French, Spanish and Arabic: the shipped working translations, the checks a
translation file passes before anything is stored, official over unofficial, and reading an
item in a language."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import select

from tests.conftest import GPG_FILE
from tracker.db import session_scope
from tracker.models import (
    SDG,
    AuditEvent,
    Framework,
    Goal,
    Objective,
    SDGTarget,
    Theme,
    ThemeStatement,
)
from tracker.services.audit.describe import describe
from tracker.services.coverage.cube.read import fresh_state, state
from tracker.services.coverage.cube.sync import MARKED_STALE, rebuild
from tracker.services.framework.loader import load_framework
from tracker.services.framework.translation_file import TranslationFileError
from tracker.services.framework.translation_loader import load_translation
from tracker.services.framework.translations import (
    completeness,
    is_translated,
    localized,
    sdg_completeness,
    unofficial_note,
)

FILES = {lang: GPG_FILE.with_name(f"gpg-2023.{lang}.yaml") for lang in ("fr", "es", "ar")}
MODELS = (Framework, Goal, Objective, Theme, ThemeStatement)


def _shipped(lang: str = "fr") -> dict:
    return yaml.safe_load(FILES[lang].read_text(encoding="utf-8"))


def _write(tmp_path: Path, data, name: str = "translation.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def _stored(engine) -> dict:
    with session_scope(engine) as session:
        return {
            model.__name__: sorted(
                (row.code, repr(row.translations)) for row in session.exec(select(model))
            )
            for model in MODELS
        }


def _events(engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def _framework_id(session) -> int:
    return session.exec(select(Framework.id).where(Framework.code == "GPG-2023")).one()


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_shipped_files_are_complete_unofficial_and_leave_no_english(framework, lang):
    english = yaml.safe_load(GPG_FILE.read_text(encoding="utf-8"))
    data = _shipped(lang)
    assert data["official"] is False and data["note"] and data["language"] == lang
    assert "UNOFFICIAL WORKING TRANSLATION" in FILES[lang].read_text(encoding="utf-8")[:300]
    pairs = [(data["name"], english["name"])]
    for goal, goal_en in zip(data["goals"], english["goals"], strict=True):
        pairs += [
            (goal["short_name"], goal_en["short_name"]),
            (goal["statement"], goal_en["statement"]),
        ]
        for o, o_en in zip(goal["objectives"], goal_en["objectives"], strict=True):
            assert o["code"] == o_en["code"]
            pairs += [(o["short_name"], o_en["short_name"]), (o["statement"], o_en["statement"])]
    for theme, theme_en in zip(data["themes"], english["themes"], strict=True):
        pairs.append((theme["name"], theme_en["name"]))
        for s, s_en in zip(theme["statements"], theme_en["statements"], strict=True):
            assert s["code"] == s_en["code"]
            pairs.append((s["statement"], s_en["statement"]))
    assert all(text.strip() and text != en for text, en in pairs)
    # The tracker's setup loaded them (the test databases are made as setup makes them).
    with session_scope(framework) as session:
        status = completeness(session=session, framework_id=_framework_id(session))[lang]
    assert status.loaded and status.complete and not status.official, status.missing
    assert status.source == data["source"] and status.loaded_at


def test_loading_a_shipped_file_again_changes_nothing(framework):
    before, events = _stored(framework), _events(framework)
    with session_scope(framework) as session:
        report = load_translation(session=session, path=FILES["es"])
    assert not report.changed
    assert "already up to date" in report.summary()
    assert _stored(framework) == before and _events(framework) == events


def _drop_objective(data):
    del data["goals"][0]["objectives"][2]


def _unknown_code(data):
    data["goals"][1]["objectives"][0]["code"] = "9.9"


def _empty_statement(data):
    data["themes"][2]["statements"][1]["statement"] = "   "


def _nul_in_statement(data):
    data["goals"][3]["statement"] = "Réduire\x00 la cybercriminalité"


def _other_version(data):
    data["version"] = "2019"


def _english(data):
    data["language"] = "en"


def _german(data):
    data["language"] = "de"


def _too_long(data):
    data["goals"][0]["short_name"] = "x" * 121


def _wrong_goal(data):
    moved = data["goals"][0]["objectives"].pop()
    data["goals"][1]["objectives"].append(moved)


def _no_note(data):
    del data["note"]


def _other_framework(data):
    data["framework"] = "GPG-2019"


def _missing_theme(data):
    del data["themes"][4]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_drop_objective, 'goals[0].objectives: objective "1.3" is missing'),
        (_unknown_code, 'goals[1].objectives[0].code: unknown objective "9.9"'),
        (_empty_statement, "themes[2].statements[1].statement: must not be empty"),
        (_nul_in_statement, "goals[3].statement: must not contain control characters"),
        (_other_version, 'version: translates version "2019" of GPG-2023'),
        (_english, "language: English is the framework's official text"),
        (_german, 'language: unknown language "de"; allowed: fr, es, ar'),
        (_too_long, "goals[0].short_name: must be at most 120 characters"),
        (_wrong_goal, 'goals[1].objectives[5].code: objective "1.6" belongs to goal GPG1'),
        (_no_note, "note: required for a translation that is not official"),
        (_other_framework, 'framework: no framework "GPG-2019" is loaded; loaded: GPG-2023'),
        (_missing_theme, 'themes: theme "V" is missing'),
    ],
)
def test_a_wrong_file_is_refused_naming_where_and_stores_nothing(
    framework, tmp_path, change, expected
):
    # Against a database without translations, so that "stores nothing" means something.
    with session_scope(framework) as session:
        for model in MODELS:
            for row in session.exec(select(model)):
                row.translations = {}
    before, events = _stored(framework), _events(framework)
    data = _shipped("fr")
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(TranslationFileError) as caught, session_scope(framework) as session:
        load_translation(session=session, path=path)
    lines = str(caught.value).splitlines()
    assert any(line.startswith(f"{path}: ") and expected in line for line in lines), lines
    assert _stored(framework) == before and _events(framework) == events


def test_a_raw_nul_byte_is_refused_naming_its_field(framework, tmp_path):
    text = (
        FILES["ar"]
        .read_text(encoding="utf-8")
        .replace('name: "تبادل البيانات والمعلومات"', 'name: "تبادل البيانات\x00 والمعلومات"')
    )
    path = _write(tmp_path, text)
    with pytest.raises(TranslationFileError) as caught, session_scope(framework) as session:
        load_translation(session=session, path=path)
    assert "themes[0].name: must not contain control characters" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe not utf-8", "upload.yaml: not UTF-8 text"),
        (b"goals: [unclosed", "upload.yaml: not valid YAML: line 1"),
        (b"- a list", "upload.yaml: must be a mapping"),
        (b"x" * 1_000_001, "upload.yaml: must be at most 1 MB"),
    ],
)
def test_content_that_is_not_a_translation(framework, content, expected):
    with pytest.raises(TranslationFileError) as caught, session_scope(framework) as session:
        load_translation(session=session, content=content, filename="upload.yaml")
    assert expected in str(caught.value)


def test_a_file_that_cannot_be_read(framework, tmp_path):
    for path, expected in (
        (tmp_path / "none.yaml", "file not found"),
        (tmp_path, "cannot be read"),
    ):
        with pytest.raises(TranslationFileError) as caught, session_scope(framework) as session:
            load_translation(session=session, path=path)
        assert str(caught.value).startswith(f"{path}: {expected}")


def test_an_official_translation_replaces_the_working_one_and_stays(framework, tmp_path):
    data = _shipped("fr")
    data.update(official=True, source="INTERPOL, Objectifs mondiaux de police, 2024")
    data.pop("note")
    data["goals"][3]["short_name"] = "Cybercriminalité (texte officiel)"
    official = _write(tmp_path, data, "official.yaml")
    with session_scope(framework) as session:
        report = load_translation(session=session, path=official)
    assert report.replaced_unofficial and report.official
    assert "replaces the unofficial working translation" in report.summary()
    with session_scope(framework) as session:
        goal = session.exec(select(Goal).where(Goal.code == "GPG4")).one()
        assert localized(goal, "short_name", "fr") == ("Cybercriminalité (texte officiel)", True)
        objective = session.exec(select(Objective).where(Objective.code == "4.1")).one()
        assert localized(objective, "statement", "fr")[1] is True  # every item is official now
        status = completeness(session=session, framework_id=_framework_id(session))["fr"]
        assert status.official and status.source == data["source"] and status.complete
        event = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "translate")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert describe(event) == (
            "System loaded the French translation of framework GPG-2023 (official): "
            "85 items changed"
        )
    # The working translation never replaces the official one, from a file or from setup.
    before = _stored(framework)
    with pytest.raises(TranslationFileError) as caught, session_scope(framework) as session:
        load_translation(session=session, path=FILES["fr"])
    assert "official: an official French translation is loaded" in str(caught.value)
    assert _stored(framework) == before


def test_localized_falls_back_to_the_english(framework):
    with session_scope(framework) as session:
        objective = session.exec(select(Objective).where(Objective.code == "2.1")).one()
        english = objective.statement
        text, official = localized(objective, "statement", "es-MX")
        assert "notificaciones, difusiones" in text and official is False
        assert localized(objective, "statement", "de") == (english, True)
        assert localized(objective, "statement", None) == (english, True)
        objective.translations = {}
        assert localized(objective, "statement", "ar") == (english, True)
        assert not is_translated(objective, "ar") and is_translated(objective, "en")
        framework = session.exec(select(Framework)).one()
        assert localized(framework, "name", "es") == ("Objetivos Policiales Mundiales", False)
        assert unofficial_note(framework, "fr") == _shipped("fr")["note"]
        assert unofficial_note(framework, "en-GB") is None
        assert unofficial_note(framework, "de") is None
        theme = session.exec(select(Theme).where(Theme.code == "I")).one()
        assert localized(theme, "name", "ar_EG") == ("تبادل البيانات والمعلومات", False)
        session.rollback()


def test_loading_the_english_framework_again_keeps_its_translations(framework):
    before = _stored(framework)
    with session_scope(framework) as session:
        assert not load_framework(session=session, path=GPG_FILE).changed
    assert _stored(framework) == before


def test_a_framework_item_without_words_shows_in_completeness(framework):
    with session_scope(framework) as session:
        statement = session.exec(select(ThemeStatement).where(ThemeStatement.code == "IV.5")).one()
        statement.translations = {k: v for k, v in statement.translations.items() if k != "es"}
    with session_scope(framework) as session:
        status = completeness(session=session, framework_id=_framework_id(session))
    assert status["es"].missing == ["theme statement IV.5 statement"]
    assert not status["es"].complete and status["fr"].complete and status["ar"].complete


def test_a_translation_made_before_the_english_changed_is_told_apart(framework):
    with session_scope(framework) as session:
        status = completeness(session=session, framework_id=_framework_id(session))
        assert all(not s.outdated for s in status.values())
        objective = session.exec(select(Objective).where(Objective.code == "6.3")).one()
        objective.statement = "Support the identification of members of organized crime groups."
    with session_scope(framework) as session:
        status = completeness(session=session, framework_id=_framework_id(session))
    assert [s.outdated for s in status.values()] == [["objective 6.3"]] * 3
    assert all(s.complete for s in status.values())  # present, to be reviewed


def test_sdgs_and_targets_have_the_un_titles_in_every_language(framework):
    with session_scope(framework) as session:
        assert sdg_completeness(session=session) == {"fr": [], "es": [], "ar": []}
        sdg = session.get(SDG, 16)
        assert localized(sdg, "name", "fr") == ("Paix, justice et institutions efficaces", True)
        assert localized(sdg, "title", "xx") == (sdg.title, True)
        target = session.get(SDGTarget, "16.4")
        text, official = localized(target, "title", "ar")
        assert text == target.translations["ar"] and official
        # A target's short title is the tracker's, in English only.
        assert localized(target, "short_title", "es") == (target.short_title, True)


def test_a_translation_leaves_the_coverage_cube_fresh(framework, tmp_path):
    rebuild(framework)
    with session_scope(framework) as session:
        assert state(session) == fresh_state(_framework_id(session))
    data = _shipped("es")
    data["goals"][0]["short_name"] = "Lucha antiterrorista"
    path = _write(tmp_path, data)
    with session_scope(framework) as session:
        assert load_translation(session=session, path=path).stored == {"goal": 1}
    with session_scope(framework) as session:
        assert state(session) == fresh_state(_framework_id(session))
        # A change of its English words, by contrast, can move figures: the cube is stale.
        session.exec(select(Goal).where(Goal.code == "GPG1")).one().short_name = "Terrorism"
        session.flush()
        assert session.info.get(MARKED_STALE)
        session.rollback()
