"""Figures as people read them: numbers, money, percentages, dates and counted nouns, by Babel,
in one locale decided in one place, and the same in templates as in code."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from jinja2 import Environment

from tracker import formats


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (1234567, "1,234,567"),
        (Decimal("2.5"), "2"),  # to the even whole number
        (Decimal("3.5"), "4"),
        (-1200, "-1,200"),
        (None, "\u2013"),
    ],
)
def test_numbers(value, expected):
    assert formats.format_number(value) == expected


@pytest.mark.parametrize(
    ("value", "currency", "compact", "exact"),
    [
        (Decimal("950"), "EUR", "€950", "€950.00"),
        (Decimal("184200"), "EUR", "€184.2K", "€184,200.00"),
        (Decimal("1234567.891"), "EUR", "€1.2M", "€1,234,567.89"),
        (Decimal("2500000000"), "EUR", "€2.5B", "€2,500,000,000.00"),
        (Decimal("950"), "USD", "$950", "$950.00"),
        (Decimal("108577.633"), "USD", "$108.6K", "$108,577.63"),
        (Decimal("12000000"), "USD", "$12M", "$12,000,000.00"),
        (Decimal("-1200000"), "USD", "-$1.2M", "-$1,200,000.00"),
        (Decimal("5000"), "CAD", "CA$5K", "CA$5,000.00"),
        (Decimal("1234.5"), "JPY", "¥1.2K", "¥1,234"),  # the yen has no cents
    ],
)
def test_money_in_any_currency(value, currency, compact, exact):
    assert formats.format_money(value, currency) == compact
    assert formats.format_money_exact(value, currency) == exact


def test_money_named_and_missing():
    assert formats.format_money_named(Decimal(200_000), "USD") == "200,000.00 US dollars"
    assert formats.format_money_named(Decimal(1), "EUR") == "1.00 euro"
    assert formats.format_money(None, "EUR") == "\u2013"
    assert formats.format_money_exact(None, "USD") == "\u2013"


@pytest.mark.parametrize(
    ("share", "expected"), [(0, "0%"), (0.5, "50%"), (Decimal("0.456"), "46%"), (1, "100%")]
)
def test_shares_as_percentages(share, expected):
    assert formats.format_percent(share) == expected


def test_percentages_of_a_hundred():
    assert formats.format_percentage(Decimal("60")) == "60%"
    assert formats.format_percentage(Decimal("33.33")) == "33%"
    assert formats.format_percentage(None) == "\u2013"


def test_dates_times_and_periods():
    day = date(2026, 11, 2)
    moment = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
    assert formats.format_date(day) == "Nov 2, 2026"
    assert formats.format_date(moment) == "Nov 2, 2026"
    assert formats.format_day_month(day) == "Nov 2"
    assert formats.format_datetime(moment) == "Nov 2, 2026, 2:05\u202fPM UTC"
    # A stored moment without a zone is UTC; shown in another zone, it says which.
    assert formats.format_datetime(moment.replace(tzinfo=None)) == formats.format_datetime(moment)
    assert formats.format_datetime(moment, zone="Europe/Paris") == (
        "Nov 2, 2026, 3:05\u202fPM +0100"
    )
    assert formats.format_hour(8) == "08:00"
    # A span says a month or a year once when both ends share it.
    assert formats.format_period(date(2026, 10, 26), day) == "Oct 26\u2009\u2013\u2009Nov 2, 2026"
    assert formats.format_period(date(2026, 11, 2), date(2026, 11, 9)) == (
        "Nov 2\u2009\u2013\u20099, 2026"
    )
    assert formats.weekday_name(0) == "Monday"
    assert formats.format_date(None) == "\u2013"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 projects"), (1, "1 project"), (2, "2 projects"), (1204, "1,204 projects")],
)
def test_counted_nouns(n, expected):
    assert formats.ngettext("%(num)s project", "%(num)s projects", n) == expected


def test_counted_nouns_take_other_values():
    assert (
        formats.ngettext(
            "%(num)s %(status)s project", "%(num)s %(status)s projects", 3, status="active"
        )
        == "3 active projects"
    )


def test_a_locale_can_be_passed_and_one_place_decides_it():
    assert formats.locale_for() == formats.DEFAULT_LOCALE == "en"
    assert formats.format_number(1234567, locale="fr") == "1\u202f234\u202f567"
    assert formats.format_money_exact(Decimal("1234.5"), "EUR", locale="fr") == "1\u202f234,50\xa0€"
    assert formats.format_date(date(2026, 11, 2), locale="fr") == "2 nov. 2026"
    assert formats.format_date(date(2026, 11, 2), locale="en_GB") == "2 Nov 2026"


def test_time_zone_choices_are_real_zones():
    from zoneinfo import available_timezones

    names = [name for name, _ in formats.time_zone_choices()]
    assert set(names) <= available_timezones()
    assert "Europe/Lyon" not in names
    assert {"UTC", "Europe/Paris", "Africa/Nairobi", "America/Bogota", "Asia/Singapore"} <= set(
        names
    )
    assert dict(formats.time_zone_choices())["Africa/Nairobi"] == "Nairobi — Kenya Time"


def test_time_zones_are_named_in_the_readers_language():
    french, arabic = dict(formats.time_zone_choices("fr")), dict(formats.time_zone_choices("ar"))
    assert french["UTC"] == "UTC — Temps universel coordonné"
    assert french["Asia/Ho_Chi_Minh"] == "Hô-Chi-Minh-Ville — heure : Viêt Nam"
    assert arabic["Europe/Paris"] == "باريس — توقيت فرنسا"


def _environment(locale: str = "en", currency: str = "EUR") -> Environment:
    env = Environment(autoescape=True)
    formats.install(env, locale_of=lambda _: locale, currency_of=lambda _: currency)
    return env


@pytest.mark.parametrize(
    ("source", "context", "expected"),
    [
        ("{{ n | number }}", {"n": 1234567}, "1,234,567"),
        ("{{ v | money }}", {"v": Decimal("184200")}, "€184.2K"),
        ("{{ v | money('USD') }}", {"v": Decimal("184200")}, "$184.2K"),
        ("{{ v | money_exact }}", {"v": Decimal("142000")}, "€142,000.00"),
        ("{{ s | percent }}", {"s": 0.5}, "50%"),
        ("{{ p | percentage }}", {"p": Decimal("40")}, "40%"),
        ("{{ d | day }}", {"d": date(2026, 1, 1)}, "Jan 1, 2026"),
        (
            "{{ m | when }}",
            {"m": datetime(2026, 1, 1, 9, 30, tzinfo=UTC)},
            "Jan 1, 2026, 9:30\u202fAM UTC",
        ),
        ('{{ ngettext("%(num)s gap", "%(num)s gaps", n) }}', {"n": 1}, "1 gap"),
        ('{{ ngettext("%(num)s gap", "%(num)s gaps", n) }}', {"n": 2500}, "2,500 gaps"),
        (
            '{{ ngettext("%(num)s project in %(where)s", "%(num)s projects in %(where)s", n, '
            "where=w) }}",
            {"n": 2, "w": "<Africa>"},
            "2 projects in &lt;Africa&gt;",
        ),
        ('{{ gettext("Every %(day)s", day=0 | weekday) }}', {}, "Every Monday"),
    ],
)
def test_templates_format_the_same_way(source, context, expected):
    assert _environment().from_string(source).render(**context) == expected


def test_templates_follow_the_currency_and_locale_they_are_given():
    source = "{{ v | money }} · {{ v | money_exact }}"
    assert _environment(currency="USD").from_string(source).render(v=Decimal("1500")) == (
        "$1.5K · $1,500.00"
    )
    assert _environment(locale="fr").from_string("{{ n | number }}").render(n=1000) == (
        "1\u202f000"
    )


def test_a_text_is_its_english_and_is_said_in_the_page_language():
    gaps = formats.Text("Gaps")
    assert gaps == "Gaps" and isinstance(gaps, str)
    assert formats.said(gaps, locale="fr") == "Lacunes"
    assert formats.said(gaps, locale="ar") == "الفجوات"
    assert formats.said("Gaps", locale="fr") == "Gaps"  # a plain str is shown as it is

    active = formats.Text("Active")
    counted = formats.Text.counted(
        "%(num)s %(status)s project", "%(num)s %(status)s projects", 1204, status=active
    )
    assert counted == "1,204 Active projects"
    assert formats.said(counted, locale="fr") == "1\u202f204 projets Actif"
    assert pickle.loads(pickle.dumps(counted)).in_locale("es") == counted.in_locale("es")


def test_a_text_rendered_by_a_template_is_in_the_template_language():
    env = Environment()
    formats.install(env, locale_of=lambda context: context["lang"], currency_of=lambda c: "EUR")
    page = env.from_string("{{ message|said }}")
    assert page.render(message=formats.Text("Gaps"), lang="es") == "Brechas"
    assert page.render(message="As written", lang="es") == "As written"
    plain = env.from_string("<p title='{{ message }}'>{{ message }}</p>")
    assert plain.render(message=formats.Text("Gaps"), lang="fr") == (
        "<p title='Lacunes'>Lacunes</p>"
    )


def test_names_sort_as_each_language_sorts_them():
    french = ["Zambie", "Émirats arabes unis", "Eswatini", "egypte", "Éthiopie", "Afrique du Sud"]
    assert formats.sort_names(french, locale="fr") == [
        "Afrique du Sud",
        "egypte",
        "Émirats arabes unis",
        "Eswatini",
        "Éthiopie",
        "Zambie",
    ]
    spanish = ["Ñandú", "Nuñez", "Noruega", "Nuno", "Namibia"]
    assert formats.sort_names(spanish, locale="es") == [
        "Namibia",
        "Noruega",
        "Nuno",
        "Nuñez",
        "Ñandú",
    ]
    arabic = ["مصر", "تونس", "بنين", "أنغولا"]
    assert formats.sort_names(arabic, locale="ar") == ["أنغولا", "بنين", "تونس", "مصر"]


def test_a_template_sorts_names_in_its_language():
    env = Environment()
    formats.install(env, locale_of=lambda context: context["lang"], currency_of=lambda c: "EUR")
    page = env.from_string("{{ places | sorted_names(1) | map(attribute=1) | join(', ') }}")
    places = [("ET", "Éthiopie"), ("ZM", "Zambie"), ("EG", "Égypte"), ("DZ", "Algérie")]
    assert page.render(places=places, lang="fr") == "Algérie, Égypte, Éthiopie, Zambie"
