"""Reading what a refusal page says about a field, as a person would."""

from __future__ import annotations

from bs4 import BeautifulSoup


def field_error(html: str, field: str, *, prefix: str = "") -> str:
    """What the page says about one field: beside it on the form (its id may carry a prefix
    when several forms hold the field), or in the list of problems on the refusal page of the
    check at the edge; "" when it says nothing."""
    page = BeautifulSoup(html, "lxml")
    beside = page.find(id=f"{prefix}{field}-error")
    if beside is not None:
        return beside.get_text(" ", strip=True)
    label = field.replace("_", " ").capitalize()
    for item in page.select(".error-list li, .error-summary li"):
        text = item.get_text(" ", strip=True)
        if text.startswith((f"{label}:", f"{label} :")):
            return text
    return ""
