"""What an IATI activity's reading notes is said in the reader's language, and stays English
where it is used as a str (the API, the stored report)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from tracker import formats
from tracker.services.exchange.iati.activity import read_activity, read_money, sectors

ACTIVITY = """
<iati-activity xml:lang="english" hierarchy="0" default-currency="EUR">
  <iati-identifier>XM-DAC-1-PRJ</iati-identifier>
  <budget type="1"><period-start iso-date="2026-01-01"/><period-end iso-date="2026-12-31"/>
    <value>12,5</value></budget>
  <sector vocabulary="99" code="ABC"/>
  <sector code="15130"/><sector code="15130"/>
</iati-activity>
"""


def test_an_activity_s_notes_and_problems_in_every_language():
    element = ElementTree.fromstring(ACTIVITY)
    activity = read_activity(element, 1)
    notes = list(activity.notes)
    sectors(element, notes)
    problems = read_money(element).problems
    english = [str(n) for n in notes] + [str(p) for p in problems]
    assert any(n.startswith('its hierarchy "0" is not a level from 1 to') for n in english)
    assert any(n.startswith('its xml:lang "english" is not a language code') for n in english)
    assert "sector 15130 is given twice; counted once" in english
    assert any(p.startswith('budget value "12,5" (for 2026-01-01 to 2026-12-31)') for p in english)
    french = [formats.said(n, locale="fr") for n in [*notes, *problems]]
    assert "le secteur 15130 est donné deux fois ; compté une fois" in french
    assert any(
        f.startswith("la valeur de budget « 12,5 » (pour la période du 2026-01-01 au 2026-12-31)")
        for f in french
    )
    arabic = [formats.said(n, locale="ar") for n in notes]
    assert "القطاع 15130 مذكور مرتين؛ يُحتسب مرة واحدة" in arabic


def test_a_refused_file_says_why_in_the_reader_s_language():
    import pytest

    from tracker.config import Settings
    from tracker.services.exchange.files import FileRefused
    from tracker.services.exchange.iati.read import parse_xml

    with pytest.raises(FileRefused) as refused:
        parse_xml(b"<projects/>", Settings(env="test"))
    reason = refused.value.args[0]
    assert str(reason) == (
        "the file is XML but not IATI activities: its root is <projects>, not <iati-activities>"
    )
    assert formats.said(reason, locale="es") == (
        "el archivo es XML pero no actividades IATI: su raíz es <projects>, no <iati-activities>"
    )
