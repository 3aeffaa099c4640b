"""Figures inside sentences built in Python: an amount of money, a day
or a moment, written as English wherever the sentence is used as a str, and in the locale's own
way where a page says it.

    Text(N_("Only %(project)s covers it, and it ends on %(day)s."), project=code, day=Day(end))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from tracker import formats


class Money(formats.Text):
    """An amount to the currency's smallest unit: €1,234,567.89, 1 234 567,89 € in French; or,
    `compact`, as a figure reads at a glance: €1.2M, 1,2 M €."""

    amount: Decimal
    currency: str
    compact: bool

    def __new__(cls, amount, currency: str, compact: bool = False) -> Money:
        amount = Decimal(str(amount))
        write = formats.format_money if compact else formats.format_money_exact
        text = str.__new__(cls, write(amount, currency))
        text.message, text.plural, text.n, text.values = str(text), None, None, {}
        text.amount, text.currency, text.compact = amount, currency, compact
        return text

    def __reduce__(self):
        return (Money, (self.amount, self.currency, self.compact))

    def in_locale(self, locale: str) -> str:
        write = formats.format_money if self.compact else formats.format_money_exact
        return write(self.amount, self.currency, locale=locale)


class Day(formats.Text):
    """A day as the locale writes it in running text: Nov 2, 2026; 2 nov. 2026."""

    day: date

    def __new__(cls, day: date) -> Day:
        text = str.__new__(cls, formats.format_date(day))
        text.message, text.plural, text.n, text.values = str(text), None, None, {}
        text.day = day
        return text

    def __reduce__(self):
        return (Day, (self.day,))

    def in_locale(self, locale: str) -> str:
        return formats.format_date(self.day, locale=locale)


class Moment(formats.Text):
    """A moment in UTC as the locale writes it, the zone named: Nov 2, 2026, 2:05 PM UTC;
    2 nov. 2026, 14:05 UTC."""

    moment: datetime

    def __new__(cls, moment: datetime) -> Moment:
        text = str.__new__(cls, formats.format_datetime(moment))
        text.message, text.plural, text.n, text.values = str(text), None, None, {}
        text.moment = moment
        return text

    def __reduce__(self):
        return (Moment, (self.moment,))

    def in_locale(self, locale: str) -> str:
        return formats.format_datetime(self.moment, locale=locale)


# How the page or email being written names the framework's goals, objectives and themes in a
# language: (locale, level, code, English name) -> name. Set while it is written (`naming`).
NAMING: ContextVar[Callable[[str, str, str, str], str] | None] = ContextVar("naming", default=None)


@contextmanager
def naming(names: Callable[[str, str, str, str], str] | None) -> Iterator[None]:
    """Name the framework's items with `names` while writing a page or an email."""
    token = NAMING.set(names)
    try:
        yield
    finally:
        NAMING.reset(token)


class FrameworkItem(formats.Text):
    """A goal, objective or theme in a sentence kept from the past (an audit event's subject),
    as its code and the name it had: "4.2 Cooperation against cybercrime" wherever it is a
    str; where a page or an email in another language says it, the name the framework has in
    that language, if it has one."""

    level: str
    code: str
    name: str

    def __new__(cls, level: str, code: str, name: str = "") -> FrameworkItem:
        text = str.__new__(cls, " ".join(part for part in (code, name) if part))
        text.message, text.plural, text.n, text.values = str(text), None, None, {}
        text.level, text.code, text.name = level, code, name
        return text

    def __reduce__(self):
        return (FrameworkItem, (self.level, self.code, self.name))

    def in_locale(self, locale: str) -> str:
        names = NAMING.get()
        if locale == formats.DEFAULT_LOCALE or names is None or not self.name:
            return str(self)
        return f"{self.code} {names(locale, self.level, self.code, self.name)}".strip()


__all__ = ["NAMING", "Day", "FrameworkItem", "Moment", "Money", "naming"]
