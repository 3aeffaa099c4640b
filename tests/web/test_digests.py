"""The digests page: subscribe, refuse bad choices (hostile ones too), preview as it will
arrive, the archive; one-click unsubscribe links that work only as issued, and only once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote
from zoneinfo import available_timezones

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from tests.conftest import csrf_of
from tests.web.refusals import field_error
from tracker import formats
from tracker.config import Settings
from tracker.models import Subscription
from tracker.models._base import utcnow
from tracker.services.digests.outbox import enqueue_due
from tracker.services.digests.schedule import valid_timezone
from tracker.services.digests.subscriptions import unsubscribe_token


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
    response = _subscribe(
        viewer, programmes=["CYB", "OEC"], region="AFR", quiet="skip", board_pack="monthly"
    )
    assert response.status_code == 303
    with Session(framework) as session:
        subscription = session.exec(select(Subscription)).one()
    assert (
        subscription.programmes,
        subscription.region,
        subscription.quiet,
        subscription.board_pack,
    ) == (["CYB", "OEC"], "AFR", "skip", True)
    page = BeautifulSoup(viewer.get("/digests").text, "lxml")
    heading = page.select_one("section.subscription h3").get_text(" ", strip=True)
    assert heading == "Weekly digest of CYB, OEC, AFR"
    schedule = " ".join(page.select_one("section.subscription p").get_text(" ", strip=True).split())
    assert schedule.startswith(
        "Every Monday at 08:00 Europe/Paris. With the board pack (PDF) in the first digest of"
        " each month. Next: "
    )
    edit = page.select_one("section.subscription form")
    chosen = edit.find("select", attrs={"name": "board_pack"}).find("option", selected=True)
    assert chosen["value"] == "monthly"
    preview = viewer.get(f"/digests/{subscription.id}/preview")
    assert preview.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in preview.headers["content-security-policy"]
    assert "script-src 'self'" in preview.headers["content-security-policy"]
    assert (
        "Your digest for programmes CYB, OEC and region AFR"
        in BeautifulSoup(preview.text, "lxml").h1.text
    )
    text = viewer.get(f"/digests/{subscription.id}/preview?format=text")
    assert text.text.startswith("Subject: Weekly portfolio digest")
    # Someone else's subscription is not there for them.
    assert browser_for("manager_this").get(f"/digests/{subscription.id}/preview").status_code == 404


def _back_bar(html: str) -> BeautifulSoup:
    """The page's bar above the email, checked to come first and to lead back."""
    page = BeautifulSoup(html, "lxml")
    bar = page.body.find(True)
    assert bar.name == "nav" and bar["aria-label"] == "Digests"
    back = bar.find("a")
    assert back.get_text(strip=True) == "← Back to your digests"
    assert back["href"] == "http://testserver/digests"
    # The email follows, whole, as the page's main content.
    assert bar.find_next_sibling().name == "main"
    assert page.main.h1 is not None and page.find_all("main") == [page.main]
    return bar


def test_a_preview_and_a_past_digest_lead_back_to_the_digests_page(
    framework, browser_for, client_factory
):
    viewer = browser_for("viewer")
    assert _subscribe(viewer, frequency="daily").status_code == 303
    with Session(framework) as session:
        subscription = session.exec(select(Subscription)).one()

    preview = viewer.get(f"/digests/{subscription.id}/preview")
    bar = _back_bar(preview.text)
    assert "Preview of your next digest" in bar.get_text(" ", strip=True)
    text = bar.find("a", string="plain text")["href"]
    assert text.endswith(f"/digests/{subscription.id}/preview?format=text")
    # The plain text is the message alone.
    assert viewer.get(text).text.startswith("Subject: ")

    settings = client_factory().app.state.settings
    assert enqueue_due(engine=framework, settings=settings, now=utcnow() + timedelta(days=2))
    page = BeautifulSoup(viewer.get("/digests").text, "lxml")
    past = page.select_one("#archive + ul a")
    bar = _back_bar(viewer.get(past["href"]).text)
    assert past.get_text(strip=True) in bar.get_text(" ", strip=True)


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
        ({"board_pack": "weekly"}, "board_pack", "must be no or monthly"),
    ],
)
def test_bad_subscriptions_are_refused_beside_the_field(
    framework, browser_for, fields, field, message
):
    response = _subscribe(browser_for("viewer"), **fields)
    assert response.status_code == 400
    error = BeautifulSoup(response.text, "lxml").find(id=f"{field}-error")
    assert error is not None and message in error.text
    with Session(framework) as session:
        assert session.exec(select(Subscription)).all() == []


def test_every_id_on_the_page_is_unique_and_edit_forms_keep_plain_names(framework, browser_for):
    viewer = browser_for("viewer")
    _subscribe(viewer)
    page = BeautifulSoup(viewer.get("/digests").text, "lxml")
    ids = [element["id"] for element in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    edit = page.select_one("section.subscription form")
    field = edit.find(id=lambda value: value and value.endswith("-frequency"))
    assert field["name"] == "frequency"
    assert page.find("label", attrs={"for": field["id"]}).text == "How often"


# Hostile values in the digest forms: refused naming the field, nothing stored, never a 5xx

HOSTILE = {
    "nul": "nul\x00byte",
    "escape": "\x1b[31mred",
    "superscript": "²",
    "arabic-indic": "٣",
    "int64": str(2**63),
    "long": "x" * 5_000,
}
FIELDS = (
    "frequency",
    "weekday",
    "hour",
    "timezone",
    "programmes",
    "region",
    "quiet",
    "board_pack",
)


def _post(client, path: str, data: dict, *, multipart: bool):
    data = {**data, "csrf_token": csrf_of(client, "/digests")}
    # Multipart bodies are left by the check at the edge to their routes: these check them.
    files = {"attachment": ("a.txt", b"x")} if multipart else None
    return client.post(path, data=data, files=files, follow_redirects=False)


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
@pytest.mark.parametrize("field", FIELDS)
def test_hostile_values_in_a_new_subscription_are_refused_naming_the_field(
    framework, browser_for, field, multipart
):
    """Each hostile value in turn, from one signed-in reader: nothing may be stored, so each
    value meets the same database."""
    viewer = browser_for("viewer")
    for name, value in HOSTILE.items():
        fields = {
            "frequency": "weekly",
            "weekday": "0",
            "hour": "8",
            "timezone": "UTC",
            field: value,
        }
        response = _post(viewer, "/digests", fields, multipart=multipart)
        assert response.status_code == 400, (name, response.text[:500])
        assert field_error(response.text, field), f"nothing said about {field} ({name})"
        assert "\x00" not in response.text and "\x1b" not in response.text, name
        with Session(framework) as session:
            assert session.exec(select(Subscription)).all() == [], name


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weekday", "²", "must be a day of the week, 0 (Monday) to 6 (Sunday)"),
        ("weekday", "٣", "must be a day of the week, 0 (Monday) to 6 (Sunday)"),
        ("weekday", "-1", "must be a day of the week, 0 (Monday) to 6 (Sunday)"),
        ("hour", "٣", "must be an hour from 0 to 23"),
        ("hour", "\uff11", "must be an hour from 0 to 23"),  # a fullwidth one
        ("hour", "8.0", "must be an hour from 0 to 23"),
        ("hour", str(2**31), "must be an hour from 0 to 23"),
        ("timezone", "x" * 5_000, "must be at most 64 characters: an IANA name such as"),
        ("timezone", "../../../etc/passwd", "unknown time zone"),
        ("timezone", "nul\x00byte", "must not contain control characters"),
    ],
)
def test_numbers_are_ascii_digits_and_time_zones_are_names(
    framework, browser_for, field, value, message
):
    fields = {"frequency": "weekly", "weekday": "0", "hour": "8", "timezone": "UTC", field: value}
    response = _post(browser_for("viewer"), "/digests", fields, multipart=True)
    assert response.status_code == 400
    assert message in field_error(response.text, field)
    with Session(framework) as session:
        assert session.exec(select(Subscription)).all() == []


def _zones(page: BeautifulSoup, key: str = "timezone") -> dict[str, tuple[str, str]]:
    """The time zones a select offers: {name: (its group, its text)}."""
    zones = page.find("select", id=key)
    return {
        option["value"]: (
            option.parent["label"] if option.parent.name == "optgroup" else "",
            option.get_text(strip=True),
        )
        for option in zones.find_all("option")
    }


def test_the_time_zones_offered_are_real_and_accepted(framework, browser_for):
    viewer = browser_for("viewer")
    page = BeautifulSoup(viewer.get("/digests").text, "lxml")
    zone = page.find("select", id="timezone")
    assert zone["name"] == "timezone"
    assert page.find("label", attrs={"for": "timezone"}).get_text(strip=True) == "Time zone"
    assert page.find("input", attrs={"name": "timezone"}) is None  # no free text
    offered = _zones(page)
    assert set(offered) <= available_timezones()
    assert "Europe/Lyon" not in offered  # no such zone: Lyon keeps Paris time
    assert offered["Europe/Paris"] == ("Europe", "Paris — France Time")
    assert offered["Africa/Nairobi"] == ("Africa", "Nairobi — Kenya Time")
    assert offered["America/Argentina/Buenos_Aires"] == (
        "Americas",
        "Buenos Aires — Argentina (Buenos Aires) Time",
    )
    assert offered["UTC"] == ("", "UTC — Coordinated Universal Time")
    assert {"UTC", "America/Bogota", "Asia/Singapore", "Pacific/Auckland"} <= set(offered)
    # UTC first, then the areas by name, each's zones by what they read.
    assert next(iter(offered)) == "UTC"
    groups = [group["label"] for group in zone.find_all("optgroup")]
    assert groups == sorted(groups) and {"Africa", "Americas", "Europe", "Pacific"} <= set(groups)
    for group in zone.find_all("optgroup"):
        labels = [option.get_text() for option in group.find_all("option")]
        assert labels == sorted(labels, key=lambda label: formats.sort_key(label))
    # Without JavaScript a new subscription is in UTC; the script may put the browser's zone.
    assert zone.find("option", selected=True)["value"] == "UTC"
    assert zone.has_attr("data-browser-zone")
    scripts = [script["src"] for script in page.find_all("script", src=True)]
    assert "http://testserver/static/js/timezone.js" in scripts
    # Whatever is offered is accepted, the longest names too.
    assert all(valid_timezone(name) for name in offered)
    longest = max(offered, key=len)
    assert _subscribe(viewer, timezone=longest).status_code == 303
    with Session(framework) as session:
        assert session.exec(select(Subscription.timezone)).one() == longest


def test_a_chosen_zone_stays_chosen_and_the_browser_guesses_only_for_a_new_one(
    framework, browser_for
):
    viewer = browser_for("viewer")
    # Refused for another field: the zone chosen comes back chosen, with no guess over it.
    refused = _subscribe(viewer, timezone="Asia/Tokyo", hour="25")
    assert refused.status_code == 400
    page = BeautifulSoup(refused.text, "lxml")
    chosen = page.find("select", id="timezone")
    assert chosen.find("option", selected=True)["value"] == "Asia/Tokyo"
    assert not chosen.has_attr("data-browser-zone")

    # A name of the time zone database that the list leaves out (an old alias) is kept as it
    # is when the subscription is shown for a change, and can be saved again.
    assert _subscribe(viewer, timezone="US/Eastern").status_code == 303
    with Session(framework) as session:
        subscription = session.exec(select(Subscription)).one()
    page = BeautifulSoup(viewer.get("/digests").text, "lxml")
    key = f"s{subscription.id}-timezone"
    edit = page.find("select", id=key)
    assert not edit.has_attr("data-browser-zone")
    assert edit.find("option", selected=True)["value"] == "US/Eastern"
    assert _zones(page, key)["US/Eastern"] == ("Other", "US/Eastern")
    assert page.find("label", attrs={"for": key}).get_text(strip=True) == "Time zone"
    new = page.find("select", id="timezone")
    assert new.has_attr("data-browser-zone") and "US/Eastern" not in _zones(page)
    fields = {"frequency": "daily", "weekday": "0", "hour": "7", "timezone": "US/Eastern"}
    assert _post(viewer, f"/digests/{subscription.id}", fields, multipart=False).status_code == 303


def test_a_zone_outside_the_database_is_refused_naming_the_field(framework, browser_for):
    viewer = browser_for("viewer")
    for zone in ("Europe/Lyon", "Mars/Olympus", "europe/paris", "Etc/Nowhere"):
        response = _subscribe(viewer, timezone=zone)
        assert response.status_code == 400, zone
        assert "unknown time zone" in field_error(response.text, "timezone"), zone
        page = BeautifulSoup(response.text, "lxml")
        assert page.select_one(".error-summary a")["href"] == "#timezone"
        assert page.find("select", id="timezone")["aria-invalid"] == "true"
    with Session(framework) as session:
        assert session.exec(select(Subscription)).all() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("timezone", "x" * 5_000), ("timezone", "nul\x00"), ("hour", "²"), ("weekday", "٣")],
)
@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
def test_hostile_values_in_a_change_leave_the_subscription_as_it_was(
    framework, browser_for, field, value, multipart
):
    viewer = browser_for("viewer")
    assert _subscribe(viewer).status_code == 303
    with Session(framework) as session:
        before = session.exec(select(Subscription)).one().model_dump()
    fields = {"frequency": "daily", "weekday": "2", "hour": "7", "timezone": "Asia/Tokyo"}
    response = _post(
        viewer, f"/digests/{before['id']}", {**fields, field: value}, multipart=multipart
    )
    assert response.status_code == 400
    assert field_error(response.text, field, prefix=f"s{before['id']}-")
    with Session(framework) as session:
        assert session.exec(select(Subscription)).one().model_dump() == before


# One-click unsubscribe links


def _subscription(framework, browser) -> Subscription:
    assert _subscribe(browser).status_code == 303
    with Session(framework) as session:
        return session.exec(select(Subscription)).one()


def _token(subscription: Subscription) -> str:
    return unsubscribe_token(Settings(env="test"), subscription.id, subscription.generation)


def _stored(framework, subscription_id: int) -> tuple[bool, int]:
    with Session(framework) as session:
        row = session.get(Subscription, subscription_id)
        return row.active, row.generation


def _arabic_indic(number: int) -> str:
    return "".join(chr(0x0660 + int(d)) for d in str(number))


def _superscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _signed(subscription_id: int, generation: int, written_id: str, written_gen: str) -> str:
    """A token whose signature is right for (id, generation), written otherwise."""
    signature = unsubscribe_token(Settings(env="test"), subscription_id, generation).split(".")[2]
    return f"{written_id}.{written_gen}.{signature}"


MISWRITTEN = {
    "leading zero id": lambda i, g: _signed(i, g, f"0{i}", str(g)),
    "leading zero generation": lambda i, g: _signed(i, g, str(i), f"0{g}"),
    "superscript id": lambda i, g: _signed(i, g, _superscript(i), str(g)),
    "arabic-indic id": lambda i, g: _signed(i, g, _arabic_indic(i), str(g)),
    "arabic-indic generation": lambda i, g: _signed(i, g, str(i), _arabic_indic(g)),
    "plus sign": lambda i, g: _signed(i, g, f"+{i}", str(g)),
    "id past int32": lambda i, g: _signed(2**31, g, str(2**31), str(g)),
    "id past int64": lambda i, g: _signed(2**63, g, str(2**63), str(g)),
    "huge id": lambda i, g: f"{'9' * 60}.{g}.{'0' * 32}",
    "zero id": lambda i, g: _signed(0, g, "0", str(g)),
    "upper-case signature": lambda i, g: _signed(i, g, str(i), str(g)).upper(),
    "short signature": lambda i, g: _signed(i, g, str(i), str(g))[:-1],
    "no generation": lambda i, g: f"{i}.{_signed(i, g, str(i), str(g)).split('.')[2]}",
    "extra part": lambda i, g: _signed(i, g, str(i), str(g)) + ".x",
    "other generation": lambda i, g: _signed(i, g + 1, str(i), str(g + 1)),
}


@pytest.mark.parametrize("make", MISWRITTEN.values(), ids=MISWRITTEN.keys())
def test_unsubscribe_links_not_written_as_issued_change_nothing(
    framework, browser_for, client, make
):
    subscription = _subscription(framework, browser_for("viewer"))
    token = make(subscription.id, subscription.generation)
    path = f"/digests/unsubscribe/{quote(token, safe='')}"
    shown = client.get(path)
    clicked = client.post(path, data={"List-Unsubscribe": "One-Click"})
    for response in (shown, clicked):
        assert 400 <= response.status_code < 500, response.status_code
    assert clicked.status_code in (404, 410)
    heading = BeautifulSoup(clicked.text, "lxml").h1.get_text(strip=True)
    assert heading in ("This link does not work", "This link no longer works")
    assert _stored(framework, subscription.id) == (True, subscription.generation)


def test_the_link_as_issued_works_once(framework, browser_for, client):
    subscription = _subscription(framework, browser_for("viewer"))
    path = f"/digests/unsubscribe/{_token(subscription)}"
    assert "Stop this digest?" in client.get(path).text
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert _stored(framework, subscription.id) == (False, subscription.generation + 1)
    again = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 410
    assert _stored(framework, subscription.id) == (False, subscription.generation + 1)


def test_a_link_sent_before_subscribing_again_no_longer_works(framework, browser_for, client):
    viewer = browser_for("viewer")
    subscription = _subscription(framework, viewer)
    old_path = f"/digests/unsubscribe/{_token(subscription)}"
    assert client.post(old_path).status_code == 200
    # Subscribe again from the Digests page (the change form of the stopped subscription).
    fields = {"frequency": "weekly", "weekday": "0", "hour": "8", "timezone": "Europe/Paris"}
    again = _post(viewer, f"/digests/{subscription.id}", fields, multipart=False)
    assert again.status_code == 303
    assert _stored(framework, subscription.id) == (True, subscription.generation + 2)

    for response in (client.get(old_path), client.post(old_path)):
        assert response.status_code == 410
        page = BeautifulSoup(response.text, "lxml")
        assert page.h1.get_text(strip=True) == "This link no longer works"
        assert "stopped or started again after the digest" in page.get_text(" ", strip=True)
    assert _stored(framework, subscription.id) == (True, subscription.generation + 2)

    # A change that keeps it going keeps its links working.
    with Session(framework) as session:
        current = session.get(Subscription, subscription.id)
    assert _post(viewer, f"/digests/{subscription.id}", fields, multipart=False).status_code == 303
    assert _stored(framework, subscription.id) == (True, current.generation)
    assert client.post(f"/digests/unsubscribe/{_token(current)}").status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_unsubscribe_tokens_are_refused(framework, client_factory, method, value):
    client = client_factory(raise_server_exceptions=False)
    response = client.request(method, f"/digests/unsubscribe/{quote(value, safe='')}")
    assert 400 <= response.status_code < 500


def test_the_page_and_its_preview_speak_the_readers_language(framework, browser_for):
    viewer = browser_for("viewer")
    assert _subscribe(viewer, board_pack="monthly").status_code == 303
    with Session(framework) as session:
        subscription = session.exec(select(Subscription)).one()
    page = BeautifulSoup(viewer.get("/digests?lang=fr").text, "lxml")
    assert page.h1.get_text(strip=True) == "Synthèses"
    heading = page.select_one("section.subscription h3").get_text(" ", strip=True)
    assert heading == "Synthèse hebdomadaire : l'ensemble du portefeuille"
    schedule = " ".join(page.select_one("section.subscription p").get_text(" ", strip=True).split())
    assert schedule.startswith("Chaque lundi à 08:00 (Europe/Paris). Avec le dossier du conseil")
    weekdays = page.find("select", id="weekday").find_all("option")
    assert [o.get_text(strip=True) for o in weekdays][:2] == ["lundi", "mardi"]
    # The preview: the digest as it would arrive, in the reader's language, below a bar in it.
    preview = BeautifulSoup(viewer.get(f"/digests/{subscription.id}/preview").text, "lxml")
    assert (preview.html["lang"], preview.html["dir"]) == ("fr", "ltr")
    assert preview.main.h1.get_text(strip=True) == "Votre synthèse pour l'ensemble du portefeuille"
    assert preview.nav.a.get_text(strip=True) == "← Retour à vos synthèses"
    text = viewer.get(f"/digests/{subscription.id}/preview?format=text").text
    assert text.startswith("Subject: Synthèse hebdomadaire du portefeuille, ")
    # In Arabic the email and its bar read from the right.
    preview = BeautifulSoup(viewer.get(f"/digests/{subscription.id}/preview?lang=ar").text, "lxml")
    assert (preview.html["lang"], preview.html["dir"]) == ("ar", "rtl")
    assert preview.nav["dir"] == "rtl" and preview.nav.a.get_text(strip=True).startswith("→")


def test_a_refusal_on_the_page_is_said_in_its_language(framework, browser_for):
    viewer = browser_for("viewer")
    viewer.get("/digests?lang=es")
    response = _subscribe(viewer, hour="25")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    assert page.find("label", attrs={"for": "hour"}).get_text(strip=True) == "Hora"
    assert "debe ser una hora de 0 a 23" in field_error(response.text, "hour")
    # Where a refusal names what was typed, that stays as it was typed.
    response = _subscribe(viewer, timezone="Mars/Olympus")
    assert "zona horaria desconocida «Mars/Olympus»" in field_error(response.text, "timezone")
