"""The SDG seed is built from the UN's titles as the Open SDG project lays them out."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from tracker.cli import app
from tracker.services.reference.sdg_source import LANGUAGES, build, short_title


def _source(folder):
    for lang in LANGUAGES:
        (folder / lang).mkdir()
        goals = {f"{n}-short": f"{lang} short {n}" for n in range(1, 18)} | {
            f"{n}-title": f"{lang} title {n}" for n in range(1, 18)
        }
        targets = {
            f"{n}-{part}-title": f"{lang} target {n}.{part}"
            for n in range(1, 18)
            for part in ("10", "2", "a")
        }
        (folder / lang / "global_goals.yml").write_text(yaml.safe_dump(goals), encoding="utf-8")
        (folder / lang / "global_targets.yml").write_text(yaml.safe_dump(targets), encoding="utf-8")
    return folder


def test_goals_and_targets_in_every_language_and_in_the_un_order(tmp_path):
    built = build(_source(tmp_path))["sdg_goals"]
    assert [g["number"] for g in built] == list(range(1, 18))
    sixteen = built[15]
    assert sixteen["titles"]["ar"] == {"short": "ar short 16", "title": "ar title 16"}
    assert [t["code"] for t in sixteen["targets"]] == ["16.2", "16.10", "16.a"]
    assert sixteen["targets"][0]["titles"] == {lang: f"{lang} target 16.2" for lang in LANGUAGES}


def test_short_titles_are_the_first_clause():
    assert (
        short_title(
            "By 2030, significantly reduce illicit financial and arms flows, strengthen the "
            "recovery and return of stolen assets and combat all forms of organized crime"
        )
        == "Significantly reduce illicit financial and arms flows"
    )
    # A short first clause takes the next ones; a long one is cut at a word.
    assert short_title(
        "Develop quality, reliable, sustainable and resilient infrastructure, x"
    ) == ("Develop quality, reliable, sustainable and resilient infrastructure")
    assert len(short_title("word " * 40)) <= 80


def test_short_titles_in_the_other_languages_leave_the_date_out():
    """The UN's texts of 16.4, as the seed holds them (French and Spanish decomposed, NFD)."""
    french = "D\u2019ici a\u0300 2030, re\u0301duire nettement les flux financiers illicites et le "
    french += "trafic d\u2019armes, renforcer les activite\u0301s de re\u0301cupe\u0301ration"
    assert short_title(french, "fr") == (
        "R\u00e9duire nettement les flux financiers illicites et le trafic d\u2019armes"
    )
    spanish = "De aqui\u0301 a 2030, reducir significativamente las corrientes financieras y de "
    spanish += "armas ili\u0301citas, fortalecer la recuperacio\u0301n"
    assert short_title(spanish, "es") == (
        "Reducir significativamente las corrientes financieras y de armas il\u00edcitas"
    )
    arabic = "الحد بقدر كبير من التدفقات غير المشروعة للأموال والأسلحة، وتعزيز استرداد الأصول "
    arabic += "المسروقة وإعادتها، بحلول عام 2030"
    assert short_title(arabic, "ar") == "الحد بقدر كبير من التدفقات غير المشروعة للأموال والأسلحة"


def test_the_command_writes_the_seed_and_refuses_a_wrong_folder(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    out = tmp_path / "sdgs.yaml"
    runner = CliRunner(env={"TRACKER_LANGUAGE": "en"})  # its messages in English
    result = runner.invoke(
        app, ["reference", "build-sdgs", str(_source(source)), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "17 SDGs and 51 targets" in result.output
    assert "Open SDG project" in out.read_text(encoding="utf-8")
    wrong = runner.invoke(
        app, ["reference", "build-sdgs", str(tmp_path / "none"), "--output", str(out)]
    )
    assert wrong.exit_code == 1
    assert "is not a folder of SDG titles" in wrong.output
