"""The languages the tracker speaks: which one a browser asks for, and the catalogues."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tracker import locales

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        ("de-DE, es;q=0.5, ar;q=0.7", "ar"),
        ("ES", "es"),
        ("de, it", None),
        ("fr;q=0, en;q=0.1", "en"),
        ("fr;q=abc, es", "es"),
        ("", None),
        (None, None),
        ("x" * 5000, None),
    ],
)
def test_accept_language_gives_the_best_language_the_tracker_speaks(header, expected):
    assert locales.negotiate(header) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("AR", "ar"),
        ("de", None),
        ("", None),
        (None, None),
        (3, None),
    ],
)
def test_known_language_codes(code, expected):
    assert locales.known(code) == expected


def test_arabic_reads_right_to_left_and_the_others_left_to_right():
    assert [locales.direction(c) for c in ("en", "fr", "es", "ar", "xx")] == [
        "ltr",
        "ltr",
        "ltr",
        "rtl",
        "ltr",
    ]


def test_every_catalogue_is_complete_and_holds_every_string_of_the_tracker(tmp_path):
    """Every string marked for translation in the code and templates is in every catalogue,
    translated (no empty or fuzzy entry, every plural form), with the same placeholders."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "pyproject.toml",
            "-k",
            "N_",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with template.open("rb") as source:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    assert len(wanted) > 50
    for code in ("fr", "es", "ar"):
        with (ROOT / "tracker" / "locale" / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogue = read_po(po, locale=code)
        have = {}
        for message in catalogue:
            if message.id:
                have[message.id if isinstance(message.id, str) else message.id[0]] = message
        assert not wanted - set(have), f"{code}: not in the catalogue: {sorted(wanted - set(have))}"
        for key in wanted:
            message = have[key]
            forms = message.string if message.pluralizable else (message.string,)
            assert "fuzzy" not in message.flags, f"{code}: {key!r} is marked fuzzy"
            assert len(forms) == catalogue.num_plurals or not message.pluralizable, (code, key)
            assert all(forms), f"{code}: {key!r} is not translated"
            for form in forms:
                assert set(_placeholders(form)) <= set(_placeholders(str(message.id))), (
                    code,
                    key,
                    form,
                )


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\((\w+)\)s", text)


def test_a_catalogue_that_was_not_compiled_is_compiled_when_first_asked_for(tmp_path, monkeypatch):
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copyfile(
        ROOT / "tracker" / "locale" / "fr" / "LC_MESSAGES" / "messages.po", folder / "messages.po"
    )
    monkeypatch.setattr(locales, "CATALOGUES", tmp_path)
    locales.catalogue.cache_clear()
    try:
        assert locales.catalogue("fr").gettext("Overview") == "Vue d'ensemble"
        assert locales.catalogue("ar").gettext("Overview") == "Overview"  # no file: English
        assert locales.catalogue("en").gettext("Overview") == "Overview"
    finally:
        locales.catalogue.cache_clear()


def test_counted_messages_are_written_so_that_they_are_extracted_as_plurals():
    """`Text.counted(N_("a"), N_("b"), n)` would give the catalogues two singular entries and
    no plural one: every language would then say it in English."""
    wrapped = re.compile(r"counted\(\s*N_\(", re.S)
    found = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tracker").rglob("*.py")
        if wrapped.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
