"""The shapes of what requests carry: text, codes, choices, numbers and lists, each bounded,
and `Params`, the base of every model of a request's parameters or body.

Every type here says in the OpenAPI document exactly what it accepts, and refuses anything
else with a message naming the field and what is allowed: control characters (tab and line
breaks only in long text), numbers written as booleans or in other digits than ASCII, integers
past the database's range, values outside a choice, and text or lists longer than the tracker
keeps.

The JSON API validates its models as FastAPI reads them. Pages read a query string or a form
with `read_params`, where every value arrives as text: the same models then also take whole
numbers written in digits, and a refusal is an InputError naming each field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, ClassVar, TypeVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from tracker.formats import Text as Sentence
from tracker.inputs import MAX_ID, bad_character
from tracker.locales import N_
from tracker.refusals import said_refusal
from tracker.services.errors import InputError

M = TypeVar("M", bound=BaseModel)
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


# The validation context of values that arrived as text (a query string, a form, a cell of an
# imported file), not as JSON: whole numbers may then be written in digits, amounts with commas.
TEXT_CONTEXT = {"text": True}


def _as_text(info: ValidationInfo | None) -> bool:
    """Whether the values arrived as text, validated with TEXT_CONTEXT."""
    return bool(info and isinstance(info.context, dict) and info.context.get("text"))


def _whole_number(low: int, high: int, *, in_address: bool, wrong: str | None = None):
    """A JSON integer (never true or false, a float or a string), or in an address or a form a
    string of ASCII digits, within [low, high]."""
    wrong = wrong or f"must be a whole number from {low:,} to {high:,}"

    def parse(value: Any, info: ValidationInfo) -> int:
        if (in_address or _as_text(info)) and isinstance(value, str):
            value = value.strip()
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


def Integer(low: int, high: int, *, wrong: str | None = None, **field: Any) -> Any:
    """A whole number in a JSON body (or in a form, written in digits), within [low, high]."""
    return Annotated[
        int,
        _whole_number(low, high, in_address=False, wrong=wrong),
        Field(json_schema_extra={"minimum": low, "maximum": high}, **field),
    ]


def QueryInteger(low: int, high: int, *, wrong: str | None = None, **field: Any) -> Any:
    """A whole number in an address, within [low, high]."""
    return Annotated[
        int,
        _whole_number(low, high, in_address=True, wrong=wrong),
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

    def parse(value: Any, info: ValidationInfo) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise PydanticCustomError("decimal_type", wrong + ", such as 40.5")
        if isinstance(value, str) and _as_text(info):
            value = value.replace(",", "").replace(" ", "")  # as people type 250,000
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
    shown = {"value": str(value)[:40]}
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError(
            "date_parsing", '"{value}" is not a date; use the form 2026-03-12', shown
        )
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "date_parsing",
            '"{value}" is not a date in the calendar; use the form 2026-03-12',
            shown,
        ) from None
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


def allowed_names(pairs: Iterable[tuple[Any, str | None]]) -> str:
    """What a message says is allowed, in words: each (code, name) as "Africa (AFR)", the name
    with the code to type beside it. When every code already is its name in other letters
    (active, Active), the codes alone; a code without a name stands alone. Listed with commas,
    or with semicolons when a name holds a comma."""
    named = [(str(code), (name or "").strip()) for code, name in pairs]
    words = all(not name or name.casefold() == code.casefold() for code, name in named)
    shown = [code if words or not name else f"{name} ({code})" for code, name in named]
    if any("," in name for _, name in named):
        return "; ".join(shown)
    return ", ".join(shown)


def Choice(
    kind: Any,
    *,
    what: str = "value",
    allowed: str | None = None,
    names: Mapping[str, str] | None = None,
    template: str = 'unknown {what} "{value}"; allowed: {allowed}',
    **field: Any,
) -> Any:
    """One of a fixed set, an enumeration or a Literal of strings (an enum in the OpenAPI
    document); anything else is refused as 'unknown <what> "<value>"; allowed: ...', or in the
    words of `template`. With `names` (value to its name), what is allowed is said in words,
    as `allowed_names` says it."""
    if isinstance(kind, type) and issubclass(kind, Enum):
        values = [member.value for member in kind]
    else:
        values = list(get_args(kind))
    if allowed is None and names is not None:
        allowed = allowed_names((v, names.get(str(v))) for v in values)
    listed = allowed or ", ".join(str(v) for v in values)

    def check(value: Any) -> Any:
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, str) and value in values:
            return value
        raise PydanticCustomError(
            "enum", template, {"what": what, "value": str(value)[:40], "allowed": listed}
        )

    return Annotated[kind, BeforeValidator(check), Field(**field)]


class Params(BaseModel):
    """A request's parameters or body: closed, so that a name it does not read is refused,
    with the names it does."""

    model_config = ConfigDict(extra="forbid")
    # What an unknown name is called in a refusal: a parameter of an address, a field of a body.
    noun: ClassVar[str] = "parameter"

    @model_validator(mode="wrap")
    @classmethod
    def _explain_refusals(cls, data: Any, handler: Any, info: ValidationInfo) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            raise _explained(cls, exc, as_text=_as_text(info)) from None


class DatedParams(Params):
    """Parameters with a `from` and a `to` date (date_from, date_to): to is not before from."""

    @field_validator("date_to", check_fields=False)
    @classmethod
    def _not_before_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and start > value:
            raise PydanticCustomError(
                "date_order", "must not be before from ({start})", {"start": start.isoformat()}
            )
        return value


def _explained(model: type[BaseModel], exc: ValidationError, *, as_text: bool) -> ValidationError:
    """Pydantic's own messages for unknown names, long lists and (in a form) missing values,
    in words that say what is allowed."""
    names = ", ".join(f.alias or name for name, f in model.model_fields.items())
    details: list[InitErrorDetails] = []
    changed = False
    for error in exc.errors():
        kind, message, ctx = error["type"], error["msg"], error.get("ctx") or {}
        if kind == "extra_forbidden" and len(error["loc"]) == 1:
            message = f"unknown {getattr(model, 'noun', 'parameter')}; allowed: {names}"
        elif kind == "too_long" and ctx.get("field_type") == "List":
            message = f"must hold at most {ctx['max_length']:,} values"
        elif kind == "missing" and as_text:
            message = "is required"
        elif kind in ("bool_parsing", "bool_type"):
            message = "must be true or false"
        changed = changed or message != error["msg"]
        details.append(
            InitErrorDetails(
                type=PydanticCustomError(kind, message),
                loc=error["loc"],
                input=error.get("input"),
            )
        )
    if not changed:
        return exc
    return ValidationError.from_exception_data(exc.title, details)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(get_origin(arg) is list for arg in get_args(annotation))


def read_params(model: type[M], values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> M:
    """A query string or a form, as pairs (a name may repeat) or as a mapping of names to a
    value or a list of values, read into `model`. A name the model takes a list of keeps every
    value, any other its last; values are trimmed, and empty ones (a selector left at "all")
    count as not given. Raises InputError naming each refused field with what it allows."""
    given: dict[str, list[Any]] = {}
    pairs = values.items() if isinstance(values, Mapping) else values
    for name, value in pairs:
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str):
                item = item.strip()
                if not item:
                    continue
            if item is None:
                continue
            given.setdefault(name, []).append(item)
    lists = {f.alias or name for name, f in model.model_fields.items() if _is_list(f.annotation)}
    data = {name: items if name in lists else items[-1] for name, items in given.items()}
    try:
        return model.model_validate(data, context=TEXT_CONTEXT)
    except ValidationError as exc:
        raise input_error(exc) from None


def input_error(exc: ValidationError) -> InputError:
    """A refusal as pages show it: each field (the first name of its place) with the first
    thing wrong with it."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error["loc"]
        name = str(loc[0]) if loc else "request"
        inner = [str(p + 1) if isinstance(p, int) else str(p) for p in loc[1:]]
        # An item of a list of values is named by its list; one of a list of records by its
        # number and field too ("2 percentage: ...").
        message = said_refusal(error["msg"])
        if len(inner) > 1:
            message = Sentence(N_("%(where)s: %(problem)s"), where=" ".join(inner), problem=message)
        errors.setdefault(name, message)
    return InputError(errors)
