"""OECD DAC CRS purpose codes (IATI sector vocabulary 1) the tracker names in words: the
sectors of the work it follows (government and civil society, conflict and security,
narcotics, the environment, and a few neighbours). Any other 5-digit code is kept on its
project all the same and shown by its number.

Names as the IATI Sector codelist gives them (IATI-Codelists-NonEmbedded, Sector.xml).
"""

from __future__ import annotations

import re

# A DAC CRS purpose code: five ASCII digits.
SECTOR_CODE = re.compile(r"^[0-9]{5}$")

DAC_SECTORS: dict[str, str] = {
    # 151 Government and civil society, general
    "15110": "Public sector policy and administrative management",
    "15111": "Public finance management (PFM)",
    "15112": "Decentralisation and support to subnational government",
    "15113": "Anti-corruption organisations and institutions",
    "15114": "Domestic revenue mobilisation",
    "15116": "Tax collection",
    "15118": "National audit",
    "15119": "Debt and aid management",
    "15121": "Foreign affairs",
    "15125": "Public Procurement",
    "15130": "Legal and judicial development",
    "15131": "Justice, law and order policy, planning and administration",
    "15132": "Police",
    "15133": "Fire and rescue services",
    "15134": "Judicial affairs",
    "15135": "Ombudsman",
    "15136": "Immigration",
    "15137": "Prisons",
    "15150": "Democratic participation and civil society",
    "15151": "Elections",
    "15152": "Legislatures and political parties",
    "15153": "Media and free flow of information",
    "15160": "Human rights",
    "15170": "Women's rights organisations and movements, and government institutions",
    "15180": "Ending violence against women and girls",
    "15190": "Facilitation of orderly, safe, regular and responsible migration and mobility",
    "15196": "Government and civil society statistics and data",
    # 152 Conflict, peace and security
    "15210": "Security system management and reform",
    "15220": "Civilian peace-building, conflict prevention and resolution",
    "15230": "Participation in international peacekeeping operations",
    "15240": "Reintegration and SALW control",
    "15250": "Removal of land mines and explosive remnants of war",
    "15261": "Child soldiers (prevention and demobilisation)",
    # 160 Other social infrastructure and services
    "16062": "Statistical capacity building",
    "16063": "Narcotics control",
    "16070": "Labour rights",
    # Health, finance, trade and development that meet crime
    "12330": "Control of harmful use of alcohol and drugs",
    "24010": "Financial policy and administrative management",
    "24050": "Remittance facilitation, promotion and optimisation",
    "31165": "Agricultural alternative development",
    "33120": "Trade facilitation",
    "43050": "Non-agricultural alternative development",
    "43060": "Disaster Risk Reduction",
    "43073": "Food safety and quality",
    # 410 General environment protection
    "41010": "Environmental policy and administrative management",
    "41020": "Biosphere protection",
    "41030": "Biodiversity",
    "41040": "Site preservation",
    "41081": "Environmental education/training",
    "41082": "Environmental research",
    # Fisheries and forests, where illegal fishing and logging are fought
    "31210": "Forestry policy and administrative management",
    "31291": "Forestry services",
    "31310": "Fishing policy and administrative management",
    "31391": "Fishery services",
    # 998 Unallocated
    "99810": "Sectors not specified",
}


def is_sector_code(code: str) -> bool:
    return bool(SECTOR_CODE.match(code))


def sector_name(code: str) -> str | None:
    """The sector's name, or None for a code this list does not name."""
    return DAC_SECTORS.get(code)


def sector_label(code: str) -> str:
    """'15130 Legal and judicial development'; a code without a name here, as 'DAC 12345'."""
    name = sector_name(code)
    return f"{code} {name}" if name else f"DAC {code}"
