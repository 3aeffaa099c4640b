"""How figures read: numbers, money, percentages, dates, times and counted nouns, by Babel.

Pages and emails are written in one locale, which `locale_for` decides; every function here
takes it as a keyword, so that a page or an email can be written in another language (French,
Spanish, Arabic) without touching the places that format. Counted nouns go through gettext
(`ngettext`) by each language's own plural rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import NullTranslations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from tracker import locales

DEFAULT_LOCALE = "en"
NO_VALUE = "\u2013"  # an en dash where there is no figure
# The areas of the IANA time zone database where people live and work; the rest of its names
# are aliases kept for old systems (US/Eastern, Etc/GMT+5, EST5EDT, posixrules).
ZONE_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)

Number = int | float | Decimal


def locale_for(request: Any = None) -> str:
    """The locale a page or an email is written in: the request's language (see
    tracker.locales), or English where there is no request."""
    return locales.for_request(request)


def translations(locale: str) -> NullTranslations:
    """The message catalogue of a locale (English as written for English)."""
    return locales.catalogue(locale)


# Numbers


def _whole(value: Number) -> Decimal:
    return Decimal(str(value)).to_integral_value(rounding=ROUND_HALF_EVEN)


@lru_cache(maxsize=16)
def _babel(locale: str) -> Locale:
    """The locale's data, read once: Babel would parse the name at every figure."""
    return Locale.parse(locale)


def format_number(value: Number | None, *, locale: str = DEFAULT_LOCALE) -> str:
    """A whole number with the locale's grouping: 1,234,567."""
    if value is None:
        return NO_VALUE
    return _whole_number(_whole(value), locale)


@lru_cache(maxsize=4096)  # a page writes the same counts again and again
def _whole_number(value: Decimal, locale: str) -> str:
    return babel_numbers.format_decimal(value, locale=_babel(locale))


def format_decimal(value: Number | None, places: int = 2, *, locale: str = DEFAULT_LOCALE) -> str:
    """A number with `places` decimals as the locale writes it: 0.85 in English, 0,85 in
    French and Spanish."""
    if value is None:
        return NO_VALUE
    pattern = "#,##0." + "0" * places if places > 0 else "#,##0"
    return babel_numbers.format_decimal(value, format=pattern, locale=_babel(locale))


def format_percent(share: Number | None, *, locale: str = DEFAULT_LOCALE) -> str:
    """A share (0.46) as a whole percentage: 46%."""
    if share is None:
        return NO_VALUE
    return babel_numbers.format_percent(share, locale=_babel(locale))


def format_percentage(value: Number | None, *, locale: str = DEFAULT_LOCALE) -> str:
    """A percentage as stored (46.5, of 100) as people read it: 47%."""
    if value is None:
        return NO_VALUE
    return format_percent(Decimal(str(value)) / 100, locale=locale)


# Money


def format_money(value: Number | None, currency: str, *, locale: str = DEFAULT_LOCALE) -> str:
    """Compact money for tables and headlines: €1.2M, $350K, €950. The exact amount belongs in
    a title (`format_money_exact`)."""
    if value is None:
        return NO_VALUE
    return babel_numbers.format_compact_currency(
        Decimal(str(value)), currency, locale=_babel(locale), fraction_digits=1
    )


def format_money_exact(value: Number | None, currency: str, *, locale: str = DEFAULT_LOCALE) -> str:
    """Money to the currency's smallest unit: €1,234,567.89, ¥1,234,568."""
    if value is None:
        return NO_VALUE
    return _exact_money(Decimal(str(value)), currency, locale)


@lru_cache(maxsize=4096)  # a page writes the same sums again and again
def _exact_money(value: Decimal, currency: str, locale: str) -> str:
    return babel_numbers.format_currency(value, currency, locale=_babel(locale))


def format_money_named(value: Number | None, currency: str, *, locale: str = DEFAULT_LOCALE) -> str:
    """Money with its currency named, where a symbol could be any of several dollars:
    200,000.00 US dollars."""
    if value is None:
        return NO_VALUE
    return babel_numbers.format_currency(
        Decimal(str(value)), currency, locale=_babel(locale), format_type="name"
    )


# Dates and times


def format_date(value: date | datetime | None, *, locale: str = DEFAULT_LOCALE) -> str:
    """A day as the locale writes it in running text: Nov 2, 2026 (English)."""
    if value is None:
        return NO_VALUE
    day = value.date() if isinstance(value, datetime) else value
    return babel_dates.format_date(day, format="medium", locale=locale)


def format_day_month(value: date | datetime | None, *, locale: str = DEFAULT_LOCALE) -> str:
    """A day of this year, without the year: Nov 2."""
    if value is None:
        return NO_VALUE
    day = value.date() if isinstance(value, datetime) else value
    return babel_dates.format_skeleton("MMMd", day, locale=locale)


def format_month(value: date | datetime, *, locale: str = DEFAULT_LOCALE) -> str:
    """A month with its year, as a chart's axis names it: Jan 2026."""
    return babel_dates.format_skeleton("yMMM", value, locale=locale)


def format_datetime(
    value: datetime | None, *, zone: str = "UTC", locale: str = DEFAULT_LOCALE
) -> str:
    """A moment in a time zone, with the zone named: Nov 2, 2026, 2:05 PM UTC.

    Stored moments are in UTC; one without a zone is read as UTC."""
    if value is None:
        return NO_VALUE
    tz = ZoneInfo(zone)
    moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(tz)
    day = babel_dates.format_date(moment.date(), format="medium", locale=locale)
    clock = babel_dates.format_time(moment, format="short", tzinfo=tz, locale=locale)
    zone_name = babel_dates.format_time(moment, format="z", tzinfo=tz, locale=locale)
    pattern = Locale.parse(locale).datetime_formats["medium"]
    return pattern.replace("{1}", day).replace("{0}", f"{clock} {zone_name}")


def format_hour(hour: int, *, locale: str = DEFAULT_LOCALE) -> str:
    """An hour of the day on the locale's clock: 08:00."""
    return babel_dates.format_skeleton("Hm", time(hour), locale=locale)


def format_period(
    start: date | datetime, end: date | datetime, *, locale: str = DEFAULT_LOCALE
) -> str:
    """Two days as one span, without saying the month or year twice: Oct 26 – Nov 2, 2026."""
    first = start.date() if isinstance(start, datetime) else start
    last = end.date() if isinstance(end, datetime) else end
    return babel_dates.format_interval(first, last, "yMMMd", locale=locale)


def weekday_name(weekday: int, *, locale: str = DEFAULT_LOCALE) -> str:
    """Monday for 0, as datetime numbers days."""
    return babel_dates.get_day_names("wide", locale=locale)[weekday]


@lru_cache(maxsize=8)
def time_zone_choices(locale: str = DEFAULT_LOCALE) -> tuple[tuple[str, str], ...]:
    """The time zones people can choose, as (IANA name, what the reader reads: "Nairobi —
    Kenya Time"), UTC first, then the rest by IANA name; every word from the CLDR.

    Every one is in the time zone database (`zoneinfo.available_timezones()`), so whatever is
    offered is accepted."""
    names = sorted(n for n in available_timezones() if n.split("/", 1)[0] in ZONE_AREAS)
    return tuple((name, zone_label(name, locale)) for name in ("UTC", *names))


def zone_label(name: str, locale: str = DEFAULT_LOCALE) -> str:
    """A time zone as a person choosing one reads it, by the CLDR: its city and where it is
    ("Nairobi — Kenya Time", "Nairobi — heure : Kenya"); UTC by its own name."""
    if name == "UTC":
        utc = Locale.parse(locale).time_zones.get("Etc/UTC", {}).get("long", {}).get("standard")
        return f"UTC — {utc[:1].upper() + utc[1:]}" if utc else "UTC"
    zone = ZoneInfo(name)
    city = babel_dates.get_timezone_location(zone, locale=locale, return_city=True)
    return f"{city} — {babel_dates.get_timezone_location(zone, locale=locale)}"


# Words


@lru_cache(maxsize=1)
def _collator():
    from pyuca import Collator  # the Unicode collation table, read once (a quarter second)

    return Collator()


def sort_key(text: Any, *, locale: str = DEFAULT_LOCALE) -> tuple[int, ...]:
    """How a name sorts in the locale, by the Unicode Collation Algorithm: accents after the
    plain letter and before the next one (Egypte, Émirats, Eswatini), any case, Arabic in its
    alphabet's order; in Spanish, ñ is a letter after n (Nuno, Nuñez, Ñandú)."""
    text = str(text)
    if locale == "es":
        text = text.replace("ñ", "n\U0010ffff").replace("Ñ", "N\U0010ffff")
    return _collator().sort_key(text)


def sort_names(items: Any, *, locale: str = DEFAULT_LOCALE, key: Callable | None = None) -> list:
    """`items` sorted by name in the locale (by `key(item)`, or by the item itself)."""
    name = key or (lambda item: item)
    return sorted(items, key=lambda item: sort_key(name(item), locale=locale))


def gettext(message: str, *, locale: str = DEFAULT_LOCALE, **values: Any) -> str:
    """A sentence in the locale, with %(name)s filled in."""
    text = translations(locale).gettext(message)
    return text % values if values else text


def ngettext(
    singular: str, plural: str, n: int, *, locale: str = DEFAULT_LOCALE, **values: Any
) -> str:
    """A counted noun by the locale's plural rule: "1 project", "1,204 projects".

    Write the whole phrase with %(num)s where the number goes; it is formatted for the locale."""
    text = translations(locale).ngettext(singular, plural, n)
    return text % {"num": format_number(n, locale=locale), **values}


class Text(str):
    """A sentence written in Python that a person reads, sayable in every language.

    It is the English sentence as a plain `str` (for logs, the API, English pages and anything
    that compares it), and remembers its message and values so that a page or an email in
    another language says it in that language: `said(text, locale=...)`, or `{{ text|said }}`
    in a template. Mark the message for the catalogues with `N_`:

        Text(N_("at most %(most)s characters"), most=500)
        Text.counted("%(num)s project", "%(num)s projects", 3)  # extracted as a plural

    Values that are Texts are said in the same language; whole numbers are written in the
    locale's digits and grouping."""

    message: str
    plural: str | None
    n: int | None
    values: dict[str, Any]

    def __new__(cls, message: str, /, **values: Any) -> Text:
        text = super().__new__(cls, _fill(message, values, DEFAULT_LOCALE))
        text.message, text.plural, text.n, text.values = message, None, None, values
        return text

    @classmethod
    def counted(cls, singular: str, plural: str, n: int, /, **values: Any) -> Text:
        values = {"num": n, **values}
        english = _fill(singular if n == 1 else plural, values, DEFAULT_LOCALE)
        text = super().__new__(cls, english)
        text.message, text.plural, text.n, text.values = singular, plural, n, values
        return text

    def __reduce__(self):  # kept in caches and queues as what it is, not as its English
        return (_rebuild, (self.message, self.plural, self.n, self.values))

    def in_locale(self, locale: str) -> str:
        if locale == DEFAULT_LOCALE:
            return str(self)
        catalogue = translations(locale)
        if self.plural is None:
            message = catalogue.gettext(self.message)
        else:
            message = catalogue.ngettext(self.message, self.plural, self.n)
        return _fill(message, self.values, locale)


def _rebuild(message, plural, n, values) -> Text:
    if plural is None:
        return Text(message, **values)
    rest = {k: v for k, v in values.items() if k != "num"}
    return Text.counted(message, plural, n, **rest)


def _fill(message: str, values: dict[str, Any], locale: str) -> str:
    if not values:
        return message
    return message % {name: _value(value, locale) for name, value in values.items()}


def _value(value: Any, locale: str) -> Any:
    if isinstance(value, Text):
        return value.in_locale(locale)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value, locale=locale)
    return value


def _attribute(item: Any, attribute: str | int) -> Any:
    if isinstance(attribute, int) or isinstance(item, dict):
        return item[attribute]
    return getattr(item, attribute)


def said(value: Any, *, locale: str = DEFAULT_LOCALE) -> Any:
    """`value` in the locale if it is a Text; anything else as it is."""
    return value.in_locale(locale) if isinstance(value, Text) else value


def listed(items: Any, *, clauses: bool = False) -> Any:
    """Items one after another as the language lists them, each said in the same language:
    "7 goals, 38 objectives" ("7 أهداف، 38 غاية" in Arabic); with `clauses`, parts of a
    sentence: "created 7 goals; updated 1 theme" (" ; " in French, "؛ " in Arabic). The item
    itself when there is one, "" when there is none."""
    items = list(items)
    if not items:
        return ""
    text = items[0]
    for item in items[1:]:
        if clauses:
            text = Text(locales.N_("%(list)s; %(item)s"), list=text, item=item)
        else:
            text = Text(locales.N_("%(list)s, %(item)s"), list=text, item=item)
    return text


# Templates


def install(
    env: Environment,
    *,
    locale_of: Callable[[Context], str],
    currency_of: Callable[[Context], str],
) -> None:
    """Give a Jinja environment these formats as filters, and gettext and ngettext, written in
    the locale and reporting currency that `locale_of` and `currency_of` read from a template's
    context.

    Filters: number, decimal (2 places unless given), percent (of a share), percentage (of
    100); money, money_exact and money_named (in the reporting currency unless one is given);
    day, day_month, when (a moment, in UTC unless a zone is given), hour, weekday; said (a
    `Text` written in Python, in the page's language: `{{ text }}` says it so too). In
    templates, `ngettext("%(num)s project", "%(num)s projects", n)` formats the number too."""

    def with_locale(function):
        @pass_context
        def filter_(context: Context, value, *args, **kwargs):
            return function(value, *args, locale=locale_of(context), **kwargs)

        return filter_

    @pass_context
    def money(context: Context, value, currency: str | None = None) -> str:
        return format_money(value, currency or currency_of(context), locale=locale_of(context))

    @pass_context
    def money_exact(context: Context, value, currency: str | None = None) -> str:
        return format_money_exact(
            value, currency or currency_of(context), locale=locale_of(context)
        )

    @pass_context
    def money_named(context: Context, value, currency: str | None = None) -> str:
        return format_money_named(
            value, currency or currency_of(context), locale=locale_of(context)
        )

    @pass_context
    def when(context: Context, value, zone: str = "UTC") -> str:
        return format_datetime(value, zone=zone, locale=locale_of(context))

    env.filters.update(
        number=with_locale(format_number),
        decimal=with_locale(format_decimal),
        percent=with_locale(format_percent),
        percentage=with_locale(format_percentage),
        money=money,
        money_exact=money_exact,
        money_named=money_named,
        day=with_locale(format_date),
        day_month=with_locale(format_day_month),
        when=when,
        hour=with_locale(format_hour),
        weekday=with_locale(weekday_name),
        said=with_locale(said),
    )

    @pass_context
    def sorted_names(context: Context, items, attribute: str | int | None = None) -> list:
        """`{{ countries | sorted_names("name") }}`: by name, as the page's language sorts."""
        getter = None if attribute is None else (lambda item: _attribute(item, attribute))
        return sort_names(items, locale=locale_of(context), key=getter)

    env.filters["sorted_names"] = sorted_names

    @pass_context
    def _gettext(context: Context, message: str) -> str:
        return translations(locale_of(context)).gettext(message)

    @pass_context
    def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        # Jinja fills in the other %(name)s values; the count is formatted here, for the locale.
        text = translations(locale_of(context)).ngettext(singular, plural, n)
        return text.replace("%(num)s", format_number(n, locale=locale_of(context)))

    # A Text written into a template is said in the page's language, with or without |said.
    @pass_context
    def finalize(context: Context, value):
        return value.in_locale(locale_of(context)) if isinstance(value, Text) else value

    env.finalize = finalize
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
