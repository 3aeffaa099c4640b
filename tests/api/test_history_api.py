"""Coverage over time in the JSON API and as a board pack: as_of and compare on
GET /api/v1/coverage, as_of on GET /api/v1/gaps, GET /api/v1/trends, and the board pack's PDF,
read back with poppler (its pages as images, its text with the heatmap's figures)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest
from PIL import Image

from tests.services.history import portfolio


@pytest.fixture
def viewer(framework, browser_for):
    portfolio.build(framework)
    return browser_for("viewer")


def test_coverage_as_of_and_compared(viewer):
    body = viewer.get(
        "/api/v1/coverage", params={"as_of": "2025-12-15", "compare": "2025-07-01"}
    ).json()
    assert body["as_of"] == "2025-12-15" and body["compared_with"] == "2025-07-01"
    totals = {r["code"]: r["total"] for r in body["rows"]}
    assert totals["GPG4"]["projects"] == 2
    assert totals["GPG4"]["change"] == {"projects": -1, "principal": -1, "budget_eur": "-100000.00"}
    assert totals["GPG7"]["change"]["projects"] == 1
    refused = viewer.get("/api/v1/coverage", params={"as_of": "2999-01-01"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "as_of"


def test_gaps_as_of_and_trends(viewer):
    gaps = viewer.get("/api/v1/gaps", params={"as_of": "2025-12-15", "kind": "uncovered_objective"})
    subjects = [g["subject"] for g in gaps.json()["gaps"]]
    assert any(s.startswith("1.1 ") for s in subjects)
    before = viewer.get(
        "/api/v1/gaps", params={"as_of": "2025-10-05", "kind": "uncovered_objective"}
    )
    assert not any(g["subject"].startswith("1.1 ") for g in before.json()["gaps"])
    trend = viewer.get(
        "/api/v1/trends", params={"period": "quarter", "from": "2025-01-01", "to": "2025-12-31"}
    ).json()
    assert trend["days"] == ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"]
    gpg4 = next(s for s in trend["series"] if s["code"] == "GPG4")
    assert [p["projects"] for p in gpg4["points"]] == [2, 3, 3, 2]
    opened = [g["subject"] for g in trend["gaps"][-1]["opened"]]
    assert any(s.startswith("1.1 ") for s in opened)
    # To the end of next year: what is known, up to today.
    today = date.today()
    later = viewer.get(
        "/api/v1/trends",
        params={"period": "month", "from": f"{today.year}-01-01", "to": f"{today.year + 1}-12-31"},
    )
    assert later.status_code == 200, later.text
    assert max(later.json()["days"]) <= today.isoformat()


def test_trends_page_draws_accessible_charts(viewer):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(
        viewer.get("/trends?period=quarter&from=2025-01-01&to=2025-12-31").text, "lxml"
    )
    svg = page.select_one("#trend-projects svg")
    assert svg["role"] == "img" and svg.title.text and svg.desc.text
    table = page.select_one("#trend-projects details table")
    gpg4 = [th.text for th in table.select("thead th")].index("GPG4")
    assert [tr.select("td")[gpg4 - 1].text for tr in table.select("tbody tr")] == [
        "2",
        "3",
        "3",
        "2",
    ]
    assert "1.1" in page.select_one("#gaps-opened-h").find_next("table").text
    assert viewer.get("/trends?period=fortnight").status_code == 400


def test_monthly_axes_name_months_and_drill_downs_keep_the_comparison(viewer):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(
        viewer.get("/trends?period=month&from=2025-01-01&to=2025-12-31").text, "lxml"
    )
    ticks = [t.text for t in page.select("#trend-projects svg text.chart__tick")]
    assert "Jan 2025" in ticks and "Dec 2025" in ticks
    assert not any(re.fullmatch(r"\d+ \d+", t) for t in ticks)
    heatmap = BeautifulSoup(
        viewer.get("/heatmap", params={"as_of": "2025-12-15", "compare": "2025-07-01"}).text,
        "lxml",
    )
    drill = heatmap.select_one("a.expand")["href"]
    assert "goal=" in drill and "compare=2025-07-01" in drill and "as_of=2025-12-15" in drill
    assert "compare=2025-07-01" in heatmap.select_one("a.expand")["hx-get"]
    # A cell's list of projects and the view's gaps have no comparison to show.
    cell = heatmap.select_one("td.cell a")["href"]
    assert "compare" not in cell and viewer.get(cell).status_code == 200


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) is missing")
def test_board_pack_pdf_opens_and_holds_the_heatmaps_figures(viewer, tmp_path):
    params = {"programme": "CYB", "as_of": "2025-12-15"}
    response = viewer.get("/reports/board-pack.pdf", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "board-pack.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5
    for path in pages:  # each page, as an image: A4 upright, with something printed on it
        with Image.open(path) as image:
            width, height = image.size
            assert abs(height / width - 297 / 210) < 0.02
            grey = image.convert("L")
            dark = sum(grey.histogram()[:128])
            assert dark > 200, f"{path.name} looks blank"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Page 2 of" in text and "as of Dec 15, 2025" in text and "Programmes: CYB" in text
    heatmap = viewer.get("/api/v1/coverage", params={**params, "cols": "regions"}).json()
    lines = text[text.index("Goals by region") : text.index("aligned projects")].splitlines()
    for row in heatmap["rows"]:
        line = next(x for x in lines if x.split() and x.split()[0] == row["code"])
        shown = [int(t) for t in re.sub(r"\([^)]*\)", " ", line).split()[1:] if t.isdigit()]
        figures = [c["projects"] for c in row["cells"].values()] + [row["total"]["projects"]]
        assert shown == figures, (row["code"], line)
