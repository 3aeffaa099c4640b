"""The framework page: goals, objectives and themes, with what serves each."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.services.coverage import portfolio
from tracker.db import session_scope


@pytest.fixture
def example(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
    return framework


def test_framework_page(example, browser_for):
    page = BeautifulSoup(browser_for("viewer").get("/framework").text, "lxml")
    assert page.h1.text == "Global Policing Goals (2023)"
    goals = page.select("section.goal")
    assert len(goals) == 7
    assert sum(len(g.select("tbody tr")) for g in goals) == 38
    assert len(page.select("#themes ol.statements li")) == 35
    gpg4 = page.find(id="GPG4")
    assert "SDG 16 Peace, Justice and Strong Institutions" in gpg4.get_text(" ", strip=True)
    first = gpg4.select("tbody tr")[0]
    assert first.th.get_text(" ", strip=True).startswith("4.1 Cybercrime threat intelligence")
    assert first.find("a").text == "3"
    assert "0 · gap" in gpg4.select("tbody tr")[3].get_text(" ", strip=True)
