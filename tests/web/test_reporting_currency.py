"""A UN agency reports in US dollars: with TRACKER_REPORTING_CURRENCY=USD every budget is
converted to dollars at each currency's rate, and the heatmap, the gaps, the dashboard, the
project pages, the heatmap's CSV and the digest say so.

The seed rates are in euros (1 USD = 0.9210 EUR); loading them for a dollar installation makes
the dollar's own rate 1 and the euro's 1 / 0.9210 = 1.08577633 (to the rate column's eight
places). Two active projects serve objective 4.2 in Kenya, both as principal:
- EUR-1: 100,000 EUR = 108,577.633 USD;
- USD-1: 200,000 USD.
Together: 308,577.633 USD, "$308,577.63" exactly, "$308.6K" in a table.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from tests import factories
from tests.conftest import csrf_of, sign_in
from tracker.config import get_settings
from tracker.db import session_scope
from tracker.models import Currency, Subscription
from tracker.services.coverage import targets
from tracker.services.reference.load import load_reference_data

TOTAL_EXACT = "$308,577.63"
TOTAL_COMPACT = "$308.6K"


@pytest.fixture
def dollars(framework, monkeypatch):
    """The installation reports in USD: in its settings (the environment, as deployed) and in
    its rates, loaded again for the dollar."""
    monkeypatch.setenv("TRACKER_REPORTING_CURRENCY", "USD")
    get_settings.cache_clear()
    with session_scope(framework) as session:
        load_reference_data(session=session)
        for code, amount, currency in (
            ("EUR-1", 100_000, "EUR"),
            ("USD-1", 200_000, "USD"),
        ):
            project = factories.project(
                session, code=code, budget_amount=Decimal(amount), budget_currency=currency
            )
            factories.location(session, project, "KE")
            factories.objective_tag(session, project, "4.2", significance=2)
            factories.audit_event(session, project, actor_label="Ana Costa", action="create")
    yield framework
    get_settings.cache_clear()


@pytest.fixture
def viewer(dollars, client_factory, accounts):
    client = client_factory(reporting_currency="USD")
    assert sign_in(client, accounts["viewer"].email).status_code == 303
    return client


def _page(client, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "lxml")


def test_rates_are_relative_to_the_dollar(dollars):
    with Session(dollars) as session:
        assert session.get(Currency, "USD").rate_to_reporting == 1
        assert session.get(Currency, "EUR").rate_to_reporting == Decimal("1.08577633")


def test_the_heatmap_in_dollars(viewer):
    page = _page(viewer, "/heatmap?metric=budget")
    assert "€" not in page.get_text()
    assert (
        page.select_one("table.heatmap caption")
        .get_text(" ", strip=True)
        .startswith("Attributed budget (USD) by goals and regions")
    )
    metric = page.find("select", attrs={"name": "metric"})
    assert metric.find("option", selected=True).get_text(strip=True) == "Attributed budget (USD)"
    gpg4 = next(r for r in page.select("table.heatmap tbody tr") if "GPG4" in r.th.text)
    africa = gpg4.select("td.cell")[0]
    assert africa.a.contents[0].strip() == TOTAL_COMPACT
    assert africa["title"].startswith(
        f"GPG4 · Africa: 2 projects, 2 principal, {TOTAL_EXACT} attributed"
    )
    assert page.select_one(".result-count").get_text(" ", strip=True) == (
        f"2 aligned projects in this view, {TOTAL_EXACT} attributed."
    )
    legend = [li.get_text(" ", strip=True) for li in page.select(".legend li")]
    assert legend[0] == "None" and legend[-2] == "up to $310K"  # rounded up, for the eye
    assert all(entry.startswith("up to $") for entry in legend[1:-1])


def test_the_heatmap_csv_in_dollars(viewer):
    response = viewer.get("/heatmap.csv?metric=budget")
    rows = {row[1]: row for row in csv.reader(io.StringIO(response.text))}
    header = next(csv.reader(io.StringIO(response.text)))
    assert rows["GPG4"][header.index("Africa")] == "308577.63"


def test_a_gap_below_a_target_in_dollars(dollars, viewer, client_factory, accounts):
    with session_scope(dollars) as session:
        targets.set_target(
            session=session,
            code="4.2",
            region_code="AFR",
            min_active_projects=None,
            min_budget_eur="500000",
            actor=None,
        )
    reason = f"Target: at least $500,000.00 attributed; has {TOTAL_EXACT} attributed."
    page = _page(viewer, "/gaps?kind=below_target")
    assert reason in page.select_one(".gap-list").get_text(" ", strip=True)
    heatmap = _page(viewer, "/heatmap?rows=objectives&metric=budget")
    row = next(r for r in heatmap.select("table.heatmap tbody tr") if "4.2" in r.th.text)
    assert reason in row.select("td.cell")[0]["title"]
    assert "€" not in page.get_text() and "€" not in heatmap.get_text()
    admin = client_factory(reporting_currency="USD")
    assert sign_in(admin, accounts["admin"].email).status_code == 303
    listed = _page(admin, "/admin/targets")
    assert [th.get_text(strip=True) for th in listed.select("table thead th")][3] == (
        "Budget (USD), at least"
    )
    assert listed.select_one("table tbody td.num:nth-of-type(3)").text == "$500,000.00"
    assert listed.find("label", attrs={"for": "min_budget_eur"}).text == (
        "Attributed budget in USD, at least"
    )


def test_the_dashboard_in_dollars(viewer):
    page = _page(viewer, "/")
    cards = {card.find(class_="card__label").text: card for card in page.select(".card")}
    budget = cards["budget of active projects"]
    assert budget.find(class_="card__number").text == TOTAL_COMPACT
    assert budget.find(class_="card__number")["title"] == TOTAL_EXACT
    assert budget.find(class_="card__change").text == "in USD at current rates"
    assert "€" not in page.get_text()


def test_project_pages_in_dollars(viewer):
    page = _page(viewer, "/projects/EUR-1")
    facts = {
        dt.text: dt.find_next("dd").get_text(" ", strip=True) for dt in page.select("dl.facts dt")
    }
    assert facts["Budget"] == "100,000.00 euros (about $108.6K)"
    assert page.select_one("dl.facts dd span")["title"] == "$108,577.63"
    coverage = page.select_one("#project-coverage").get_text(" ", strip=True)
    assert "$108.6K" in coverage and "€" not in coverage
    assert "Its budget in USD split over what it serves" in page.get_text()
    own = _page(viewer, "/projects/USD-1")
    facts = {
        dt.text: dt.find_next("dd").get_text(" ", strip=True) for dt in own.select("dl.facts dt")
    }
    assert facts["Budget"] == "200,000.00 US dollars"  # already in the reporting currency
    listing = _page(viewer, "/projects?status=active")
    headers = [th.get_text(strip=True) for th in listing.select("table thead th")]
    assert headers[-1] == "Budget (USD)"
    budgets = {
        tr.th.find(class_="code").text: tr.select("td")[-1] for tr in listing.select("tbody tr")
    }
    assert budgets["EUR-1"].text == "$108.6K" and budgets["EUR-1"]["title"] == "$108,577.63"
    assert budgets["USD-1"].text == "$200K"


def test_the_digest_in_dollars(dollars, viewer):
    response = viewer.post(
        "/digests",
        data={
            "frequency": "weekly",
            "weekday": "0",
            "hour": "8",
            "timezone": "America/New_York",
            "csrf_token": csrf_of(viewer, "/digests"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with Session(dollars) as session:
        subscription_id = session.exec(select(Subscription.id)).one()
    text = viewer.get(f"/digests/{subscription_id}/preview?format=text").text
    assert f"- Budget of active projects: {TOTAL_COMPACT}" in text
    html = BeautifulSoup(viewer.get(f"/digests/{subscription_id}/preview").text, "lxml")
    figures = {
        cell.find_all("div")[1].text: cell.find_all("div")[0].text
        for cell in html.select("td[width='25%']")
    }
    assert figures["Budget of active projects"] == TOTAL_COMPACT
    assert figures["Active projects"] == "2"
    assert "€" not in text and "€" not in html.get_text()
