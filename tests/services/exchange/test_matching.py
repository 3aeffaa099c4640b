"""Both importers match a row to a stored project by its code, and write through the same
writer: a project one of them registered is updated by the other, with the same kind of event;
a stored project of a programme the importer may not change is refused by both, and nothing
is written."""

from __future__ import annotations

from sqlmodel import Session, func, select

from tests import factories
from tests.factories import ADMIN
from tests.files import spreadsheet_csv
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import AuditEvent, Project
from tracker.services.accounts.permissions import Principal
from tracker.services.exchange.runner import check_file, import_in_batches
from tracker.services.exchange.spreadsheet.columns import EXAMPLE

SETTINGS = Settings(env="test")
CODE = "XM-EX-1-CYBER"
ROW = {**EXAMPLE, "code": CODE, "screened": ""}
IATI = f"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2026-11-01T00:00:00Z">
 <iati-activity xml:lang="en" default-currency="EUR">
  <iati-identifier>{CODE}</iati-identifier>
  <title><narrative>Cyber investigation training, second phase</narrative></title>
  <description type="1"><narrative>{EXAMPLE["summary"]}</narrative></description>
  <participating-org role="1"><narrative>{EXAMPLE["donor"]}</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date iso-date="{EXAMPLE["start_date"]}" type="2"/>
  <activity-date iso-date="{EXAMPLE["end_date"]}" type="4"/>
  <recipient-country code="KE" percentage="60"/>
  <recipient-country code="UG" percentage="40"/>
  <budget type="1"><period-start iso-date="2026-01-01"/><period-end iso-date="2027-12-31"/>
   <value>{EXAMPLE["budget_amount"]}</value></budget>
 </iati-activity>
</iati-activities>""".encode()


def _import(engine, kind: str, content: bytes, principal=ADMIN, programme: str = "CYB"):
    return import_in_batches(
        engine=engine,
        settings=SETTINGS,
        kind=kind,
        filename="projects.csv",
        content=content,
        programme=programme,
        principal=principal,
    )


def _events(engine) -> list[tuple]:
    with Session(engine) as session:
        return session.exec(
            select(AuditEvent.action, AuditEvent.entity_key, AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.entity_type == "project")
            .order_by(AuditEvent.id)
        ).all()


def test_a_project_one_importer_registered_the_other_updates_by_its_code(framework):
    report = _import(framework, "spreadsheet", spreadsheet_csv([ROW]))
    assert report.creates == [CODE] and not report.updates
    report = _import(framework, "iati", IATI)
    assert report.updates == [CODE] and not report.creates, report.public()
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 1
        project = factories.project_by_code(session, CODE)
    assert (project.title, project.version) == ("Cyber investigation training, second phase", 2)
    # The file changed the title only: the update's event says so, and nothing else.
    assert _events(framework)[1:] == [
        (
            "update",
            CODE,
            {"title": EXAMPLE["title"]},
            {"title": "Cyber investigation training, second phase"},
        )
    ]
    report = _import(framework, "spreadsheet", spreadsheet_csv([ROW]))
    assert report.updates == [CODE]
    assert [e[0] for e in _events(framework)] == ["create", "update", "update"]


def test_neither_importer_changes_a_project_of_a_programme_the_importer_may_not_change(
    framework,
):
    _import(framework, "spreadsheet", spreadsheet_csv([ROW]))  # a Cybercrime project
    with session_scope(framework) as session:
        manager = factories.user(session, role="manager", programmes=["OEC"])
        session.expunge(manager)
        principal = Principal(
            user=manager,
            programme_ids=frozenset({factories.programme(session, "OEC").id}),
            via="session",
        )
    before = _events(framework)
    report = _import(
        framework, "spreadsheet", spreadsheet_csv([{**ROW, "programme": "OEC"}]), principal
    )
    assert not report.ok and not report.committed
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "code", "you cannot change projects of this programme")
    ]
    report = _import(framework, "iati", IATI, principal, programme="OEC")
    assert not report.ok and not report.committed
    assert report.unmapped == [
        {"activity": CODE, "reason": "you cannot change projects of its programme"}
    ]
    assert _events(framework) == before
    with Session(framework) as session:
        assert factories.project_by_code(session, CODE).programme_id == (
            factories.programme(session, "CYB").id
        )


def test_checking_a_file_matches_its_rows_and_writes_nothing(framework):
    _import(framework, "spreadsheet", spreadsheet_csv([ROW]))
    before = _events(framework)
    new = {**ROW, "code": "CYB-2026-0099"}
    with Session(framework) as session:
        checked = {
            kind: check_file(
                session=session,
                settings=SETTINGS,
                kind=kind,
                filename="projects.csv",
                content=content,
                programme="CYB",
                principal=ADMIN,
            )
            for kind, content in (("spreadsheet", spreadsheet_csv([ROW, new])), ("iati", IATI))
        }
    report, plans, _ = checked["spreadsheet"]
    assert (report.updates, report.creates) == ([CODE], ["CYB-2026-0099"])
    assert [(p.code, p.existing is not None) for p in plans] == [
        (CODE, True),
        ("CYB-2026-0099", False),
    ]
    report, plans, _ = checked["iati"]
    assert (report.updates, report.creates) == ([CODE], [])
    assert plans[0].existing == checked["spreadsheet"][1][0].existing
    assert _events(framework) == before
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 1
