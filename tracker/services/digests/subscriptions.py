"""Managing digest subscriptions, and the signed one-click unsubscribe."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import case, update
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.formats import Text
from tracker.inputs import CONTROL, bad_character, canonical_id
from tracker.locales import N_
from tracker.models import Programme, Region, Subscription, User
from tracker.services.accounts.secrets import same, sign
from tracker.services.digests.content import Scope
from tracker.services.digests.schedule import FREQUENCIES, valid_timezone
from tracker.services.errors import InputError, NotFound
from tracker.services.reference.lists import programme_names, region_names

MAX_TIMEZONE_LENGTH = 64  # the column's width; the longest IANA name has 32 characters
QUIET = ("line", "skip")
BOARD_PACK = ("no", "monthly")
_SIGNATURE = re.compile(r"[0-9a-f]{32}")


@dataclass
class SubscriptionInput:
    frequency: str = "weekly"
    weekday: str | int = 0
    hour: str | int = 8
    timezone: str = "UTC"
    programmes: list[str] | None = None
    region: str = ""
    quiet: str = "line"
    board_pack: str = "no"  # monthly: the board pack (PDF) with the first digest of each month


def scope_of(subscription: Subscription) -> Scope:
    return Scope(tuple(subscription.programmes or ()), subscription.region or None)


def _small_number(value: str | int, high: int) -> int | None:
    """A number from 0 to `high` in one or two ASCII digits: a superscript two or an
    Arabic-Indic three is not read as a number."""
    text = str(value).strip()
    if not (0 < len(text) <= 2 and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= high else None


def _timezone_problem(timezone: str) -> str | None:
    if bad_character(timezone, allow_line_breaks=False):
        return CONTROL
    if len(timezone) > MAX_TIMEZONE_LENGTH:
        return Text(
            N_("must be at most %(most)s characters: an IANA name such as Europe/Paris"),
            most=MAX_TIMEZONE_LENGTH,
        )
    if not valid_timezone(timezone):
        return Text(
            N_('unknown time zone "%(zone)s"; use an IANA name such as Europe/Paris'),
            zone=timezone,
        )
    return None


def _programmes(session: Session, codes: list[str], errors: dict[str, str]) -> list[str]:
    programmes = [p.strip() for p in codes if p.strip()]
    if any(bad_character(p, allow_line_breaks=False) for p in programmes):
        errors["programmes"] = CONTROL
        return []
    known = set(session.exec(select(Programme.code)))
    unknown = [p for p in programmes if p not in known]
    if unknown:
        errors["programmes"] = Text(
            N_("unknown programme %(programme)s; allowed: %(allowed)s"),
            programme=unknown[0][:20],
            allowed=programme_names(session=session),
        )
    return sorted(set(programmes))


def _region(session: Session, value: str, errors: dict[str, str]) -> str | None:
    region = (value or "").strip() or None
    if region is None:
        return None
    if bad_character(region, allow_line_breaks=False):
        errors["region"] = CONTROL
        return None
    regions = set(session.exec(select(Region.code)))
    if region not in regions:
        errors["region"] = Text(
            N_('unknown region "%(region)s"; allowed: %(allowed)s, or none'),
            region=region[:20],
            allowed=region_names(session=session),
        )
    return region


def _validate(session: Session, data: SubscriptionInput) -> dict:
    """Every field checked, every problem named with what is allowed; nothing is stored
    unless all of them are right."""
    errors: dict[str, str] = {}
    if data.frequency not in FREQUENCIES:
        errors["frequency"] = Text(N_("must be one of %(allowed)s"), allowed=", ".join(FREQUENCIES))
    weekday = _small_number(data.weekday, 6)
    if weekday is None:
        errors["weekday"] = Text(N_("must be a day of the week, 0 (Monday) to 6 (Sunday)"))
    hour = _small_number(data.hour, 23)
    if hour is None:
        errors["hour"] = Text(N_("must be an hour from 0 to 23"))
    timezone = (data.timezone or "").strip()
    if problem := _timezone_problem(timezone):
        errors["timezone"] = problem
    programmes = _programmes(session, data.programmes or [], errors)
    region = _region(session, data.region, errors)
    if data.quiet not in QUIET:
        errors["quiet"] = Text(N_("must be line (say so in one line) or skip (send nothing)"))
    if data.board_pack not in BOARD_PACK:
        errors["board_pack"] = Text(
            N_("must be no or monthly (the board pack with the month's first digest)")
        )
    if errors:
        raise InputError(errors)
    return {
        "frequency": data.frequency,
        "weekday": weekday,
        "hour": hour,
        "timezone": timezone,
        "programmes": programmes,
        "region": region,
        "quiet": data.quiet,
        "board_pack": data.board_pack == "monthly",
    }


def list_subscriptions(*, session: Session, user: User) -> list[Subscription]:
    return list(
        session.exec(
            select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id)
        )
    )


def create_subscription(*, session: Session, user: User, data: SubscriptionInput) -> Subscription:
    # The first generation is random, not 1: SQLite may give a new subscription the id of a
    # deleted one, and the deleted one's unsubscribe links must not work for it.
    subscription = Subscription(
        user_id=user.id, generation=secrets.randbelow(2**30) + 1, **_validate(session, data)
    )
    session.add(subscription)
    session.flush()
    return subscription


def own_subscription(*, session: Session, user: User, subscription_id: int) -> Subscription:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.user_id != user.id:
        raise NotFound("subscription")
    return subscription


def update_subscription(
    *, session: Session, subscription: Subscription, data: SubscriptionInput
) -> None:
    """Save the choices and start the subscription again if it was stopped: then its
    generation moves on, and links sent before it was stopped stay dead."""
    values = _validate(session, data)
    session.execute(
        update(Subscription)
        .where(Subscription.id == subscription.id)
        .values(
            **values,
            active=True,
            generation=case(
                (Subscription.active, Subscription.generation),
                else_=Subscription.generation + 1,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(subscription)


def delete_subscription(*, session: Session, subscription: Subscription) -> None:
    session.delete(subscription)


# One-click unsubscribe: "<subscription id>.<generation>.<signature>"


def _signature(settings: Settings, subscription_id: int, generation: int) -> str:
    return sign(settings.secret_key, "unsubscribe", str(subscription_id), str(generation))[:32]


def unsubscribe_token(settings: Settings, subscription_id: int, generation: int = 1) -> str:
    """The token of an unsubscribe link, good while the subscription is in this generation."""
    return f"{subscription_id}.{generation}.{_signature(settings, subscription_id, generation)}"


@dataclass(frozen=True)
class LinkedSubscription:
    """The subscription an unsubscribe link was signed for. `current` is False when it was
    stopped or started again since: the link no longer does anything."""

    subscription: Subscription
    current: bool


def _read_token(settings: Settings, token: str) -> tuple[int, int] | None:
    """(subscription id, generation) of a token signed here, written exactly as issued: ASCII
    digits without leading zeros within the database's range, 32 lowercase hex digits."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    subscription_id, generation = canonical_id(parts[0]), canonical_id(parts[1])
    signature = parts[2]
    if subscription_id is None or generation is None or not _SIGNATURE.fullmatch(signature):
        return None
    if not same(signature, _signature(settings, subscription_id, generation)):
        return None
    return subscription_id, generation


def subscription_for_link(
    *, session: Session, settings: Settings, token: str
) -> LinkedSubscription | None:
    """The subscription behind an unsubscribe link, or None for a link not signed here."""
    read = _read_token(settings, token)
    subscription = session.get(Subscription, read[0]) if read else None
    if subscription is None:
        return None
    current = subscription.active and subscription.generation == read[1]
    return LinkedSubscription(subscription, current)


def unsubscribe_by_link(
    *, session: Session, settings: Settings, token: str
) -> LinkedSubscription | None:
    """Stop the subscription a current link names; the caller commits. One conditional UPDATE
    does it, so a link used twice at once, or while the subscription is started again,
    changes it at most once."""
    linked = subscription_for_link(session=session, settings=settings, token=token)
    if linked is None or not linked.current:
        return linked
    stopped = session.execute(
        update(Subscription)
        .where(
            Subscription.id == linked.subscription.id,
            Subscription.generation == linked.subscription.generation,
            Subscription.active,
        )
        .values(active=False, generation=Subscription.generation + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(linked.subscription)
    return LinkedSubscription(linked.subscription, current=stopped == 1)
