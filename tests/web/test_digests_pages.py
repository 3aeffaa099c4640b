"""The digests page: subscribe, refuse bad choices, preview as it will arrive, the archive."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from tests.conftest import csrf_of
from tracker.models import Subscription


def _subscribe(client, **fields):
    data = {
        "frequency": "weekly",
        "weekday": "0",
        "hour": "8",
        "timezone": "Europe/Paris",
        **fields,
    }
    return client.post(
        "/digests", data={**data, "csrf_token": csrf_of(client, "/digests")}, follow_redirects=False
    )


def test_subscribe_and_preview(framework, browser_for, accounts):
    viewer = browser_for("viewer")
    response = _subscribe(viewer, programmes=["CYB", "OEC"], region="AFR", quiet="skip")
    assert response.status_code == 303
    with Session(framework) as session:
        subscription = session.exec(select(Subscription)).one()
    assert (subscription.programmes, subscription.region, subscription.quiet) == (
        ["CYB", "OEC"],
        "AFR",
        "skip",
    )
    page = BeautifulSoup(viewer.get("/digests").text, "html.parser")
    heading = page.select_one("section.subscription h3").get_text(" ", strip=True)
    assert heading == "Weekly digest of CYB, OEC, AFR"
    schedule = " ".join(page.select_one("section.subscription p").get_text(" ", strip=True).split())
    assert schedule.startswith("Mondays at 08:00 Europe/Paris. Next: Mon ")
    assert ", 08:00." in schedule
    preview = viewer.get(f"/digests/{subscription.id}/preview")
    assert preview.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in preview.headers["content-security-policy"]
    assert "script-src 'self'" in preview.headers["content-security-policy"]
    assert (
        "Your digest for programmes CYB, OEC and region AFR"
        in BeautifulSoup(preview.text, "html.parser").h1.text
    )
    text = viewer.get(f"/digests/{subscription.id}/preview?format=text")
    assert text.text.startswith("Subject: Weekly portfolio digest")
    # Someone else's subscription is not there for them.
    assert browser_for("manager_this").get(f"/digests/{subscription.id}/preview").status_code == 404


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", 'unknown time zone "Mars/Olympus"'),
        ({"frequency": "hourly"}, "frequency", "must be one of daily, weekly, monthly"),
        ({"hour": "25"}, "hour", "must be an hour from 0 to 23"),
        ({"weekday": "9"}, "weekday", "must be a day of the week"),
        ({"programmes": ["ZZ"]}, "programmes", "unknown programme ZZ"),
        ({"region": "ATL"}, "region", 'unknown region "ATL"'),
        ({"quiet": "shout"}, "quiet", "must be line"),
    ],
)
def test_bad_subscriptions_are_refused_beside_the_field(
    framework, browser_for, fields, field, message
):
    response = _subscribe(browser_for("viewer"), **fields)
    assert response.status_code == 400
    error = BeautifulSoup(response.text, "html.parser").find(id=f"{field}-error")
    assert error is not None and message in error.text
    with Session(framework) as session:
        assert session.exec(select(Subscription)).all() == []


def test_every_id_on_the_page_is_unique_and_edit_forms_keep_plain_names(framework, browser_for):
    viewer = browser_for("viewer")
    _subscribe(viewer)
    page = BeautifulSoup(viewer.get("/digests").text, "html.parser")
    ids = [element["id"] for element in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    edit = page.select_one("section.subscription form")
    field = edit.find(id=lambda value: value and value.endswith("-frequency"))
    assert field["name"] == "frequency"
    assert page.find("label", attrs={"for": field["id"]}).text == "How often"
