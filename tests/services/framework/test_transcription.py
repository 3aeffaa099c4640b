"""The shipped framework says, word for word, what the published Global Policing Goals say.

The source text is parsed here on its own terms (headings and bullets) and compared with the
YAML file, so that a slip in either place fails the test.
"""

from __future__ import annotations

import re

import yaml

from tests.conftest import DATA, GPG_FILE

SOURCE = DATA / "sources" / "global-policing-goals-2023.txt"


def _source():
    goals, themes, current, in_themes = [], [], None, False
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s.startswith("## CROSS-CUTTING FOUNDATIONAL THEMES"):
            in_themes, current = True, None
        elif (
            s.startswith("## ")
            and not in_themes
            and s != "## GLOBAL POLICING GOALS"
            and not s.startswith("# ")
        ):
            current = {"heading": s[3:], "items": []}
            goals.append(current)
        elif in_themes and (m := re.match(r"### ([IVX]+)\. (.+)", s)):
            current = {"code": m[1], "name": m[2], "items": []}
            themes.append(current)
        elif s.startswith("- ") and current is not None:
            current["items"].append(s[2:])
    return goals, themes


def test_counts_match_the_source():
    goals, themes = _source()
    data = yaml.safe_load(GPG_FILE.read_text(encoding="utf-8"))
    assert len(goals) == len(data["goals"]) == 7
    assert [len(g["items"]) for g in goals] == [len(g["objectives"]) for g in data["goals"]]
    assert [len(g["objectives"]) for g in data["goals"]] == [6, 5, 6, 4, 5, 6, 6]
    assert len(themes) == len(data["themes"]) == 5
    assert [len(t["items"]) for t in themes] == [len(t["statements"]) for t in data["themes"]]
    assert [len(t["statements"]) for t in data["themes"]] == [7, 9, 7, 8, 4]


def test_wording_matches_the_source():
    goals, themes = _source()
    data = yaml.safe_load(GPG_FILE.read_text(encoding="utf-8"))
    for n, (source, goal) in enumerate(zip(goals, data["goals"], strict=True), start=1):
        assert goal["code"] == f"GPG{n}"
        # The publication sets goal statements as capitalised headings.
        assert goal["statement"].upper() == source["heading"]
        assert any(link["target"].startswith("16.") for link in goal["sdg_links"])
        for m, (text, objective) in enumerate(
            zip(source["items"], goal["objectives"], strict=True), start=1
        ):
            assert objective["code"] == f"{n}.{m}"
            assert objective["statement"] == text
    for source, theme in zip(themes, data["themes"], strict=True):
        assert theme["code"] == source["code"]
        assert theme["name"] == source["name"]
        for m, (text, statement) in enumerate(
            zip(source["items"], theme["statements"], strict=True), start=1
        ):
            assert statement["code"] == f"{source['code']}.{m}"
            assert statement["statement"] == text


def test_codes_are_text_in_the_file():
    # Unquoted, YAML would read 1.10 as the number 1.1.
    data = yaml.safe_load(GPG_FILE.read_text(encoding="utf-8"))
    for goal in data["goals"]:
        assert all(isinstance(o["code"], str) for o in goal["objectives"])
