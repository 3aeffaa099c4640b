"""Settings: the reporting currency is an ISO 4217 code that Babel knows."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tracker.config import Settings


@pytest.mark.parametrize(("given", "kept"), [("EUR", "EUR"), ("usd", "USD"), (" chf ", "CHF")])
def test_a_reporting_currency_is_kept_as_iso_writes_it(given, kept):
    assert Settings(env="test", reporting_currency=given).reporting_currency == kept


@pytest.mark.parametrize("given", ["XYZ", "EU", "EURO", "€", "US$", "ÉUR", ""])
def test_an_unknown_reporting_currency_is_refused_naming_what_is_allowed(given):
    with pytest.raises(ValidationError) as refused:
        Settings(env="test", reporting_currency=given)
    [error] = refused.value.errors()
    assert error["loc"] == ("reporting_currency",)
    assert "must be a three-letter ISO 4217 code such as EUR or USD" in error["msg"]


def test_the_environment_sets_it(monkeypatch):
    monkeypatch.setenv("TRACKER_REPORTING_CURRENCY", "USD")
    assert Settings(env="test").reporting_currency == "USD"
