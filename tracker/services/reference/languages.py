"""Languages by their ISO 639 code, as the texts of imported projects give them (es, nl,
en-GB), named in English for people to read."""

from __future__ import annotations

import pycountry


def language_name(code: str | None) -> str | None:
    """'Spanish' for es or es-CO; None for no code, or one ISO 639 does not know."""
    if not code:
        return None
    primary = code.split("-")[0].lower()
    found = (
        pycountry.languages.get(alpha_2=primary)
        if len(primary) == 2
        else pycountry.languages.get(alpha_3=primary)
    )
    return found.name if found else None


def is_english(code: str | None) -> bool:
    return bool(code) and code.split("-")[0].lower() == "en"
