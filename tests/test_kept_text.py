"""A Text kept in JSON (an import's report) is said later in the reader's language, with the
figures, days and moments inside it written as that language writes them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from tracker.formats import Text
from tracker.kept_text import keep, restore
from tracker.locales import N_
from tracker.said import Day, Moment, Money


def _through_json(text: Text) -> Text:
    return restore(json.loads(json.dumps(keep(text))))


def test_a_kept_text_says_itself_in_any_language_after_json():
    when = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
    text = Text(
        N_(
            "%(where)s: %(who)s changed project %(code)s on %(when)s, after the file was checked; "
            "it was not overwritten"
        ),
        where=Text(N_("row %(row)s"), row=12),
        who="Ana Costa",
        code="CYB-2026-0042",
        when=Moment(when),
    )
    kept = _through_json(text)
    assert kept == text  # its English
    french = kept.in_locale("fr")
    assert "Ana Costa a modifié le projet CYB-2026-0042 le 2 nov. 2026, 14:05" in french
    assert french.startswith("ligne 12")


def test_counted_texts_days_and_money_are_kept():
    counted = Text.counted("%(num)s project", "%(num)s projects", 1234)
    assert _through_json(counted).in_locale("fr") == "1\u202f234 projets"
    day = Text(
        N_("Only %(project)s covers it, and it ends on %(day)s."),
        project="P1",
        day=Day(date(2026, 3, 12)),
    )
    assert "12 mars 2026" in _through_json(day).in_locale("fr")
    money = Text(N_("%(amount)s"), amount=Money("1234567.5", "EUR"))
    assert _through_json(money).in_locale("fr") == "1\u202f234\u202f567,50\u00a0€"


def test_what_is_not_a_kept_text_is_none():
    assert keep("plain") is None
    assert restore(None) is None and restore({"message": 3}) is None
    broken = {"message": "%(when)s", "values": {"when": {"moment": "not a moment"}}}
    assert restore(broken) == ""
