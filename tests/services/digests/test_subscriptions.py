"""Subscriptions: every field checked as ASCII digits or known names, and unsubscribe links
that name their subscription's generation and work only while it lasts."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Subscription
from tracker.services.accounts.users import create_user, get_user
from tracker.services.digests.schedule import valid_timezone
from tracker.services.digests.subscriptions import (
    SubscriptionInput,
    create_subscription,
    delete_subscription,
    subscription_for_link,
    unsubscribe_by_link,
    unsubscribe_token,
    update_subscription,
)
from tracker.services.errors import InputError

SETTINGS = Settings(env="test", secret_key="s" * 40)


@pytest.fixture
def reader(framework) -> int:
    with session_scope(framework) as session:
        return create_user(
            session=session,
            email="reader@example.org",
            full_name="Reader",
            role="viewer",
            programmes=[],
            actor=None,
        ).id


def _create(engine, reader: int, **values) -> Subscription:
    with session_scope(engine) as session:
        user = get_user(session=session, user_id=reader)
        return create_subscription(session=session, user=user, data=SubscriptionInput(**values))


def _stored(engine, subscription_id: int) -> Subscription | None:
    with Session(engine) as session:
        return session.get(Subscription, subscription_id)


def _link(engine, subscription_id: int):
    with Session(engine) as session:
        subscription = session.get(Subscription, subscription_id)
        return unsubscribe_token(SETTINGS, subscription.id, subscription.generation)


def _unsubscribe(engine, token: str):
    with session_scope(engine) as session:
        return unsubscribe_by_link(session=session, settings=SETTINGS, token=token)


def _resubscribe(engine, subscription_id: int, **values) -> None:
    with session_scope(engine) as session:
        subscription = session.get(Subscription, subscription_id)
        update_subscription(
            session=session, subscription=subscription, data=SubscriptionInput(**values)
        )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"weekday": "²"}, "weekday"),
        ({"weekday": "٣"}, "weekday"),
        ({"weekday": "7"}, "weekday"),
        ({"weekday": "007"}, "weekday"),
        ({"hour": "24"}, "hour"),
        ({"hour": " "}, "hour"),
        ({"hour": str(2**63)}, "hour"),
        ({"timezone": "x" * 5_000}, "timezone"),
        ({"timezone": "Europe/" + "a" * 300}, "timezone"),
        ({"timezone": "Europe/Paris\x00"}, "timezone"),
        ({"programmes": ["CYB\x00"]}, "programmes"),
        ({"region": "AFR\x1b"}, "region"),
        ({"frequency": "weekly\x00"}, "frequency"),
        ({"quiet": "skip\x00"}, "quiet"),
    ],
)
def test_hostile_values_are_refused_and_nothing_is_stored(framework, reader, values, field):
    with pytest.raises(InputError) as refused:
        _create(framework, reader, **values)
    assert field in refused.value.errors
    with Session(framework) as session:
        assert session.exec(select(Subscription)).all() == []


def test_hours_may_be_written_with_a_leading_zero(framework, reader):
    subscription = _create(framework, reader, weekday="04", hour="08", timezone=" Asia/Tokyo ")
    assert (subscription.weekday, subscription.hour, subscription.timezone) == (4, 8, "Asia/Tokyo")


@pytest.mark.parametrize(
    "name", ["x" * 5_000, "../../etc/passwd", "nul\x00", "/etc/localtime", "", "Europe"]
)
def test_only_names_from_the_time_zone_database_are_time_zones(name):
    assert valid_timezone(name) is False


def test_an_unsubscribe_link_works_once(framework, reader):
    subscription = _create(framework, reader)
    assert 1 <= subscription.generation <= 2**30
    token = _link(framework, subscription.id)
    assert token.split(".")[:2] == [str(subscription.id), str(subscription.generation)]

    stopped = _unsubscribe(framework, token)
    assert stopped.current and stopped.subscription.id == subscription.id
    after = _stored(framework, subscription.id)
    assert (after.active, after.generation) == (False, subscription.generation + 1)

    again = _unsubscribe(framework, token)
    assert again is not None and not again.current
    assert _stored(framework, subscription.id).generation == subscription.generation + 1


def test_subscribing_again_moves_the_generation_on_and_a_plain_change_does_not(framework, reader):
    subscription = _create(framework, reader)
    first = _link(framework, subscription.id)
    _resubscribe(framework, subscription.id, hour="9")  # still running: same generation
    assert _stored(framework, subscription.id).generation == subscription.generation
    assert _unsubscribe(framework, first).current

    _resubscribe(framework, subscription.id, hour="10")  # started again
    restarted = _stored(framework, subscription.id)
    assert (restarted.active, restarted.hour) == (True, 10)
    assert restarted.generation == subscription.generation + 2
    with Session(framework) as session:
        linked = subscription_for_link(session=session, settings=SETTINGS, token=first)
    assert linked is not None and not linked.current
    assert not _unsubscribe(framework, first).current
    assert _stored(framework, subscription.id).active

    assert _unsubscribe(framework, _link(framework, subscription.id)).current


def test_a_deleted_subscriptions_link_does_not_stop_a_new_one(framework, reader):
    old = _create(framework, reader)
    token = _link(framework, old.id)
    with session_scope(framework) as session:
        delete_subscription(session=session, subscription=session.get(Subscription, old.id))
    new = _create(framework, reader)  # SQLite may give it the same id
    with Session(framework) as session:
        linked = subscription_for_link(session=session, settings=SETTINGS, token=token)
    assert linked is None or not linked.current
    assert _stored(framework, new.id).active


def test_a_link_signed_with_another_key_is_refused(framework, reader):
    subscription = _create(framework, reader)
    other = Settings(env="test", secret_key="o" * 40)
    token = unsubscribe_token(other, subscription.id, subscription.generation)
    assert _unsubscribe(framework, token) is None
    assert _stored(framework, subscription.id).active


@pytest.mark.parametrize(
    "written",
    [
        lambda i, g, s: f"0{i}.{g}.{s}",
        lambda i, g, s: f"{i}.0{g}.{s}",
        lambda i, g, s: f"{chr(0x0660 + i)}.{g}.{s}" if i < 10 else f"٣{i}.{g}.{s}",
        lambda i, g, s: f"²{i}.{g}.{s}",
        lambda i, g, s: f"{i}.{g}.{s.upper()}",
        lambda i, g, s: f"{i}.{g}.{s} ",
        lambda i, g, s: f" {i}.{g}.{s}",
        lambda i, g, s: f"{i}.{g}",
        lambda i, g, s: f"{2**31}.{g}.{s}",
        lambda i, g, s: f"{i}.{2**31}.{s}",
        lambda i, g, s: "",
        lambda i, g, s: "...",
    ],
)
def test_tokens_are_read_only_as_issued(framework, reader, written):
    subscription = _create(framework, reader)
    signature = _link(framework, subscription.id).split(".")[2]
    token = written(subscription.id, subscription.generation, signature)
    assert _unsubscribe(framework, token) is None
    assert _stored(framework, subscription.id).active
