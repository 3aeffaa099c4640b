"""IATI 2.03 codes the tracker reads and writes."""

from __future__ import annotations

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

# OECD DAC recipient regions (vocabulary 1) to the five INTERPOL regions; None: no region.
DAC_REGIONS = {
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
}
REGION_TO_DAC = {"AFR": "298", "AME": "498", "ASP": "798", "EUR": "89", "MENA": "589"}

# Objective tags travel as vocabulary 99 with this URI, so that the tracker knows them again.
OBJECTIVE_VOCABULARY_URI = "https://portfolio-alignment-tracker.example.org/vocabulary/objectives"
SDG_GOALS, SDG_TARGETS = "2", "3"
