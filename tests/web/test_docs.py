"""The way to the API reference and the page itself without a browser: every page's footer
and the account page link to /docs; /docs loads Swagger UI with its own stylesheet and says
how to sign in to anyone who has not; and the icon every page names, at /favicon.ico too."""

from __future__ import annotations

import struct

import pytest
from bs4 import BeautifulSoup

from tracker.config import PROJECT_ROOT


def _page(client, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return BeautifulSoup(response.text, "lxml")


@pytest.mark.parametrize(
    ("who", "path"),
    [("anonymous", "/login"), ("viewer", "/account"), ("viewer", "/digests"), ("admin", "/admin")],
)
def test_every_page_links_to_the_api_reference_in_its_footer(framework, browser_for, who, path):
    footer = _page(browser_for(who), path).select_one("footer.site-footer")
    assert [a["href"] for a in footer.find_all("a", string="API reference")] == [
        "http://testserver/docs"
    ]


def test_the_account_page_links_to_the_api_reference_beside_the_tokens(framework, browser_for):
    page = _page(browser_for("viewer"), "/account")
    tokens = page.find("h2", id="tokens").find_next("p")
    assert tokens.find("a", string="API reference")["href"] == "http://testserver/docs"


def test_the_reference_page_around_swagger_ui(framework, browser_for):
    page = _page(browser_for("viewer"), "/docs")
    assert page.h1.get_text(strip=True) == "API reference"
    stylesheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert stylesheets[-1] == "http://testserver/static/css/docs.css"
    scripts = [script["src"] for script in page.select("script")]
    assert scripts[-1] == "http://testserver/static/js/docs.js"
    # Swagger UI brings the one <main>; without JavaScript the page says where the JSON is.
    assert page.select_one("#swagger-ui main#operations a")["href"] == "/openapi.json"
    assert page.find("a", string="Your API tokens")["href"] == "http://testserver/account#tokens"


def test_someone_not_signed_in_is_told_how_to_get_a_token(framework, browser_for):
    page = _page(browser_for("anonymous"), "/docs")
    assert page.find("a", string="Sign in")["href"] == "http://testserver/login?next=/docs"
    assert page.find("a", string="Your API tokens") is None


def test_the_icon_answers_at_favicon_ico_and_every_page_names_it(framework, browser_for):
    client = browser_for("anonymous")
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/vnd.microsoft.icon"
    assert response.content == (PROJECT_ROOT / "static" / "favicon.ico").read_bytes()
    # An icon directory (reserved 0, type 1) of the SVG's design at 16, 32 and 48 pixels, each
    # stored as a PNG.
    reserved, kind, count = struct.unpack_from("<HHH", response.content)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for n in range(count):
        width, height, *_, length, offset = struct.unpack_from(
            "<BBBBHHII", response.content, 6 + 16 * n
        )
        assert response.content[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(response.content)
        sizes.append((width, height))
    assert sorted(sizes) == [(16, 16), (32, 32), (48, 48)]

    for path in ("/login", "/docs"):
        icons = {
            link["href"]: link.get("type") for link in _page(client, path).select("link[rel=icon]")
        }
        assert icons == {
            "http://testserver/favicon.ico": None,
            "http://testserver/static/favicon.svg": "image/svg+xml",
        }
        for href in icons:
            assert client.get(href).status_code == 200
    assert client.get("/static/favicon.svg").headers["content-type"] == "image/svg+xml"
