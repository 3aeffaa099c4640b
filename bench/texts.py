"""Titles and summaries for synthetic projects that read like real ones and differ from each
other: what a search meets in a real portfolio (many words shared, few titles alike, places
with accents), not one sentence repeated with a number."""

from __future__ import annotations

import random

ACTIVITIES = (
    "Strengthening",
    "Building capacity for",
    "Training in",
    "Support to",
    "Regional cooperation on",
    "Mentoring programme for",
    "Equipment and training for",
    "Joint operations against",
    "Policy advice on",
    "Specialised units for",
    "Modernising",
    "Pilot project on",
    "Intelligence sharing on",
    "Forensic support for",
    "Operational assistance on",
)
TOPICS = (
    "cybercrime investigation",
    "digital forensics",
    "darknet market takedowns",
    "ransomware response",
    "online child sexual exploitation",
    "financial investigation",
    "asset recovery",
    "anti-money laundering",
    "corruption prosecutions",
    "cryptocurrency tracing",
    "drug trafficking routes",
    "firearms trafficking",
    "trafficking in human beings",
    "migrant smuggling networks",
    "maritime security",
    "border management",
    "counter-terrorism watch lists",
    "foreign terrorist fighters",
    "biometric identification",
    "stolen vehicle databases",
    "environmental crime",
    "illegal fishing",
    "wildlife trafficking",
    "illicit gold mining",
    "counterfeit medicines",
    "cultural heritage trafficking",
    "fugitive tracking",
    "police leadership",
    "crime analysis",
    "community policing",
    "gender-based violence investigations",
    "missing persons identification",
    "crisis response",
    "fraud against the elderly",
    "phishing and business email compromise",
)
OPERATIONS = (
    "Harbour",
    "Lionfish",
    "Pangea",
    "Thunder",
    "Trigger",
    "Sentinel",
    "Weka",
    "Flash-Weka",
    "Liberterra",
    "Jackal",
    "Mirage",
    "Storm",
    "Haechi",
    "Serengeti",
    "Atlas",
    "Falcon",
    "Orca",
    "Condor",
    "Andes",
    "Sahel",
)
PARTNERS = (
    "national police",
    "the financial intelligence unit",
    "customs administrations",
    "border guards",
    "public prosecutors",
    "the coast guard",
    "the anti-corruption commission",
    "computer emergency response teams",
    "wildlife authorities",
    "ministries of the interior",
    "judicial training institutes",
    "forensic laboratories",
    "the national central bureau",
    "private sector partners",
)
OUTCOMES = (
    "shorten the time from seizure to prosecution",
    "raise the number of cases referred across borders",
    "set up a standing joint investigation team",
    "connect {place} to the secure police communications network",
    "train {n} officers and certify {m} trainers",
    "write standard operating procedures adopted by the ministry",
    "improve the quality of data shared through notices and diffusions",
    "map the criminal networks active along the main corridors",
    "equip a laboratory accredited to international standards",
    "bring victims into contact with support services",
    "recover assets held abroad",
    "check travellers against watch lists at every major crossing",
)
DONORS = (
    "European Union",
    "Government of Canada",
    "Federal Foreign Office, Germany",
    "Ministère de l'Europe et des Affaires étrangères",
    "United Kingdom Home Office",
    "Government of Japan",
    "Norwegian Ministry of Foreign Affairs",
    "US Department of State",
    "Global Fund for Coral Reefs",
    "Agencia Española de Cooperación Internacional",
    "Swiss Agency for Development and Cooperation",
    "Core budget",
)


def _places(rng: random.Random, countries: list[str]) -> tuple[str, str]:
    """One to three countries, as a title names them, and the first of them."""
    chosen = rng.sample(countries, rng.choice((1, 1, 2, 3)))
    if len(chosen) == 1:
        return chosen[0], chosen[0]
    return ", ".join(chosen[:-1]) + " and " + chosen[-1], chosen[0]


def title_and_summary(rng: random.Random, countries: list[str]) -> tuple[str, str, str]:
    """A title, a summary of two or three sentences and a donor."""
    places, place = _places(rng, countries)
    topic = rng.choice(TOPICS)
    shape = rng.random()
    if shape < 0.15:
        title = f"Operation {rng.choice(OPERATIONS)}: {topic} in {places}"
    elif shape < 0.3:
        phase = rng.choice(("II", "III", "IV"))
        title = f"{topic[0].upper()}{topic[1:]} in {places}, phase {phase}"
    else:
        title = f"{rng.choice(ACTIVITIES)} {topic} in {places}"
    partners = rng.sample(PARTNERS, 2)
    outcome = rng.choice(OUTCOMES).format(
        place=place, n=rng.randint(2, 60) * 10, m=rng.randint(2, 40)
    )
    sentences = [
        f"Works with {partners[0]} and {partners[1]} on {rng.choice(TOPICS)}.",
        f"By {rng.randint(2025, 2030)} it aims to {outcome}.",
    ]
    if rng.random() < 0.5:
        sentences.append(
            f"Builds on earlier work on {rng.choice(TOPICS)} with {rng.choice(PARTNERS)}."
        )
    return title, " ".join(sentences), rng.choice(DONORS)
