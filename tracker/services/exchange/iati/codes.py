"""IATI 2.03 codes the tracker reads and writes."""

from __future__ import annotations

# Versions of the standard the reader takes; 1.0x files are shaped differently (text outside
# narratives, letters for codes) and are refused, naming their version.
VERSIONS = ("2.01", "2.02", "2.03")

# activity-status: 1 pipeline, 2 implementation, 3 finalisation, 4 closed, 5 cancelled, 6 suspended
STATUS_FROM_IATI = {
    "1": "pipeline",
    "2": "active",
    "3": "active",
    "4": "completed",
    "5": "cancelled",
    "6": "suspended",
}
STATUS_TO_IATI = {
    "pipeline": "1",
    "active": "2",
    "completed": "4",
    "cancelled": "5",
    "suspended": "6",
}

# OECD DAC recipient regions (vocabulary 1) to the five INTERPOL regions; None: Global.
DAC_REGIONS = {
    "88": "EUR",  # States Ex-Yugoslavia unspecified: every one of them is in Europe
    "89": "EUR",  # Europe, regional
    "189": "MENA",  # North of Sahara, regional
    "289": "AFR",  # South of Sahara, regional
    "298": "AFR",  # Africa, regional
    "380": "AME",  # West Indies, regional
    "389": "AME",  # North and Central America, regional
    "489": "AME",  # South America, regional
    "498": "AME",  # America, regional
    "589": "MENA",  # Middle East, regional
    "619": "EUR",  # Central Asia, regional
    "679": "ASP",  # South Asia, regional
    "689": "ASP",  # South and Central Asia, regional
    "789": "ASP",  # Far East Asia, regional
    "798": "ASP",  # Asia, regional
    "889": "ASP",  # Oceania, regional
    "998": None,  # Developing countries, unspecified
    "1027": "AFR",  # Eastern Africa, regional
    "1028": "AFR",  # Middle Africa, regional
    "1029": "AFR",  # Southern Africa, regional
    "1030": "AFR",  # Western Africa, regional
    "1031": "AME",  # Caribbean, regional
    "1032": "AME",  # Central America, regional
    "1033": "ASP",  # Melanesia, regional
    "1034": "ASP",  # Micronesia, regional
    "1035": "ASP",  # Polynesia, regional
}
# Regions that name no place: work there counts as Global (a project without places).
# (vocabulary, code): DAC 998 "developing countries, unspecified", UN M49 001 "World".
UNSPECIFIED_REGIONS = {("1", "998"): "developing countries, unspecified", ("2", "001"): "World"}
REGION_TO_DAC = {"AFR": "298", "AME": "498", "ASP": "798", "EUR": "89", "MENA": "589"}

# Objective tags travel as vocabulary 99 with this URI, so that the tracker knows them again.
OBJECTIVE_VOCABULARY_URI = "https://portfolio-alignment-tracker.example.org/vocabulary/objectives"
SDG_GOALS, SDG_TARGETS = "2", "3"

# budget-not-provided: why an activity publishes no budget.
BUDGET_NOT_PROVIDED = {
    "1": "commercial restrictions",
    "2": "legal restrictions",
    "3": "rapid onset emergency",
}
# transaction-type 2: an outgoing commitment, which stands for a budget where there is none.
COMMITMENT = "2"
# related-activity types of a hierarchy: the activity named is the parent (1) or a child (2).
PARENT, CHILD = 1, 2
# sector vocabulary 1: OECD DAC CRS purpose codes of 5 digits (the default vocabulary).
DAC_SECTORS_VOCABULARY = "1"
# SDGs as sectors (vocabulary 7 the goals, 8 the targets), read as the SDG tags they stand for.
SDG_SECTORS = {"7": SDG_GOALS, "8": SDG_TARGETS}
