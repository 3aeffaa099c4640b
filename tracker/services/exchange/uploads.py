"""Reading an upload as it arrives, and refusing it as soon as it is known to be wrong.

`UploadReader` takes the body of the import form chunk by chunk (from the raw multipart stream,
or from a form that was already parsed) and refuses, before anything is stored:

- a file over the size limit, as soon as its bytes pass the limit;
- a file that is not what its name claims, or of a type the tracker does not import, from its
  first bytes (a PDF named .csv, a zip archive named .csv, a workbook that is not a zip);
- text that is not UTF-8, at the first byte that breaks it;
- a file name with control characters (such as a NUL byte), and form fields that are too long
  or hold control characters, naming the field.

It keeps the accepted file in memory (it is at most the size limit) and never writes it to
disk; nothing it refuses is kept at all.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from tracker.formats import Text
from tracker.inputs import CONTROL, bad_character
from tracker.locales import N_

FILE_FIELD = "file"
TEXT_LIMITS = {"kind": 20, "programme": 20, "csrf_token": 512}
MAX_OTHER_TEXT = 1_000  # characters of a field the import form does not have
MAX_PARTS = 20
MAX_NAME = 255  # characters of a file name, as the job keeps it
MAX_NAME_BYTES = 4_096  # a part's header line; python-multipart refuses longer ones
SNIFF_BYTES = 4_096  # the first bytes of a file, read before it is accepted
EXTENSIONS = {"csv": "csv", "txt": "csv", "xlsx": "xlsx", "xml": "xml"}
ALLOWED = N_("a CSV file (.csv), an Excel workbook (.xlsx) or an IATI XML file (.xml)")
ZIP = b"PK\x03\x04"
# What a file that is not one of ours often is, by its first bytes.
SIGNATURES = (
    (b"%PDF", N_("a PDF document")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", N_("an old Excel or Word file (.xls, .doc)")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"\x1f\x8b", N_("a gzip archive")),
    (b"7z\xbc\xaf\x27\x1c", N_("a 7-Zip archive")),
    (b"Rar!", N_("a RAR archive")),
    (b"\x7fELF", N_("a program")),
    (b"MZ", N_("a program")),
    (b"PK\x05\x06", N_("an empty zip archive")),
)
WIDE_TEXT = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class UploadRefused(ValueError):
    """The upload is refused, field by field, with what is allowed; nothing of it was kept.
    `status` is 413 for a file over the size limit, else 400."""

    def __init__(self, errors: dict[str, str], status: int = 400):
        self.errors = errors
        self.status = status
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Upload:
    """An upload that passed every check made while it arrived."""

    kind: str
    programme: str
    filename: str  # cleaned: no path, no control characters, at most MAX_NAME characters
    content: bytes
    file_type: str = ""  # csv, xlsx or xml; "" when no file was sent

    @property
    def size(self) -> int:
        return len(self.content)


def at_most(limit: int) -> Text:
    return Text(N_("must be at most %(most)s characters"), most=limit)


def megabytes(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB".replace(".0 MB", " MB")


def clean_filename(name: str) -> str:
    """The name a person gave the file, safe to keep and show; UploadRefused if it holds
    control characters. A path keeps its last part; a long name keeps its extension."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if bad_character(name, allow_line_breaks=False):
        raise UploadRefused(
            {
                FILE_FIELD: Text(
                    N_(
                        "the file's name must not contain control characters (such as a NUL "
                        "byte); rename the file and choose it again"
                    )
                )
            }
        )
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: MAX_NAME - len(extension) - 2].rstrip() + "…." + extension
        else:
            name = name[: MAX_NAME - 1] + "…"
    return name


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _looks_binary(text: str) -> bool:
    controls = sum(1 for c in text if c not in "\t\r\n" and unicodedata.category(c) in ("Cc", "Cs"))
    return controls * 10 > len(text)


def sniff(head: bytes, filename: str, *, complete: bool) -> str:
    """The type of a file from its first bytes and its name: csv, xlsx or xml; UploadRefused
    when it is not what its name says, or of a type the tracker does not import."""
    extension = _extension(filename)
    claimed = EXTENSIONS[extension]
    shown = filename[:80]
    if head.startswith(ZIP):
        if claimed != "xlsx":
            raise UploadRefused(
                {
                    FILE_FIELD: Text(
                        N_(
                            '"%(file)s" is a zip archive (such as an Excel workbook), not %(type)s '
                            "text; an Excel workbook's name ends in .xlsx"
                        ),
                        file=shown,
                        type=extension.upper(),
                    )
                }
            )
        return "xlsx"
    for signature, what in SIGNATURES:
        if head.startswith(signature):
            refused = Text(
                N_('"%(file)s" is %(what)s; the tracker imports %(allowed)s'),
                file=shown,
                what=Text(what),
                allowed=Text(ALLOWED),
            )
            raise UploadRefused({FILE_FIELD: refused})
    if claimed == "xlsx":
        raise UploadRefused(
            {
                FILE_FIELD: Text(
                    N_(
                        '"%(file)s" is not an Excel workbook: a workbook (.xlsx) is a zip '
                        "archive, and this file does not start as one"
                    ),
                    file=shown,
                )
            }
        )
    for bom, encoding in WIDE_TEXT:
        if head.startswith(bom):
            raise UploadRefused(
                {
                    FILE_FIELD: Text(
                        N_(
                            '"%(file)s" is %(encoding)s text; save it as UTF-8 (in Excel: "CSV '
                            'UTF-8") and choose it again'
                        ),
                        file=shown,
                        encoding=encoding,
                    )
                }
            )
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text = decoder.decode(head, final=complete)
    if _looks_binary(text):
        raise UploadRefused(
            {FILE_FIELD: Text(N_('"%(file)s" holds binary data, not text'), file=shown)}
        )
    starts_as_xml = text.lstrip("\ufeff \t\r\n").startswith("<")
    if claimed == "xml" and not starts_as_xml:
        raise UploadRefused(
            {
                FILE_FIELD: Text(
                    N_('"%(file)s" is not XML: an IATI file starts with <?xml or <iati-activities'),
                    file=shown,
                )
            }
        )
    return claimed


class _TextCheck:
    """UTF-8 checked as the bytes arrive: the first byte that breaks it refuses the file."""

    def __init__(self, filename: str):
        self.filename = filename
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.lines = 1

    def feed(self, data: bytes, *, final: bool = False) -> None:
        try:
            self.decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            # The error counts from the bytes held back from the last chunk (part of a
            # character, never a line break), then this chunk's.
            line = self.lines + exc.object[: exc.start].count(b"\n")
            raise UploadRefused(
                {
                    FILE_FIELD: Text(
                        N_(
                            '"%(file)s" is not UTF-8 text (byte %(byte)s on line %(line)s); save '
                            'it as "CSV UTF-8" and choose it again'
                        ),
                        file=self.filename[:80],
                        byte=f"0x{exc.object[exc.start]:02x}",
                        line=line,
                    )
                }
            ) from None
        self.lines += data.count(b"\n")


class UploadReader:
    """The import form, read part by part as it arrives; see the module's docstring."""

    def __init__(self, *, max_bytes: int):
        self.max_bytes = max_bytes
        self.fields: dict[str, str] = {}
        self.parts = 0
        self.filename: str | None = None
        self.file_type = ""
        self.content = bytearray()
        self.head = bytearray()
        self.text_check: _TextCheck | None = None
        self.in_file = False
        self.file_done = False

    # Text fields -------------------------------------------------------------------------

    def text(self, name: str, value: str) -> None:
        self._count_part(name)
        if name == FILE_FIELD:
            return  # a file field sent as text: no file was chosen
        limit = TEXT_LIMITS.get(name, MAX_OTHER_TEXT)
        if bad_character(value, allow_line_breaks=name not in TEXT_LIMITS):
            raise UploadRefused({name: CONTROL})
        if len(value) > limit:
            raise UploadRefused({name: at_most(limit)})
        if name in TEXT_LIMITS:
            self.fields[name] = value.strip()

    def _count_part(self, name: str) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise UploadRefused(
                {
                    "form": Text(
                        N_("has more than %(most)s fields; send the import form"), most=MAX_PARTS
                    )
                }
            )
        if bad_character(name, allow_line_breaks=False) or len(name) > 100:
            raise UploadRefused(
                {
                    "field name": Text(
                        N_(
                            "must not contain control characters (such as a NUL byte), and at "
                            "most %(most)s characters"
                        ),
                        most=100,
                    )
                }
            )

    # The file ----------------------------------------------------------------------------

    def begin_file(self, name: str, filename: str) -> None:
        self._count_part(name)
        if name != FILE_FIELD:
            raise UploadRefused(
                {
                    name: Text(
                        N_("the form takes one file, in the field %(field)s"), field=FILE_FIELD
                    )
                }
            )
        if self.filename is not None:
            raise UploadRefused({FILE_FIELD: Text(N_("send one file at a time"))})
        self.filename = clean_filename(filename)
        self.in_file = True
        if self.filename and _extension(self.filename) not in EXTENSIONS:
            raise UploadRefused(
                {
                    FILE_FIELD: Text(
                        N_('must be %(allowed)s; "%(file)s" is none of these'),
                        allowed=Text(ALLOWED),
                        file=self.filename[:80],
                    )
                }
            )

    def file_data(self, data: bytes) -> None:
        if not data:
            return
        if len(self.content) + len(data) > self.max_bytes:
            raise UploadRefused(
                {
                    FILE_FIELD: Text(
                        N_(
                            "is larger than %(most)s; files up to %(most)s are accepted "
                            "(TRACKER_IMPORT_MAX_BYTES)"
                        ),
                        most=megabytes(self.max_bytes),
                    )
                },
                status=413,
            )
        if not self.filename:
            raise UploadRefused(
                {
                    FILE_FIELD: Text(
                        N_("the file has no name; its name must end in .csv, .xlsx or .xml")
                    )
                }
            )
        self.content += data
        if not self.file_type:
            self.head += data[: SNIFF_BYTES - len(self.head)]
            if len(self.head) < SNIFF_BYTES:
                return
            self._decide(complete=False)
        elif self.text_check is not None:
            self.text_check.feed(data)

    def _decide(self, *, complete: bool) -> None:
        self.file_type = sniff(bytes(self.head), self.filename or "", complete=complete)
        if self.file_type == "csv":
            self.text_check = _TextCheck(self.filename or "")
            self.text_check.feed(bytes(self.content), final=complete)

    def end_file(self) -> None:
        self.in_file = False
        self.file_done = True
        if self.filename and not self.content:
            raise UploadRefused(
                {
                    FILE_FIELD: Text(
                        N_(
                            '"%(file)s" is empty (0 bytes): choose the file with the projects in it'
                        ),
                        file=self.filename[:80],
                    )
                }
            )
        if not self.content:
            return
        if not self.file_type:
            self._decide(complete=True)
        elif self.text_check is not None:
            self.text_check.feed(b"", final=True)

    def result(self) -> Upload:
        if self.in_file:
            raise UploadRefused(
                {FILE_FIELD: Text(N_("the upload ended before the whole file arrived"))}
            )
        return Upload(
            kind=self.fields.get("kind", ""),
            programme=self.fields.get("programme", ""),
            filename=self.filename or "",
            content=bytes(self.content),
            file_type=self.file_type,
        )

    # The raw multipart body ---------------------------------------------------------------

    def multipart(self, content_type: str) -> MultipartStream:
        return MultipartStream(self, content_type)


class MultipartStream:
    """Feeds a multipart/form-data body, chunk by chunk, to an UploadReader."""

    def __init__(self, reader: UploadReader, content_type: str):
        _, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if not boundary or len(boundary) > 200:
            raise UploadRefused({FILE_FIELD: _unreadable(Text(N_("it has no valid boundary")))})
        self.reader = reader
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.text_value = bytearray()
        self.is_file = False
        callbacks: dict[str, Callable] = {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }
        self.parser = MultipartParser(boundary, callbacks, max_header_size=MAX_NAME_BYTES)

    def write(self, chunk: bytes) -> None:
        try:
            self.parser.write(chunk)
        except FormParserError as exc:
            raise UploadRefused({FILE_FIELD: _unreadable(_reason(exc))}) from None

    def close(self) -> Upload:
        try:
            self.parser.finalize()
        except FormParserError as exc:
            raise UploadRefused({FILE_FIELD: _unreadable(_reason(exc))}) from None
        return self.reader.result()

    def _part_begin(self) -> None:
        self.disposition, self.name, self.is_file = b"", "", False
        self.text_value = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def _header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition.decode("latin-1"))
        if b"name" not in options:
            raise UploadRefused({FILE_FIELD: _unreadable(Text(N_("a part has no name")))})
        self.name = _decode(options[b"name"])
        self.is_file = b"filename" in options
        if self.is_file:
            self.reader.begin_file(self.name, _decode(options[b"filename"]))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            self.reader.file_data(data[start:end])
            return
        self.text_value += data[start:end]
        limit = 4 * TEXT_LIMITS.get(self.name, MAX_OTHER_TEXT)  # UTF-8: 4 bytes a character
        if len(self.text_value) > limit:
            raise UploadRefused({self.name or "form": at_most(limit // 4)})

    def _part_end(self) -> None:
        if self.is_file:
            self.reader.end_file()
            return
        try:
            value = bytes(self.text_value).decode("utf-8")
        except UnicodeDecodeError:
            raise UploadRefused({self.name: Text(N_("must be UTF-8 text"))}) from None
        self.reader.text(self.name, value)


def _unreadable(reason: str) -> Text:
    return Text(
        N_("the upload could not be read as a form; send it from the import page: %(reason)s"),
        reason=reason,
    )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _reason(exc: FormParserError) -> str:
    text = str(exc) or type(exc).__name__
    if "header size" in text.lower():
        return Text(
            N_("a part's headers (its file's name) are longer than %(most)s bytes"),
            most=MAX_NAME_BYTES,
        )
    return "".join(c if c.isprintable() else "?" for c in text)[:200]
