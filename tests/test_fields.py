"""Request models: a query string or form read into a model, and each refusal naming its field
with what is allowed."""

from __future__ import annotations

from enum import StrEnum

import pytest
from pydantic import Field, ValidationError

from tracker.fields import (
    Choice,
    DatedParams,
    Day,
    Integer,
    List,
    Params,
    QueryInteger,
    RegionCode,
    allowed_names,
    read_params,
)
from tracker.services.errors import InputError


class Colour(StrEnum):
    red = "red"
    blue = "blue"


class Record(Params):
    noun = "field"

    name: RegionCode
    count: Integer(0, 10) | None = None


class Shape(StrEnum):
    circle = "circle"
    square_ish = "square_ish"


class Example(DatedParams):
    colour: Choice(Colour, what="colour") = Colour.red
    shape: Choice(Shape, what="shape", names={"circle": "Circle", "square_ish": "Squarish"}) = (
        Shape.circle
    )
    tags: List(RegionCode, 3) = Field(default_factory=list)
    region: RegionCode | None = None
    count: Integer(0, 1_000) | None = None
    page: QueryInteger(1, 100, wrong="must be a page number from 1 to 100") = 1
    date_from: Day | None = Field(default=None, alias="from")
    date_to: Day | None = Field(default=None, alias="to")
    records: List(Record, 5) = Field(default_factory=list)


def _refusal(values) -> dict[str, str]:
    with pytest.raises(InputError) as refused:
        read_params(Example, values)
    return refused.value.errors


def test_repeated_names_fill_lists_the_last_value_wins_and_empty_values_are_not_given():
    params = read_params(
        Example,
        [("tags", " AFR "), ("tags", "EUR"), ("colour", "red"), ("colour", "blue"), ("region", "")],
    )
    assert (params.tags, params.colour, params.region) == (["AFR", "EUR"], Colour.blue, None)
    assert read_params(Example, {"tags": "AFR", "count": "12"}).tags == ["AFR"]


def test_text_takes_whole_numbers_in_ascii_digits_and_json_takes_numbers():
    assert read_params(Example, {"count": "12"}).count == 12
    assert Example.model_validate({"count": 12}).count == 12
    with pytest.raises(ValidationError):
        Example.model_validate({"count": "12"})  # JSON: a string is not a number
    for value in ("٣", "²", "12.0", str(2**63)):
        assert _refusal({"count": value}) == {
            "count": "must be a whole number from 0 to 1,000"
            + (", written in digits 0-9" if value != str(2**63) else "")
        }


def test_each_refusal_names_its_field_and_what_is_allowed():
    assert _refusal({"colour": "green"}) == {"colour": 'unknown colour "green"; allowed: red, blue'}
    assert _refusal({"colour": "x" * 100})["colour"].startswith(f'unknown colour "{"x" * 40}"')
    assert _refusal({"tags": ["A", "B", "C", "D"]}) == {"tags": "must hold at most 3 values"}
    assert _refusal({"page": "0"}) == {"page": "must be a page number from 1 to 100"}
    assert _refusal({"from": "12/03/2026"}) == {
        "from": '"12/03/2026" is not a date; use the form 2026-03-12'
    }
    assert _refusal({"from": "2026-02-30"}) == {
        "from": '"2026-02-30" is not a date in the calendar; use the form 2026-03-12'
    }
    assert _refusal({"from": "2026-03-12", "to": "2026-03-01"}) == {
        "to": "must not be before from (2026-03-12)"
    }
    assert _refusal({"region": "has space"})["region"].startswith("must be a code of 1 to 10")
    assert _refusal({"wibble": "1"}) == {
        "wibble": "unknown parameter; allowed: colour, shape, tags, region, count, page, from, "
        "to, records"
    }


def test_a_record_in_a_list_is_named_by_its_number_and_field():
    refused = _refusal({"records": [{"name": "AFR"}, {"name": "EUR", "count": "11"}]})
    assert refused == {"records": "2 count: must be a whole number from 0 to 10"}
    unknown = _refusal({"records": [{"name": "AFR", "colour": "red"}]})
    assert unknown == {"records": "1 colour: unknown field; allowed: name, count"}
    missing = _refusal({"records": [{"count": "1"}]})
    assert missing == {"records": "1 name: is required"}


def test_choices_are_enums_in_the_schema():
    schema = Example.model_json_schema()
    assert schema["$defs"]["Colour"]["enum"] == ["red", "blue"]
    assert schema["properties"]["tags"]["maxItems"] == 3


def test_a_choice_with_names_says_what_is_allowed_in_words():
    assert _refusal({"shape": "oval"}) == {
        "shape": 'unknown shape "oval"; allowed: Circle (circle), Squarish (square_ish)'
    }
    assert read_params(Example, {"shape": "square_ish"}).shape == Shape.square_ish


@pytest.mark.parametrize(
    ("pairs", "words"),
    [
        (
            [("AFR", "Africa"), ("AME", "Americas"), ("MENA", "Middle East and North Africa")],
            "Africa (AFR), Americas (AME), Middle East and North Africa (MENA)",
        ),
        # Codes that are the words already stand alone; in one list, all or none do.
        ([("active", "Active"), ("pipeline", "Pipeline")], "active, pipeline"),
        (
            [("admin", "Administrator"), ("viewer", "Viewer")],
            "Administrator (admin), Viewer (viewer)",
        ),
        ([("GPG1", None), ("GPG2", "Border security")], "GPG1, Border security (GPG2)"),
        # A name with a comma in it: the list is kept apart by semicolons.
        (
            [("yes", "Screened"), ("not_aligned", "Screened, not aligned")],
            "Screened (yes); Screened, not aligned (not_aligned)",
        ),
        ([], ""),
    ],
)
def test_allowed_names(pairs, words):
    assert allowed_names(pairs) == words
