"""The Jinja2 environment: where templates live and the filters they share.

Figures are formatted by `tracker.formats` (Babel) in the request's locale, and money in the
reporting currency of the app that serves the request.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlmodel import Session

from tracker import formats, locales, places, said
from tracker.config import PROJECT_ROOT, get_settings
from tracker.kept_text import restore
from tracker.refusals import said_refusal
from tracker.security import csrf_token
from tracker.services.accounts.permissions import Principal
from tracker.services.coverage.gaps import subject_in
from tracker.services.coverage.params import STATUS_NAMES
from tracker.services.framework.translations import Names, framework_names, language_of
from tracker.web import urls

NO_VALUE = formats.NO_VALUE


class _Templates(Jinja2Templates):
    """Pages written with the framework's names in their language: a goal, objective or theme
    kept in a sentence from the past (an audit event's subject) is named as the page names
    the framework, read once per request."""

    def TemplateResponse(
        self, request: Request, name: str, context: dict | None = None, *args, **kwargs
    ):
        # The page's language, decided once: every figure and message of the page asks for it.
        context = {**(context or {}), PAGE_LOCALE: formats.locale_for(request)}
        with said.naming(_naming(request)):
            return super().TemplateResponse(request, name, context, *args, **kwargs)


def render_fragment(request: Request, name: str, context: dict) -> tuple[Markup, bool]:
    """A part of a page rendered apart (to be kept and put in the page), as the page would
    render it; and whether it showed the framework in a working translation."""
    context = {**context, "request": request, PAGE_LOCALE: formats.locale_for(request)}
    names = getattr(request.state, "framework_names", None)
    shown_before = bool(names and names.shown)
    if names is not None:
        names.shown = False
    with said.naming(_naming(request)):
        html = Markup(templates.get_template(name).render(context))
    names = getattr(request.state, "framework_names", None)
    shown = bool(names and names.shown)
    if names is not None:
        names.shown = shown or shown_before
    return html, shown


def _naming(request: Request):
    def name(locale: str, level: str, code: str, english: str) -> str:
        return _names_in(request, locale).get(level, code, english)

    return name


templates = _Templates(directory=str(PROJECT_ROOT / "templates"))


PAGE_LOCALE = "page_locale"  # in a page's context: the language it is written in


def _locale(context: Context) -> str:
    locale = context.get(PAGE_LOCALE)
    if locale is not None:
        return locale
    request = context.get("request")
    if request is None:  # a macro imported without the page's context
        return locales.PAGE_LANGUAGE.get()
    return formats.locale_for(request)


def _reporting_currency(context: Context) -> str:
    request = context.get("request")
    if request is None:
        return get_settings().reporting_currency
    return request.app.state.settings.reporting_currency


def format_number(value: int | float | Decimal | None) -> str:
    return formats.format_number(value, locale=formats.locale_for())


def format_money(value: Decimal | float | None, currency: str | None = None) -> str:
    """Compact money in the reporting currency, for code that formats outside a template."""
    return formats.format_money(
        value, currency or get_settings().reporting_currency, locale=formats.locale_for()
    )


def _csrf_token(request: Request) -> str:
    return csrf_token(request, request.app.state.settings.secret_key)


def _principal(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def _language(request: Request) -> locales.Language:
    return locales.LANGUAGES[formats.locale_for(request)]


NAMED_LEVELS = frozenset({"goal", "objective", "theme", "sdg", "sdg_target"})
ROLE_NAMES = {
    "viewer": locales.N_("Viewer"),
    "manager": locales.N_("Manager"),
    "admin": locales.N_("Administrator"),
}


KIND_NAMES = {
    "capacity_building": locales.N_("Capacity building"),
    "operation": locales.N_("Operation"),
}


def _named(names: dict[str, str]):
    """A template function giving a value's name from `names` in the page's language (the
    value itself where it has none)."""

    @pass_context
    def name(context: Context, value) -> str:
        english = names.get(str(value))
        return formats.gettext(english, locale=_locale(context)) if english else str(value)

    return name


@pass_context
def _in_language(context: Context, level: str, code: str, english: str, part: str = "name") -> str:
    """A goal's, objective's, theme's, SDG's or SDG target's short name (or, with
    part="statement", its statement or official title) in the page's language, the English
    where it has none; the framework's names are read once per page, and only in other
    languages."""
    request = context.get("request")
    locale = _locale(context)
    if request is None or locale == locales.DEFAULT or level not in NAMED_LEVELS:
        return english
    names = _names_in(request, locale)
    if part == "statement":
        return names.statement(level, code, english)
    return names.get(level, code, english)


def page_names(request: Request, session: Session) -> Names:
    """The framework's names in the page's language, read once for the request: a route that
    names goals, objectives or themes itself (in a selector) asks here, and the page then says
    whether they are a working translation."""
    return _names_in(request, formats.locale_for(request), session)


def _names_in(request: Request, locale: str, session: Session | None = None) -> Names:
    """The framework's names in `locale`, kept on the request once read (with `session`, or
    with one of their own)."""
    names = getattr(request.state, "framework_names", None)
    if names is None or names.language != language_of(locale):
        if session is None:
            with Session(request.app.state.engine) as own:
                names = framework_names(session=own, locale=locale)
        else:
            names = framework_names(session=session, locale=locale)
        request.state.framework_names = names
    return names


def _translation_note(request: Request) -> str | None:
    """What the page must say if it showed the framework in a working translation."""
    names = getattr(request.state, "framework_names", None)
    return names.note if names is not None and names.shown else None


def _here_in_any_language(request: Request) -> str:
    """This page's address without `?lang=`, for the language switcher to come back to."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return request.url.path + (f"?{urlencode(query)}" if query else "")


# The names of the fields a refusal names, as forms label them (the field itself, its
# underscores as spaces, where it has none).
FIELD_NAMES = {
    "code": locales.N_("Code"),
    "title": locales.N_("Title"),
    "summary": locales.N_("Summary"),
    "kind": locales.N_("Kind"),
    "status": locales.N_("Status"),
    "start_date": locales.N_("Start date"),
    "end_date": locales.N_("End date"),
    "budget_amount": locales.N_("Budget amount"),
    "budget_currency": locales.N_("Budget currency"),
    "donor": locales.N_("Donor"),
    "programme": locales.N_("Programme"),
    "programmes": locales.N_("Programmes"),
    "manager": locales.N_("Manager"),
    "locations": locales.N_("Locations"),
    "version": locales.N_("Version"),
    "full_name": locales.N_("Full name"),
    "email": locales.N_("Email"),
    "role": locales.N_("Role"),
    "active": locales.N_("Active"),
    "password": locales.N_("Password"),
    "confirm": locales.N_("Confirm"),
    "name": locales.N_("Name"),
    "group": locales.N_("Group"),
    "region": locales.N_("Region"),
    "min_active_projects": locales.N_("Min active projects"),
    "entity": locales.N_("Entity"),
    "actor": locales.N_("Actor"),
    "from": locales.N_("From"),
    "to": locales.N_("To"),
    "page": locales.N_("Page"),
    "significance": locales.N_("Significance"),
    "budget_share": locales.N_("Budget share"),
    "rationale": locales.N_("Rationale"),
    "objective": locales.N_("Objective"),
    "theme": locales.N_("Theme"),
    "goal": locales.N_("Goal"),
    "owner": locales.N_("Owner"),
    "target": locales.N_("Target"),
    "weight": locales.N_("Weight"),
    "note": locales.N_("Note"),
    "file": locales.N_("File"),
    "level": locales.N_("Level"),
    "skip_invalid": locales.N_("Skip invalid"),
    "located": locales.N_("Located"),
    "screened": locales.N_("Screened"),
    "sort": locales.N_("Sort"),
    "year": locales.N_("Year"),
    "request": locales.N_("Request"),
}
IMPORT_STATUSES = {
    "checking": locales.N_("Checking"),
    "checked": locales.N_("Checked"),
    "committing": locales.N_("Importing"),
    "committed": locales.N_("Imported"),
    "refused": locales.N_("Refused"),
    "failed": locales.N_("Failed"),
    "interrupted": locales.N_("Interrupted"),
    "expired": locales.N_("Expired"),
}


@pass_context
def _field_label(context: Context, field) -> str:
    """A field a refusal names, as its form labels it, in the page's language."""
    english = FIELD_NAMES.get(str(field))
    if english is None:
        return str(field).replace("_", " ").capitalize()
    return formats.gettext(english, locale=_locale(context))


LANGUAGE_NAMES = {
    "en": locales.N_("English"),
    "fr": locales.N_("French"),
    "es": locales.N_("Spanish"),
    "ar": locales.N_("Arabic"),
}


@pass_context
def _language_label(context: Context, code: str) -> str:
    """A language's name in the page's language: French, français, francés, الفرنسية."""
    locale = _locale(context)
    if code in LANGUAGE_NAMES:
        name = formats.gettext(LANGUAGE_NAMES[code], locale=locale)
    else:
        try:
            name = locales.babel_locale(code).get_display_name(locale) or code
        except (ValueError, TypeError, LookupError):
            name = code
    return name[:1].upper() + name[1:]


@pass_context
def _reported(context: Context, english, kept=None) -> str:
    """A message kept in a report (an import's): said in the page's language where the report
    kept it as a Text, else as it was written."""
    text = restore(kept)
    if text is None:
        return formats.said(said_refusal(english), locale=_locale(context)) if english else ""
    return text.in_locale(_locale(context))


@pass_context
def _score(context: Context, value) -> str:
    """A suggestion's score, to two decimal places as the locale writes them."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="0.00", locale=_locale(context))


@pass_context
def _refusal(context: Context, message) -> str:
    """What a refused field is told, in the page's language: a Text, or one of the refusals
    the field checks write in English (tracker.refusals)."""
    if message is None:
        return ""
    return formats.said(said_refusal(message), locale=_locale(context))


def _capitalize_first(value) -> str:
    text = str(value)
    return text[:1].upper() + text[1:]


@pass_context
def _gap_subject(context: Context, gap) -> str:
    """What a gap is about, in the page's language: the framework's names from its
    translation, places from the catalogue or the CLDR (gaps.subject_in)."""
    return subject_in(
        gap,
        _locale(context),
        lambda level, code, english: _in_language(context, level, code, english),
    )


@pass_context
def _place_name(context: Context, kind: str, code: str, english: str) -> str:
    """A region's ("region") or a country's ("country") name in the page's language: regions
    from the catalogue, countries from the CLDR; the English name for anything else."""
    return places.place_name(kind, code, english, locale=_locale(context))


formats.install(templates.env, locale_of=_locale, currency_of=_reporting_currency)
templates.env.globals["csrf_token"] = _csrf_token
templates.env.globals["url_for"] = pass_context(
    lambda context, name, /, **params: urls.url_for(context["request"], name, **params)
)
templates.env.globals["principal"] = _principal
templates.env.globals["reporting_currency"] = pass_context(_reporting_currency)
templates.env.globals["page_language"] = _language
templates.env.globals["text_direction"] = lambda: locales.direction(locales.PAGE_LANGUAGE.get())
templates.env.globals["role_name"] = _named(ROLE_NAMES)
templates.env.globals["in_language"] = _in_language
templates.env.globals["place_name"] = _place_name
templates.env.globals["gap_subject"] = _gap_subject
templates.env.globals["translation_note"] = _translation_note
templates.env.globals["kind_name"] = _named(KIND_NAMES)
templates.env.filters["status_name"] = _named(STATUS_NAMES)
templates.env.globals["languages"] = tuple(locales.LANGUAGES.values())
templates.env.globals["here_in_any_language"] = _here_in_any_language
templates.env.globals["field_label"] = _field_label
templates.env.globals["language_label"] = _language_label
templates.env.globals["import_status"] = _named(IMPORT_STATUSES)
templates.env.globals["reported"] = _reported
templates.env.globals["score"] = _score
templates.env.globals["refusal"] = _refusal
templates.env.filters["capitalize_first"] = _capitalize_first
