"""Digest subscriptions, previews, the archive, and one-click unsubscribe."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.datastructures import FormData

from tracker import formats
from tracker.deps import AdminPrincipal, CurrentPrincipal, FormDep, SessionDep, SettingsDep
from tracker.locales import N_
from tracker.models._base import utcnow
from tracker.places import Place
from tracker.services.digests import outbox
from tracker.services.digests.preview import own_message, past_digests, preview
from tracker.services.digests.schedule import FREQUENCIES, WEEKDAYS, next_due
from tracker.services.digests.subscriptions import (
    SubscriptionInput,
    create_subscription,
    delete_subscription,
    list_subscriptions,
    own_subscription,
    subscription_for_link,
    unsubscribe_by_link,
    update_subscription,
)
from tracker.services.errors import InputError
from tracker.services.reference.lists import programmes_and_regions
from tracker.web import urls
from tracker.web._form_data import text_field, text_fields
from tracker.web._forms import see_other
from tracker.web.templating import templates

router = APIRouter()


# The areas of the time zone database, as a person choosing a zone reads them.
ZONE_AREA_NAMES = {
    "Africa": N_("Africa"),
    "America": N_("Americas"),
    "Antarctica": N_("Antarctica"),
    "Arctic": N_("Arctic"),
    "Asia": N_("Asia"),
    "Atlantic": N_("Atlantic Ocean"),
    "Australia": N_("Australia"),
    "Europe": N_("Europe"),
    "Indian": N_("Indian Ocean"),
    "Pacific": N_("Pacific"),
}


def _zone_choices(locale: str) -> dict:
    """The time zones offered, for a <select>: UTC first, then every zone of the database by
    area ("Europe"), each named by its city and where it is ("Paris — France Time"), in the
    order of the reader's language."""
    areas: dict[str, list[tuple[str, str]]] = {}
    first = []
    for name, text in formats.time_zone_choices(locale):
        if "/" not in name:
            first.append((name, text))
            continue
        areas.setdefault(name.split("/", 1)[0], []).append((name, text))
    names = {name for name, _ in first} | {name for zones in areas.values() for name, _ in zones}
    grouped = [
        (
            formats.gettext(ZONE_AREA_NAMES.get(area, area), locale=locale),
            formats.sort_names(zones, locale=locale, key=lambda zone: zone[1]),
        )
        for area, zones in areas.items()
    ]
    grouped = formats.sort_names(grouped, locale=locale, key=lambda group: group[0])
    return {"first": first, "areas": grouped, "names": names}


QUIET_CHOICES = (
    ("line", N_("Send one line saying nothing changed")),
    ("skip", N_("Send nothing")),
)
# The states of a digest in the archive other than sent, as its badge names them.
OUTBOX_STATUSES = {"pending": N_("Pending"), "sending": N_("Sending")}
BOARD_PACK_CHOICES = (
    ("no", N_("No")),
    ("monthly", N_("Yes: attach it to the first digest of each month")),
)


def _page(request, session, principal, status=200, **context) -> HTMLResponse:
    programmes, regions = programmes_and_regions(session=session)
    subscriptions = list_subscriptions(session=session, user=principal.user)
    now = utcnow()
    locale = formats.locale_for(request)

    def say(choices):
        return [(value, formats.gettext(text, locale=locale)) for value, text in choices]

    if "errors" in context:  # refusals written in Python, in the page's language
        context["errors"] = {
            name: formats.said(message, locale=locale)
            for name, message in context["errors"].items()
        }
    return templates.TemplateResponse(
        request,
        "digests/index.html",
        {
            "subscriptions": subscriptions,
            # In the subscriber's own time zone.
            "next_due": {
                s.id: next_due(
                    frequency=s.frequency,
                    weekday=s.weekday,
                    hour=s.hour,
                    timezone=s.timezone,
                    now=now,
                ).astimezone(ZoneInfo(s.timezone))
                for s in subscriptions
            },
            "archive": past_digests(session=session, user=principal.user),
            "options": {
                "frequencies": say(FREQUENCIES.items()),
                "weekdays": [
                    (str(i), formats.weekday_name(i, locale=locale)) for i in range(len(WEEKDAYS))
                ],
                "hours": [(str(h), formats.format_hour(h, locale=locale)) for h in range(24)],
                "zones": _zone_choices(locale),
                "programmes": [(p.code, p.name) for p in programmes],
                "regions": [("", formats.gettext("Everywhere", locale=locale))]
                + [(r.code, Place("region", r.code, r.name)) for r in regions],
                "quiet": say(QUIET_CHOICES),
                "board_pack": say(BOARD_PACK_CHOICES),
            },
            "weekdays": WEEKDAYS,
            "outbox_statuses": OUTBOX_STATUSES,
            "form": context.pop("form", {}),
            **context,
        },
        status_code=status,
    )


def _input(form: FormData) -> SubscriptionInput:
    return SubscriptionInput(
        frequency=text_field(form, "frequency", "weekly"),
        weekday=text_field(form, "weekday", "0"),
        hour=text_field(form, "hour", "8"),
        timezone=text_field(form, "timezone", "UTC"),
        programmes=text_fields(form, "programmes"),
        region=text_field(form, "region", ""),
        quiet=text_field(form, "quiet", "line"),
        board_pack=text_field(form, "board_pack", "no"),
    )


@router.get("/digests", response_class=HTMLResponse, name="digests")
def digests(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    return _page(request, session, principal, notice=request.query_params.get("notice"))


@router.post("/digests", response_class=HTMLResponse, name="subscribe")
def subscribe(
    request: Request, form: FormDep, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    data = None
    try:
        data = _input(form)
        create_subscription(session=session, user=principal.user, data=data)
    except InputError as exc:
        session.rollback()
        shown = data.__dict__ if data else {}
        return _page(request, session, principal, 400, errors=exc.errors, form=shown)
    session.commit()
    return see_other(str(urls.url_for(request, "digests")) + "?notice=subscribed")


@router.post("/digests/{subscription_id}", response_class=HTMLResponse, name="update_subscription")
def change(
    request: Request,
    subscription_id: int,
    form: FormDep,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Response:
    subscription = own_subscription(
        session=session, user=principal.user, subscription_id=subscription_id
    )
    try:
        update_subscription(session=session, subscription=subscription, data=_input(form))
    except InputError as exc:
        session.rollback()
        return _page(request, session, principal, 400, errors=exc.errors, editing=subscription_id)
    session.commit()
    return see_other(str(urls.url_for(request, "digests")) + "?notice=saved")


@router.post("/digests/{subscription_id}/delete", name="delete_subscription")
def remove(
    request: Request, subscription_id: int, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    subscription = own_subscription(
        session=session, user=principal.user, subscription_id=subscription_id
    )
    delete_subscription(session=session, subscription=subscription)
    session.commit()
    return see_other(str(urls.url_for(request, "digests")) + "?notice=removed")


_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)


def _email_page(request: Request, html: str, *, what: str) -> HTMLResponse:
    """The email exactly as sent, on a page of its own whose policy allows the inline styles,
    below a bar that says what it is and leads back to the digests page. The email becomes
    the page's main landmark, the bar its navigation."""
    bar = templates.get_template("digests/_email_bar.html").render(request=request, what=what)
    opening = _BODY_OPEN.search(html)
    closing = _BODY_CLOSE.search(html, opening.end() if opening else 0)
    if opening is None or closing is None:
        return HTMLResponse(f"{bar}<main>{html}</main>")
    return HTMLResponse(
        html[: opening.end()]
        + bar
        + "<main>"
        + html[opening.end() : closing.start()]
        + "</main>"
        + html[closing.start() :]
    )


@router.get(
    "/digests/{subscription_id}/preview", response_class=HTMLResponse, name="preview_digest"
)
def preview_digest(
    request: Request,
    subscription_id: int,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    format: str = "html",
) -> Response:
    subscription = own_subscription(
        session=session, user=principal.user, subscription_id=subscription_id
    )
    locale = formats.locale_for(request)
    rendered = preview(session=session, settings=settings, subscription=subscription, locale=locale)
    if format == "text":
        return PlainTextResponse(f"Subject: {rendered.subject}\n\n{rendered.text}")
    what = formats.gettext("Preview of your next digest, as it will arrive", locale=locale)
    return _email_page(request, rendered.html, what=what)


@router.get("/digests/archive/{message_id}", response_class=HTMLResponse, name="past_digest")
def past_digest(
    request: Request,
    message_id: int,
    session: SessionDep,
    principal: CurrentPrincipal,
    format: str = "html",
) -> Response:
    row = own_message(session=session, user=principal.user, message_id=message_id)
    if format == "text":
        return PlainTextResponse(f"Subject: {row.subject}\n\n{row.body_text}")
    what = formats.gettext(
        "A past digest: %(subject)s", locale=formats.locale_for(request), subject=row.subject
    )
    return _email_page(request, row.body_html, what=what)


def _unsubscribe_page(request: Request, token: str, linked, *, done: bool) -> HTMLResponse:
    """404 for a link not signed here; 410 for one whose subscription was stopped or started
    again since it was sent."""
    status = 404 if linked is None else 200 if linked.current else 410
    return templates.TemplateResponse(
        request,
        "digests/unsubscribe.html",
        {
            "subscription": linked.subscription if linked else None,
            "stale": linked is not None and not linked.current,
            "token": token,
            "done": done and status == 200,
        },
        status_code=status,
    )


@router.get("/digests/unsubscribe/{token}", response_class=HTMLResponse, name="unsubscribe_form")
def unsubscribe_form(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """Only shows a button: mail scanners follow links, and following one changes nothing."""
    linked = subscription_for_link(session=session, settings=settings, token=token)
    return _unsubscribe_page(request, token, linked, done=False)


@router.post("/digests/unsubscribe/{token}", response_class=HTMLResponse, name="unsubscribe")
def unsubscribe_now(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """One click, no sign-in (RFC 8058); the signed token is the proof."""
    linked = unsubscribe_by_link(session=session, settings=settings, token=token)
    if linked is not None and linked.current:
        session.commit()
    return _unsubscribe_page(request, token, linked, done=True)


@router.get("/admin/outbox", response_class=HTMLResponse, name="admin_outbox")
def admin_outbox(
    request: Request, session: SessionDep, settings: SettingsDep, principal: AdminPrincipal
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "admin/outbox.html",
        {
            "messages": outbox.undelivered(session=session),
            "mail_enabled": settings.mail_enabled,
            "notice": request.query_params.get("notice"),
        },
    )


@router.post("/admin/outbox/{message_id}/retry", name="retry_message")
def retry_message(
    request: Request, message_id: int, session: SessionDep, principal: AdminPrincipal
) -> Response:
    outbox.retry(session=session, message_id=message_id)
    session.commit()
    return see_other(str(urls.url_for(request, "admin_outbox")) + "?notice=retrying")
