"""The `tracker` command in the language of the terminal: TRACKER_LANGUAGE, else LANGUAGE,
LC_ALL, LC_MESSAGES and LANG, as POSIX reads them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.conftest import GPG_FILE
from tracker import locales
from tracker.cli import app
from tracker.config import get_settings

FRENCH = {"LANG": "fr_FR.UTF-8"}
SPANISH = {"LANG": "es_ES.UTF-8"}
ARABIC = {"LANG": "ar_EG.UTF-8"}
ADD_REFUSED = ["user", "add", "x@example.org", "--role", "manager", "--programme", "NOPE"]
ADD_REFUSED += ["--name", "X", "--no-password"]
# The variables the runner's environment might already set, cleared so that only a test's own
# choice counts.
UNSET = dict.fromkeys(("TRACKER_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"))


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "es_MX"}, "es"),
        ({"LANG": "ar_EG.UTF-8@latn"}, "ar"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),  # a language the tracker does not speak
        ({"LANG": ""}, "en"),
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es"),
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "es_ES.UTF-8", "LC_ALL": "ar_EG"}, "ar"),
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, "fr"),  # the first it speaks
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "es:fr"}, "es"),
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "de_DE:pt:ar"}, "ar"),
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "de"}, "fr"),
        ({"LC_ALL": "es_ES.UTF-8", "LANGUAGE": ""}, "es"),
        # A C locale is English, and then LANGUAGE is not read (as gettext does it):
        # `LC_ALL=C tracker ...` prints English whatever the rest says.
        ({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "C", "LANGUAGE": "fr"}, "en"),
        # TRACKER_LANGUAGE wins.
        ({"TRACKER_LANGUAGE": "es", "LANG": "fr_FR.UTF-8", "LANGUAGE": "ar"}, "es"),
        ({"TRACKER_LANGUAGE": "AR", "LC_ALL": "C"}, "ar"),
        ({"TRACKER_LANGUAGE": "en", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"TRACKER_LANGUAGE": " ", "LANG": "fr_FR.UTF-8"}, "fr"),  # set but empty: not chosen
    ],
)
def test_the_language_of_the_environment(environ, language):
    assert locales.from_environment(environ) == language


@pytest.mark.parametrize("value", ["de", "fr_FR.UTF-8", "french", "en-GB"])
def test_an_unknown_tracker_language_is_refused_naming_it_and_the_allowed_ones(value):
    with pytest.raises(locales.UnknownLanguage) as refused:
        locales.from_environment({"TRACKER_LANGUAGE": value, "LANG": "fr_FR.UTF-8"})
    assert f'TRACKER_LANGUAGE="{value}"' in str(refused.value)
    assert "allowed: en, fr, es, ar" in str(refused.value)


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_help_in_arabic_and_in_french(cli):
    arabic = cli.invoke(app, ["--help"], env={**UNSET, **ARABIC})
    assert arabic.exit_code == 0, arabic.output
    assert "أداة تتبع مواءمة الحافظة." in arabic.output
    assert "الأطر الاستراتيجية." in arabic.output  # a group's help, in the list of commands
    assert "عرض هذه الرسالة والخروج." in arabic.output  # --help's own
    assert "Strategic frameworks." not in arabic.output
    assert "─ الأوامر ─" in arabic.output and "─ Commands ─" not in arabic.output  # Typer's words
    french = cli.invoke(app, ["framework", "load", "--help"], env={**UNSET, **FRENCH})
    assert french.exit_code == 0, french.output
    assert "Valider un fichier de cadre" in french.output
    assert "En faire le cadre actif." in french.output  # an option's help
    assert "Un fichier YAML de cadre." in french.output  # an argument's help
    assert "[obligatoire]" in french.output and "[required]" not in french.output
    english = cli.invoke(app, ["framework", "load", "--help"], env={**UNSET, "LANG": "C"})
    assert "Make this the active framework." in english.output
    assert "─ Options ─" in english.output and "[required]" in english.output


def test_the_load_reports_in_french(cli):
    reference = cli.invoke(app, ["reference", "load"], env={**UNSET, **FRENCH})
    assert reference.exit_code == 0, reference.output
    assert reference.output.startswith("Données de référence : ajout de 5 régions, 249 pays,")
    loaded = cli.invoke(app, ["framework", "load", str(GPG_FILE)], env={**UNSET, **FRENCH})
    assert loaded.exit_code == 0, loaded.output
    assert loaded.output.startswith("Cadre GPG-2023 : ajout de ")
    assert "1 cadre, 7 objectifs, 38 objectifs spécifiques, 5 thèmes" in loaded.output
    again = cli.invoke(app, ["framework", "load", str(GPG_FILE)], env={**UNSET, **FRENCH})
    assert again.output == "Cadre GPG-2023 : déjà à jour, rien n'a changé.\n"
    translation = cli.invoke(
        app,
        ["framework", "load-translation", str(GPG_FILE.with_name("gpg-2023.ar.yaml"))],
        env={**UNSET, **ARABIC},
    )
    assert translation.exit_code == 0, translation.output
    assert translation.output == (
        "الترجمة العربية للإطار GPG-2023 (ترجمة عمل غير رسمية): خُزّنت ترجمة 7 أهداف، "
        "38 هدفًا فرعيًا، 5 مواضيع، 35 بيانًا من بيانات المواضيع.\n"
    )
    # The same report, in English where the terminal's language is not one the tracker speaks.
    english = cli.invoke(app, ["framework", "load", str(GPG_FILE)], env={**UNSET, "LANG": "de_DE"})
    assert english.output == "Framework GPG-2023: already up to date, nothing changed.\n"


def test_refusals_in_spanish(cli, tmp_path):
    assert cli.invoke(app, ["reference", "load"]).exit_code == 0
    refused = cli.invoke(
        app,
        ADD_REFUSED,
        env={**UNSET, **SPANISH},
    )
    assert refused.exit_code == 1
    assert "No se creó la cuenta:" in refused.output
    # The field as written, and the service's refusal in Spanish too.
    assert "programmes: programa desconocido: NOPE" in refused.output
    missing = cli.invoke(
        app,
        ["user", "set-password", "nobody@example.org"],
        input="long enough pw\nlong enough pw\n",
        env={**UNSET, **SPANISH},
    )
    assert missing.exit_code == 1
    assert "Nueva contraseña" in missing.output and "Repita la contraseña" in missing.output
    assert "No hay ninguna cuenta para nobody@example.org." in missing.output
    broken = tmp_path / "broken.yaml"
    broken.write_text('code: B\nname: B\nversion: "1"\ngoals: []\n', encoding="utf-8")
    problems = cli.invoke(app, ["framework", "load", str(broken)], env={**UNSET, **SPANISH})
    assert problems.exit_code == 1
    assert f"No se cargó {broken}; 1 problema:" in problems.output


def test_tracker_language_overrides_the_terminal(cli):
    spanish = cli.invoke(app, ["db", "check"], env={**UNSET, **FRENCH, "TRACKER_LANGUAGE": "es"})
    assert spanish.exit_code == 0, spanish.output
    assert spanish.output == "La base de datos coincide con los modelos.\n"
    english = cli.invoke(app, ["db", "check"], env={**UNSET, **FRENCH, "TRACKER_LANGUAGE": "en"})
    assert english.output == "The database matches the models.\n"
    refused = cli.invoke(app, ["db", "check"], env={**UNSET, **FRENCH, "TRACKER_LANGUAGE": "de"})
    assert refused.exit_code == 2
    assert 'TRACKER_LANGUAGE="de" is not a language the tracker speaks' in refused.output
    assert "allowed: en, fr, es, ar" in refused.output
    # An unknown terminal language is simply English.
    german = cli.invoke(app, ["db", "check"], env={**UNSET, "LANG": "de_DE.UTF-8"})
    assert german.exit_code == 0 and german.output == "The database matches the models.\n"


def test_numbers_as_the_language_writes_them(cli, tmp_path):
    setup = ["setup", "--demo-projects", "20", "--no-demo-users"]
    assert cli.invoke(app, setup).exit_code == 0
    out = tmp_path / "projects.csv"
    written = cli.invoke(app, ["export", "projects", str(out)], env={**UNSET, **FRENCH})
    assert written.exit_code == 0, written.output
    size = out.stat().st_size
    assert size >= 1000
    grouped = f"{size:,}".replace(",", "\u202f")  # French groups thousands with a thin space
    assert written.output == f"{out} écrit ({grouped} octets).\n"
    english = cli.invoke(app, ["export", "projects", str(out)], env={**UNSET, "LANG": "C"})
    assert english.output == f"Wrote {out} ({size:,} bytes).\n"


def test_the_command_itself_reads_the_terminals_language():
    """The installed command (not only the test runner) reads LANG when it starts."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    result = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import app; app()", "user", "--help"],
        env={**env, **SPANISH, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Crear una cuenta." in result.stdout
    assert "Cuentas." in result.stdout


def test_reports_said_in_each_language_and_english_as_before():
    from tracker.formats import listed, said
    from tracker.services.framework.loader import FrameworkLoadReport
    from tracker.services.reference.load import LoadReport

    report = FrameworkLoadReport("GPG-2023", activated=True)
    report.created.update({"goal": 7, "objective": 1})
    report.updated.update({"theme": 2})
    summary = report.summary()
    assert (
        summary
        == "Framework GPG-2023: created 7 goals, 1 objective; updated 2 themes; made active."
    )
    assert said(summary, locale="fr") == (
        "Cadre GPG-2023 : ajout de 7 objectifs, 1 objectif spécifique ; mise à jour de 2 thèmes "
        "; désormais actif."
    )
    assert said(summary, locale="ar") == (
        "الإطار GPG-2023: إنشاء 7 أهداف، هدف فرعي واحد (1)؛ تحديث موضوعين (2)؛ أصبح الإطار النشط."
    )
    reference = LoadReport()
    for _ in range(3):
        reference.count("country", created=False)
    assert reference.summary() == "Reference data: updated 3 countries."
    assert (
        said(reference.summary(), locale="es") == "Datos de referencia: actualización de 3 países."
    )
    assert said(listed(["a", "b", "c"]), locale="ar") == "a، b، c"


def _said(output: str) -> str:
    """What the command printed, its boxes' borders and line breaks left out."""
    return " ".join(output.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


@pytest.mark.parametrize(
    ("arguments", "environ", "expected"),
    [
        (
            ["digest", "--bogus"],
            FRENCH,
            [
                "Utilisation : tracker digest",
                "Essayez « tracker digest --help »",
                "Option inconnue : --bogus",
            ],
        ),
        (["nosuch"], ARABIC, ["الاستخدام: tracker", "لا يوجد أمر باسم 'nosuch'."]),
        (["import"], SPANISH, ["Uso: tracker import", "Falta el argumento '[iati] FILE'."]),
        (
            ["serve", "--port", "abc"],
            FRENCH,
            ["Valeur non valide pour '--port' : doit être un nombre entier, écrit en chiffres"],
        ),
        (
            ["serve", "--port", "abc"],
            {"LANG": "C"},
            ["Usage: tracker serve", "Invalid value for '--port': must be a whole number"],
        ),
        (["digest", "--bogus"], {"LANG": "C"}, ["No such option: --bogus"]),
    ],
)
def test_a_refused_command_line_is_said_in_the_terminals_language(
    cli, arguments, environ, expected
):
    result = cli.invoke(app, arguments, env={**UNSET, **environ}, prog_name="tracker")
    assert result.exit_code == 2, result.output
    said = _said(result.output)
    for words in expected:
        assert words in said, said
