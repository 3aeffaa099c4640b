"""One meaning of "gap": the same view gives the same gaps on the heatmap (its hatched cells
and the gaps it lists beside the table), the gaps page, the API, the Overview and the digest.
Checked on a hand-made portfolio whose gaps are known, and on the demo portfolio."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from lxml import html

from tests import factories
from tracker.db import session_scope
from tracker.services.demo import seed_demo_portfolio
from tracker.services.digests.content import Scope, build_digest, headline
from tracker.services.digests.render import render_digest

VIEWS = [
    "",
    "rows=objectives",
    "rows=themes",
    "cols=programmes",
    "rows=objectives&cols=years",
    "floor=2",
    "status=active&status=pipeline",
    "rows=objectives&cols=countries&region=AFR",
    "rows=goals&cols=countries&region=EUR&programme=CYB",
]


def _heatmap_gaps(client, view: str) -> tuple[int, set[str], set[str]]:
    """The count the heatmap states, the gaps its hatched cells show, and those it lists."""
    page = html.fromstring(client.get(f"/heatmap?{view}").text)
    count = int(page.xpath("//*[@data-gap-count]/@data-gap-count")[0])
    hatched = page.xpath('//table[contains(@class, "heatmap")]//td[contains(@class, "cell--gap")]')
    in_cells = {key for td in hatched for key in td.get("data-gaps").split()}
    listed = set(page.xpath("//*[@data-gap]/@data-gap"))
    # Every hatched cell names its gap, and only hatched cells do.
    assert all(td.get("data-gaps") for td in hatched)
    assert not page.xpath('//td[@data-gaps and not(contains(@class, "cell--gap"))]')
    return count, in_cells, listed


def _gaps_page_count(client, view: str) -> int:
    page = html.fromstring(client.get(f"/gaps?{_gap_params(view)}").text)
    text = page.xpath('string(//p[contains(@class, "result-count")])').strip()
    return 0 if text.startswith("No gaps") else int(text.split()[0].replace(",", ""))


def _gap_params(view: str) -> str:
    """The view's parameters as the gaps page and the API read them: the places are
    countries in a view of countries, and regions otherwise."""
    pairs = [p for p in view.split("&") if p and not p.startswith("cols=")]
    if "cols=countries" in view:
        pairs.append("cols=countries")
    return "&".join(pairs)


def _agree(client, engine) -> dict[str, int]:
    counts = {}
    for view in VIEWS:
        count, in_cells, listed = _heatmap_gaps(client, view)
        assert not in_cells & listed, view
        assert len(in_cells | listed) == count, view
        assert _gaps_page_count(client, view) == count, view
        api = client.get(f"/api/v1/gaps?{_gap_params(view)}")
        assert api.status_code == 200 and len(api.json()["gaps"]) == count, view
        counts[view] = count
    # The Overview's card and the digest's headline are of the default view.
    overview = html.fromstring(client.get("/").text)
    label = '[starts-with(normalize-space(), "gap")]'
    card = overview.xpath(f'//li[contains(@class, "card")][.//*[@class="card__label"]{label}]')[0]
    assert int(card.xpath('string(.//*[@class="card__number"])').replace(",", "")) == counts[""]
    with session_scope(engine) as session:
        assert headline(session=session, scope=Scope())["gaps"] == counts[""]
        # The digest's table of goals by region dashes the cells the heatmap hatches.
        now = datetime.now(UTC)
        digest = build_digest(
            session=session, scope=Scope(), period_start=now - timedelta(days=7), period_end=now
        )
        # A digest with news shows the table (a quiet one leaves it out).
        digest.new_projects = digest.new_projects or ["P1 A project"]
        mail = render_digest(
            digest=digest,
            recipient_name="Lee",
            base_url="http://tracker.example",
            unsubscribe_url="http://tracker.example/u",
            frequency="weekly",
        )
    dashed = html.fromstring(mail.html).xpath('//table[@class="digest-heatmap"]//td[@title]')
    page = html.fromstring(client.get("/heatmap").text)
    hatched = page.xpath(
        '//tbody//td[contains(@class, "cell--gap")][not(contains(@class, "total"))]'
    )
    assert [td.get("title") for td in dashed] == [
        td.get("title").split(". ", 1)[1] for td in hatched
    ]
    assert mail.text.count("(gap)") == len(hatched)
    return counts


@pytest.fixture
def known(framework):
    """A small portfolio whose gaps are counted by hand below."""
    with session_scope(framework) as session:
        cyb = factories.programme(session, "CYB").id
        p1 = factories.project(session, code="P1", programme_id=cyb, status="active")
        factories.location(session, p1, "KE")
        factories.objective_tag(session, p1, "4.1", significance=2)
        p2 = factories.project(session, code="P2", programme_id=cyb, status="active")
        factories.location(session, p2, "FR")
        factories.objective_tag(session, p2, "4.1", significance=1)
        factories.objective_tag(session, p2, "4.2", significance=2)
        p3 = factories.project(session, code="P3", programme_id=cyb, status="pipeline")
        factories.location(session, p3, "KE")
        factories.objective_tag(session, p3, "1.1", significance=2)
        p4 = factories.project(session, code="P4", programme_id=cyb, status="active")
        factories.objective_tag(session, p4, "5.2", significance=2)  # no place: Global
        factories.project(session, code="P5", programme_id=cyb, status="active")  # unscreened
    return framework


def test_the_known_gaps_are_counted_alike_everywhere(known, browser_for):
    viewer = browser_for("viewer")
    counts = _agree(viewer, known)
    gaps = viewer.get("/api/v1/gaps").json()["gaps"]
    kinds: dict[str, int] = {}
    for gap in gaps:
        kinds[gap["kind"]] = kinds.get(gap["kind"], 0) + 1
    # 38 objectives, of which 4.1, 4.2 and 5.2 are served; no theme is; GPG4 works in Africa
    # and Europe only, GPG5 nowhere but Global, and the other five goals nowhere: 3 + 5 + 25
    # goals missing from a region. P5 is the one unscreened project. The framework links to 15
    # SDG targets; GPG4's (9.1, 16.a) and GPG5's (16.4, 16.5) are reached: 11 are not.
    assert kinds == {
        "uncovered_objective": 35,
        "theme_without_project": 5,
        "empty_goal_region": 33,
        "unreached_sdg_target": 11,
        "unscreened": 1,
    }
    assert counts[""] == 85
    # With objectives as rows, 4.2 in Africa is a gap too: GPG4 works there, 4.2 does not.
    assert counts["rows=objectives"] == 86
    by_objective = viewer.get("/api/v1/gaps?rows=objectives&kind=empty_objective_region").json()
    assert [g["subject"].split()[0] for g in by_objective["gaps"]] == ["4.2"]
    # Counting the pipeline too, 1.1 is served, GPG1 reaches Africa, and 16.1 (GPG1's) is
    # reached.
    assert counts["status=active&status=pipeline"] == 85 - 1 - 1 - 1


def test_the_heatmap_hatches_places_only(known, browser_for):
    viewer = browser_for("viewer")
    page = html.fromstring(viewer.get("/heatmap?rows=objectives").text)
    rows = {
        tr.xpath("string(./th//span[@class='code'])"): tr
        for tr in page.xpath('//table[contains(@class, "heatmap")]/tbody/tr')
    }

    def hatched(code: str) -> list[bool]:
        return ["cell--gap" in td.get("class") for td in rows[code].xpath("./td")]

    # Africa, Americas, Asia and South Pacific, Europe, Middle East and North Africa, Global,
    # Total. 4.1 works in Africa and Europe; GPG4 does nowhere else, so its other regions are
    # the goal's gaps; Global is never one.
    assert hatched("GPG4") == [False, True, True, False, True, False, False]
    assert hatched("4.1") == [False, True, True, False, True, False, False]
    assert hatched("4.2") == [True, True, True, False, True, False, False]
    # 5.2 is served, without a place: GPG5 has no project in any region.
    assert hatched("5.2") == [True, True, True, True, True, False, False]
    # 4.3 is served nowhere: its places and its total.
    assert hatched("4.3") == [True, True, True, True, True, False, True]
    global_ = rows["4.3"].xpath("./td")[5]
    assert "Not a gap: Global counts work without a place." in global_.get("title")
    # Programmes are not places: none of their cells is a gap.
    page = html.fromstring(viewer.get("/heatmap?cols=programmes").text)
    assert not page.xpath(
        '//tbody//td[contains(@class, "cell--gap")][not(contains(@class, "total"))]'
    )
    assert "need not serve every goal" in page.xpath('string(//p[@class="columns-note"])')


def test_the_demo_portfolio_counts_alike_everywhere(framework, browser_for):
    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=120, seed=3, today=date.today())
    counts = _agree(browser_for("viewer"), framework)
    assert counts[""] > 0


def test_a_theme_missing_from_a_region_is_not_a_gap_and_says_so(known, browser_for):
    with session_scope(known) as session:
        project = factories.project(session, code="P6", status="active")
        factories.location(session, project, "KE")
        factories.theme_tag(session, project, "III", significance=2)
    page = html.fromstring(browser_for("viewer").get("/heatmap?rows=themes").text)
    row = next(
        tr
        for tr in page.xpath('//table[contains(@class, "heatmap")]/tbody/tr')
        if tr.xpath("string(./th//span[@class='code'])") == "III"
    )
    cells = row.xpath("./td")
    assert "cell--gap" not in cells[1].get("class")  # Americas
    assert "not region by region" in cells[1].get("title")
