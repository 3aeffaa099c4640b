"""A `Text` kept where only JSON goes (an import's report in the database), to be said later in
the language of the page that shows it.

    report["problems"].append({..., "message": str(text), "text": keep(text)})
    said = restore(report_entry["text"]).in_locale("fr")

`keep` gives None for a plain string: the page then shows the English kept beside it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tracker.formats import Text
from tracker.said import Day, Moment, Money


def keep(value: Any) -> dict | None:
    if not isinstance(value, Text):
        return None
    return {
        "message": value.message,
        "plural": value.plural,
        "n": value.n,
        "values": {name: _kept_value(v) for name, v in value.values.items()},
    }


def _kept_value(value: Any) -> Any:
    if isinstance(value, Moment):
        return {"moment": value.moment.isoformat()}
    if isinstance(value, Day):
        return {"day": value.day.isoformat()}
    if isinstance(value, Money):
        return {"money": [str(value.amount), value.currency, value.compact]}
    if isinstance(value, Text):
        return {"text": keep(value)}
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | str):
        return value
    return str(value)


def _restored_value(value: dict) -> Any:
    try:
        if "moment" in value:
            return Moment(datetime.fromisoformat(value["moment"]))
        if "day" in value:
            return Day(date.fromisoformat(value["day"]))
        if "money" in value:
            amount, currency, compact = value["money"]
            return Money(amount, currency, bool(compact))
    except (TypeError, ValueError, ArithmeticError):
        return ""
    return restore(value.get("text")) or ""


def restore(data: Any) -> Text | None:
    """The Text `keep` kept, or None if `data` is not one (an older report, say)."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return None
    values = {}
    for name, value in (data.get("values") or {}).items():
        if isinstance(value, dict):
            value = _restored_value(value)
        values[name] = value
    try:
        if data.get("plural"):
            rest = {k: v for k, v in values.items() if k != "num"}
            return Text.counted(data["message"], data["plural"], int(data.get("n") or 0), **rest)
        return Text(data["message"], **values)
    except (KeyError, TypeError, ValueError):
        return None
