"""Uploads are checked as they arrive: a file is refused at the chunk that shows it is wrong,
before the rest is read, naming the field and what is allowed."""

from __future__ import annotations

import io
import zipfile

import pytest

from tracker.services.exchange.spreadsheet.write import template_xlsx
from tracker.services.exchange.uploads import MAX_NAME, UploadReader, UploadRefused, clean_filename

BOUNDARY = "----tracker-test-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
LIMIT = 100_000


def _part(name: str, value: bytes, filename: bytes | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'.encode()
    if filename is not None:
        disposition += b'; filename="' + filename + b'"'
    return (
        f"--{BOUNDARY}\r\n".encode()
        + b"Content-Disposition: "
        + disposition
        + b"\r\n\r\n"
        + value
        + b"\r\n"
    )


def _body(file: bytes, filename: bytes = b"projects.csv", kind: bytes = b"spreadsheet") -> bytes:
    return (
        _part("csrf_token", b"token")
        + _part("kind", kind)
        + _part("file", file, filename)
        + f"--{BOUNDARY}--\r\n".encode()
    )


def _feed(body: bytes, chunk: int = 1024, limit: int = LIMIT):
    """Feed the body in chunks; (the upload or the refusal, bytes fed when it ended)."""
    stream = UploadReader(max_bytes=limit).multipart(CONTENT_TYPE)
    fed = 0
    try:
        for start in range(0, len(body), chunk):
            stream.write(body[start : start + chunk])
            fed = start + chunk
        return stream.close(), len(body)
    except UploadRefused as exc:
        return exc, fed + chunk


CSV = b"code,title,programme\nX-1,Training,CYB\n"


def test_a_good_csv_is_read_whole():
    upload, _ = _feed(_body(CSV))
    assert (upload.kind, upload.filename, upload.content, upload.file_type) == (
        "spreadsheet",
        "projects.csv",
        CSV,
        "csv",
    )


def test_a_workbook_is_read_whole():
    data = template_xlsx()
    upload, _ = _feed(_body(data, b"projects.xlsx"))
    assert upload.content == data and upload.file_type == "xlsx"


def test_a_file_over_the_limit_is_refused_as_its_bytes_pass_the_limit():
    body = _body(CSV + b"X-2,Padding,CYB\n" * 400_000)  # 6 MB
    refused, fed = _feed(body, chunk=16_384)
    assert isinstance(refused, UploadRefused) and refused.status == 413
    assert "file" in refused.errors and "files up to 0.1 MB are accepted" in refused.errors["file"]
    assert fed < LIMIT + 2 * 16_384  # it stopped reading at the limit, not at the end
    assert len(body) > 50 * fed


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.7\n" + b"\0" * 50_000, b"projects.csv", "is a PDF document"),
        (template_xlsx(), b"projects.csv", "is a zip archive (such as an Excel workbook)"),
        (CSV * 2_000, b"projects.xlsx", "is not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50_000, b"p.xls", "must be a CSV file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50_000, b"p.csv", "an old Excel"),
        ("code,title\n".encode("utf-16") * 2_000, b"projects.csv", "is UTF-16 text"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 2_000, b"projects.csv", "holds binary data"),
        (b"not xml at all" * 2_000, b"activities.xml", "is not XML"),
        (CSV, b"projects.pdf", "must be a CSV file (.csv), an Excel workbook (.xlsx)"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_from_its_first_bytes(content, name, message):
    refused, fed = _feed(_body(content, name), chunk=8_192)
    assert isinstance(refused, UploadRefused) and refused.status == 400
    assert message in refused.errors["file"], refused.errors
    assert fed <= 8_192 * 2  # the first chunk (and the one with the part's headers) decided it


def test_text_that_is_not_utf8_is_refused_at_the_byte_that_breaks_it():
    content = CSV * 1_000 + "X-9,Coopération,CYB\n".encode("latin-1") + CSV * 1_000
    refused, fed = _feed(_body(content), chunk=4_096)
    assert "is not UTF-8 text (byte 0xe9 on line 2,001)" in refused.errors["file"]
    assert fed < len(content) * 0.6


@pytest.mark.parametrize(
    "name", [b"evil\x00.csv", b"evil\x01name.csv", b"line\nbreak.csv", "a\x85b.csv".encode()]
)
def test_a_file_name_with_control_characters_is_refused_naming_the_field(name):
    refused, _ = _feed(_body(CSV, name))
    assert isinstance(refused, UploadRefused)
    assert refused.errors == {
        "file": "the file's name must not contain control characters (such as a NUL byte); "
        "rename the file and choose it again"
    }


def test_a_long_file_name_is_cut_keeping_its_extension():
    upload, _ = _feed(_body(CSV, b"p" * 2_000 + b".csv"))
    assert len(upload.filename) == MAX_NAME and upload.filename.endswith("….csv")
    assert clean_filename("C:\\Users\\me\\Desktop\\projects.csv") == "projects.csv"
    assert clean_filename("../../etc/passwd.csv") == "passwd.csv"


def test_a_file_name_longer_than_a_header_may_be_is_refused():
    refused, _ = _feed(_body(CSV, b"p" * 10_000 + b".csv"))
    assert "longer than 4,096 bytes" in refused.errors["file"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            _body(b""),
            {"file": '"projects.csv" is empty (0 bytes): choose the file with the projects in it'},
        ),
        (
            _body(CSV, kind=b"spread\x00sheet"),
            {"kind": "must not contain control characters (such as a NUL byte)"},
        ),
        (_body(CSV, kind=b"k" * 100), {"kind": "must be at most 20 characters"}),
        (_body(CSV)[:-60], {"file": "the upload ended before the whole file arrived"}),
        (_part("file", CSV, b"a.csv") * 2, {"file": "send one file at a time"}),
        (_part("other", CSV, b"a.csv"), {"other": "the form takes one file, in the field file"}),
    ],
    ids=["empty", "nul-in-kind", "long-kind", "cut-short", "two-files", "other-field"],
)
def test_form_problems_are_refused_naming_the_field(body, errors):
    refused, _ = _feed(body)
    assert isinstance(refused, UploadRefused) and refused.errors == errors


def test_no_file_chosen_is_an_upload_without_content():
    upload, _ = _feed(_body(b"", filename=b""))
    assert upload.filename == "" and upload.content == b""


def test_a_body_that_is_not_multipart_is_refused():
    with pytest.raises(UploadRefused) as refused:
        UploadReader(max_bytes=LIMIT).multipart("multipart/form-data")
    assert "could not be read as a form" in refused.value.errors["file"]


def test_a_zip_bomb_named_xlsx_passes_the_stream_check_and_is_left_to_the_file_check():
    """The stream check looks at the first bytes only; the workbook's structure is checked
    before it is kept (tracker.services.exchange.spreadsheet.read.inspect_file)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("padding.bin", b"\0" * 5_000_000)
    upload, _ = _feed(_body(out.getvalue(), b"bomb.xlsx"))
    assert upload.file_type == "xlsx"
