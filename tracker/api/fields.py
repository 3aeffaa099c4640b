"""The shapes of what the JSON API reads: text, codes, numbers and lists, each bounded.

Every type here says in the OpenAPI document exactly what it accepts, and refuses anything
else with a message naming the field: control characters (tab and line breaks only in long
text), numbers written as booleans or in other digits than ASCII, integers past the database's
range, and text or lists longer than the tracker keeps.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from tracker.inputs import MAX_ID, bad_character

MAX_VERSION = MAX_ID  # project.version is a 32-bit integer column
MAX_BUDGET = Decimal("1e14")
# Control characters (Unicode category Cc), which no field may hold; long text may hold tab,
# line feed and carriage return.
_CONTROL = r"\u0000-\u001f\u007f-\u009f"
_CONTROL_BUT_BREAKS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
LINE_PATTERN = f"^[^{_CONTROL}]*$"
TEXT_PATTERN = f"^[^{_CONTROL_BUT_BREAKS}]*$"
# A required line holds something besides spaces, which are trimmed.
FILLED_LINE_PATTERN = f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$"


def _text(
    *,
    max_length: int,
    line_breaks: bool = False,
    required: bool = False,
    pattern: str | None = None,
    allowed: str = "",
):
    """The checks of a text field, with messages that say what is allowed."""
    compiled = re.compile(pattern) if pattern else None

    def check(value: str) -> str:
        if bad_character(value, allow_line_breaks=line_breaks):
            breaks = " (tab and line breaks are allowed)" if line_breaks else ""
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters such as a NUL byte{breaks}",
                {"breaks": breaks},
            )
        if len(value) > max_length:
            raise PydanticCustomError(
                "string_too_long",
                "must be at most {max} characters (it has {length})",
                {"max": f"{max_length:,}", "length": f"{len(value):,}"},
            )
        if required and not value.strip():
            raise PydanticCustomError("missing", "is required")
        if compiled and not compiled.fullmatch(value):
            raise PydanticCustomError("string_pattern_mismatch", allowed or "is not allowed")
        return value

    return AfterValidator(check)


def Line(max_length: int, *, required: bool = False, **field: Any) -> Any:
    """One line of text: no control characters at all, trimmed by the service."""
    schema = {"maxLength": max_length, "pattern": LINE_PATTERN}
    if required:
        schema |= {"minLength": 1, "pattern": FILLED_LINE_PATTERN}
    return Annotated[
        str,
        _text(max_length=max_length, required=required),
        Field(json_schema_extra=schema, **field),
    ]


def Text(max_length: int, **field: Any) -> Any:
    """Long text: tab and line breaks allowed, no other control character."""
    return Annotated[
        str,
        _text(max_length=max_length, line_breaks=True),
        Field(json_schema_extra={"maxLength": max_length, "pattern": TEXT_PATTERN}, **field),
    ]


def Code(pattern: str, max_length: int, *, allowed: str, **field: Any) -> Any:
    """A code from a fixed alphabet (the pattern rules out control characters and spaces)."""
    return Annotated[
        str,
        _text(max_length=max_length, pattern=pattern, allowed=allowed),
        Field(json_schema_extra={"maxLength": max_length, "pattern": pattern}, **field),
    ]


def Token(max_length: int, **field: Any) -> Any:
    """A code as the tracker stores them: no spaces, no control characters."""
    return Code(
        f"^[^\\s{_CONTROL}]{{1,{max_length}}}$",
        max_length,
        allowed=f"must be a code of 1 to {max_length} characters without spaces",
        **field,
    )


ProjectCode = Code(
    r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$",
    40,
    allowed="may hold letters, digits and . _ / - only (up to 40), such as CYB-2026-0042",
    description="Letters, digits and . _ / - (up to 40), starting with a letter or digit",
    examples=["CYB-2026-0042"],
)
ProgrammeCode = Token(20, description="A programme code", examples=["CYB"])
PlaceCode = Token(10, description="An ISO 3166 country code (KE) or a region code (AFR)")
RegionCode = Token(10, description="A region code", examples=["AFR"])
CurrencyCode = Code(
    r"^[A-Za-z]{3}$",
    3,
    allowed="must be a three-letter ISO 4217 code such as EUR",
    description="An ISO 4217 code",
    examples=["EUR"],
)
FrameworkCode = Token(20, description="A goal, objective or theme code")
Email = Code(
    f"^[^\\s@{_CONTROL}]{{1,64}}@[^\\s@{_CONTROL}]{{1,189}}$",
    254,
    allowed="must be an email address such as ana.costa@example.org",
    description="An email address",
)


def _whole_number(low: int, high: int, *, in_address: bool):
    """A JSON integer (never true or false, a float or a string), or in an address a string of
    ASCII digits, within [low, high]."""
    wrong = f"must be a whole number from {low:,} to {high:,}"

    def parse(value: Any) -> int:
        if in_address and isinstance(value, str):
            if not re.fullmatch(r"-?[0-9]{1,20}", value):
                raise PydanticCustomError("int_parsing", wrong + ", written in digits 0-9")
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON has one kind of number: 3.0 is 3
        if isinstance(value, bool) or not isinstance(value, int):
            raise PydanticCustomError("int_type", wrong)
        if not low <= value <= high:
            raise PydanticCustomError("int_range", wrong)
        return value

    return BeforeValidator(parse)


def Integer(low: int, high: int, **field: Any) -> Any:
    """A whole number in a JSON body, within [low, high]."""
    return Annotated[
        int,
        _whole_number(low, high, in_address=False),
        Field(json_schema_extra={"minimum": low, "maximum": high}, **field),
    ]


def QueryInteger(low: int, high: int, **field: Any) -> Any:
    """A whole number in an address, within [low, high]."""
    return Annotated[
        int,
        _whole_number(low, high, in_address=True),
        Field(json_schema_extra={"minimum": low, "maximum": high}, **field),
    ]


Version = Integer(
    1, MAX_VERSION, description="The version you read; a stale one gets 409", examples=[3]
)


def _decimal_pattern(high: Decimal, *, inclusive: bool) -> str:
    """Digits 0-9 with at most two decimal places, no leading zero, from 0 up to `high` (a
    power of ten), or below it."""
    top = str(int(high))
    below = rf"(0|[1-9][0-9]{{0,{len(top) - 2}}})(\.[0-9]{{1,2}})?"
    return rf"^({below}|{top}(\.0{{1,2}})?)$" if inclusive else rf"^{below}$"


def _amount(high: Decimal, *, inclusive: bool):
    """A decimal with at most two places: a JSON number, or a string of ASCII digits."""
    pattern = re.compile(_decimal_pattern(high, inclusive=inclusive))
    limit = f"to {high:,.0f}" if inclusive else f"up to (not including) {high:,.0f}"
    wrong = f"must be a number from 0 {limit} with at most two decimal places"

    def parse(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise PydanticCustomError("decimal_type", wrong + ", such as 40.5")
        if isinstance(value, str):
            if not pattern.fullmatch(value):
                raise PydanticCustomError(
                    "decimal_parsing", wrong + ", written in digits 0-9 such as 40.5"
                )
            return Decimal(value).quantize(Decimal("0.01"))
        # A JSON number such as 0.57 arrives as the nearest binary float, whose shortest
        # repr is what was written: more than two places there is more than cents.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite() or number < 0 or number > high:
            raise PydanticCustomError("decimal_range", wrong)
        cents = number.quantize(Decimal("0.01"))
        if number != cents or (cents == high and not inclusive):
            raise PydanticCustomError("decimal_places", wrong)
        return cents

    return parse


def Amount(high: Decimal, *, inclusive: bool, description: str, **field: Any) -> Any:
    """A decimal from 0 to `high` (a power of ten; with `inclusive` false, below it) with at
    most two decimal places."""
    bound = {"maximum": int(high)} if inclusive else {"exclusiveMaximum": int(high)}
    limit = f"to {high:,.0f}" if inclusive else f"below {high:,.0f}"
    return Annotated[
        Decimal,
        BeforeValidator(_amount(high, inclusive=inclusive)),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "minimum": 0, **bound, "multipleOf": 0.01},
                    {"type": "string", "pattern": _decimal_pattern(high, inclusive=inclusive)},
                ],
                "description": f"{description}: from 0 {limit}, to the cent",
            }
        ),
        Field(**field),
    ]


Percentage = Amount(Decimal(100), inclusive=True, description="A percentage", examples=["40"])
# Money columns hold 14 digits before the point.
Budget = Amount(MAX_BUDGET, inclusive=False, description="An amount of money", examples=["250000"])


def _iso_date(value: Any) -> Any:
    """A date written as 2026-03-12, in ASCII digits."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_parsing", "must be a date written as 2026-03-12")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_parsing", "is not a date in the calendar") from None
    return parsed


Day = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "maxLength": 10, "description": "A date (YYYY-MM-DD)"}
    ),
]


def List(item: Any, max_items: int, **field: Any) -> Any:
    """A list of at most `max_items`."""
    return Annotated[list[item], Field(max_length=max_items, **field)]
