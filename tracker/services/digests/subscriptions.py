"""Managing digest subscriptions, and the signed one-click unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from tracker.config import Settings
from tracker.models import Programme, Region, Subscription, User
from tracker.services.digests.content import Scope
from tracker.services.digests.schedule import FREQUENCIES, valid_timezone
from tracker.services.errors import InputError, NotFound
from tracker.services.secrets import same, sign


@dataclass
class SubscriptionInput:
    frequency: str = "weekly"
    weekday: str | int = 0
    hour: str | int = 8
    timezone: str = "UTC"
    programmes: list[str] | None = None
    region: str = ""
    quiet: str = "line"


def scope_of(subscription: Subscription) -> Scope:
    return Scope(tuple(subscription.programmes or ()), subscription.region or None)


def _validate(session: Session, data: SubscriptionInput) -> dict:
    errors: dict[str, str] = {}
    if data.frequency not in FREQUENCIES:
        errors["frequency"] = f"must be one of {', '.join(FREQUENCIES)}"
    weekday = str(data.weekday).strip()
    if not weekday.isdigit() or not 0 <= int(weekday) <= 6:
        errors["weekday"] = "must be a day of the week, 0 (Monday) to 6 (Sunday)"
    hour = str(data.hour).strip()
    if not hour.isdigit() or not 0 <= int(hour) <= 23:
        errors["hour"] = "must be an hour from 0 to 23"
    timezone = (data.timezone or "").strip()
    if not valid_timezone(timezone):
        errors["timezone"] = (
            f'unknown time zone "{timezone[:60]}"; use an IANA name such as Europe/Paris'
        )
    known = set(session.exec(select(Programme.code)))
    programmes = [p for p in data.programmes or [] if p]
    unknown = [p for p in programmes if p not in known]
    if unknown:
        errors["programmes"] = (
            f"unknown programme {unknown[0][:20]}; allowed: {', '.join(sorted(known))}"
        )
    region = (data.region or "").strip() or None
    regions = set(session.exec(select(Region.code)))
    if region and region not in regions:
        errors["region"] = (
            f'unknown region "{region[:20]}"; allowed: {", ".join(sorted(regions))}, or none'
        )
    if data.quiet not in ("line", "skip"):
        errors["quiet"] = "must be line (say so in one line) or skip (send nothing)"
    if errors:
        raise InputError(errors)
    return {
        "frequency": data.frequency,
        "weekday": int(weekday),
        "hour": int(hour),
        "timezone": timezone,
        "programmes": sorted(set(programmes)),
        "region": region,
        "quiet": data.quiet,
    }


def list_subscriptions(*, session: Session, user: User) -> list[Subscription]:
    return list(
        session.exec(
            select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id)
        )
    )


def create_subscription(*, session: Session, user: User, data: SubscriptionInput) -> Subscription:
    subscription = Subscription(user_id=user.id, **_validate(session, data))
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
    for name, value in _validate(session, data).items():
        setattr(subscription, name, value)
    subscription.active = True
    session.add(subscription)


def delete_subscription(*, session: Session, subscription: Subscription) -> None:
    session.delete(subscription)


def unsubscribe_token(settings: Settings, subscription_id: int) -> str:
    return (
        f"{subscription_id}.{sign(settings.secret_key, 'unsubscribe', str(subscription_id))[:32]}"
    )


def subscription_for_token(
    *, session: Session, settings: Settings, token: str
) -> Subscription | None:
    number, _, signature = token.partition(".")
    if not number.isdigit() or not same(
        signature, unsubscribe_token(settings, int(number)).split(".")[1]
    ):
        return None
    return session.get(Subscription, int(number))


def unsubscribe(*, session: Session, subscription: Subscription) -> None:
    subscription.active = False
    session.add(subscription)
