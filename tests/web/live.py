"""Signed-in httpx clients against a live server, reading forms as a browser does."""

from __future__ import annotations

import httpx2 as httpx
from bs4 import BeautifulSoup


def signed_in(base_url: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
    token = form_of(client, "/login")["csrf_token"]
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def form_of(client: httpx.Client, path: str, action: str | None = None) -> dict:
    """The fields a browser would send from the page's form that posts to `action` (by
    default to the page's own address), as they stand."""
    page = BeautifulSoup(client.get(path).text, "lxml")
    wanted = action or path
    form = page.find("form", attrs={"action": lambda a: a and a.split("?")[0].endswith(wanted)})
    assert form is not None, f"no form posting to {action or path} on {path}"
    fields: dict[str, list[str]] = {}
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or element.get("type") in ("submit", "button", "file"):
            continue
        if element.get("type") in ("checkbox", "radio") and not element.has_attr("checked"):
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            value = chosen.get("value", chosen.text) if chosen else ""
        elif element.name == "textarea":
            value = element.text
        else:
            value = element.get("value", "")
        fields.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in fields.items()}
