"""Figures inside sentences built in Python: an amount of money, a day
or a moment, written as English wherever the sentence is used as a str, and in the locale's own
way where a page says it.

    Text(N_("Only %(project)s covers it, and it ends on %(day)s."), project=code, day=Day(end))
"""

from __future__ import annotations

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


__all__ = ["Day", "Moment", "Money"]
