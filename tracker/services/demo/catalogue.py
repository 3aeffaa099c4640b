"""The kinds of work each programme does, as templates for demo projects.

Each line of work names the objectives it serves as principal, those it serves as
significant, the cross-cutting themes it touches, whether it is an operation, and a title and
summary that read like the real thing. `{place}` is a country or region name; `{donor}` the
funder; `{codename}` an operation's name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LineOfWork:
    title: str
    summary: str
    principal: tuple[str, ...]
    significant: tuple[str, ...]
    themes: tuple[str, ...]
    operation: bool = False


CATALOGUE: dict[str, tuple[LineOfWork, ...]] = {
    "CT": (
        LineOfWork(
            "Strengthening counter-terrorism information exchange in {place}",
            "Connects national counter-terrorism units in {place} to INTERPOL databases and "
            "trains analysts to share data on terrorist suspects and incidents. Funded by {donor}.",
            ("1.1",),
            ("1.2", "2.2"),
            ("I", "II"),
        ),
        LineOfWork(
            "Terrorist threat analysis capacity for {place}",
            "Builds a regional analysis cell that produces timely threat assessments on terrorist "
            "groups and their evolution for law enforcement in {place}. Funded by {donor}.",
            ("1.2",),
            ("1.1", "1.5"),
            ("I", "IV"),
        ),
        LineOfWork(
            "Operation {codename}: foreign terrorist fighter travel",
            "Coordinated checks at air, land and sea borders in {place} against INTERPOL notices "
            "and diffusions to detect the travel of foreign terrorist fighters.",
            ("2.1",),
            ("1.1", "2.4"),
            ("I", "II"),
            True,
        ),
        LineOfWork(
            "Battlefield evidence and counter-terrorism investigations in {place}",
            "Provides forensic and investigative expertise so that information collected in "
            "conflict zones can be used in terrorism prosecutions in {place}. Funded by {donor}.",
            ("1.3",),
            ("1.1",),
            ("III", "IV"),
        ),
        LineOfWork(
            "Countering terrorist use of the internet in {place}",
            "Works with technology companies and police in {place} to detect and remove terrorist "
            "content online and to counter disinformation. Funded by {donor}.",
            ("1.6",),
            ("1.5", "4.2"),
            ("II", "V"),
        ),
        LineOfWork(
            "Prevention of radicalization partnership, {place}",
            "Supports multi-agency risk reduction strategies on radicalization with community "
            "partners and law enforcement in {place}. Funded by {donor}.",
            ("1.5",),
            ("1.3",),
            ("II", "III"),
        ),
    ),
    "CYB": (
        LineOfWork(
            "Cybercrime threat intelligence hub for {place}",
            "Sets up intelligence sharing with national cybercrime units and private partners "
            "to map the cybercrime threat landscape in {place}. Funded by {donor}.",
            ("4.1",),
            ("4.2",),
            ("I", "II"),
        ),
        LineOfWork(
            "Operation {codename}: ransomware and business e-mail compromise",
            "Joint operation with police forces in {place} to identify and disrupt ransomware "
            "and business e-mail compromise networks.",
            ("4.2",),
            ("4.3", "5.3"),
            ("II", "V"),
            True,
        ),
        LineOfWork(
            "Digital forensics and cyber investigation training in {place}",
            "Trains investigators and first responders in {place} in digital evidence, "
            "cryptocurrency tracing and cyber investigation. Funded by {donor}.",
            ("4.3",),
            ("4.2",),
            ("IV",),
        ),
        LineOfWork(
            "Victim identification and online child protection in {place}",
            "Connects specialist units in {place} to the International Child Sexual Exploitation "
            "database and trains them in victim identification. Funded by {donor}.",
            ("3.5",),
            ("3.3", "4.3"),
            ("I", "IV"),
        ),
        LineOfWork(
            "Cybercrime policy dialogue for {place}",
            "Represents the needs of law enforcement in {place} in regional cyber fora and "
            "supports the drafting of cybercrime legislation. Funded by {donor}.",
            ("4.4",),
            ("4.2",),
            ("II", "III"),
        ),
    ),
    "FCAC": (
        LineOfWork(
            "Financial investigation capacity in {place}",
            "Trains financial investigators in {place} to trace illicit proceeds and to work "
            "across police, customs, tax and financial intelligence units. Funded by {donor}.",
            ("5.2",),
            ("5.1",),
            ("IV", "V"),
        ),
        LineOfWork(
            "Asset recovery network for {place}",
            "Builds a network of asset recovery focal points in {place} and supports the "
            "tracing, freezing and return of illicitly obtained assets. Funded by {donor}.",
            ("5.5",),
            ("5.1",),
            ("II", "V"),
        ),
        LineOfWork(
            "Operation {codename}: transnational fraud",
            "Coordinated action against investment, romance and phone-scam networks operating "
            "in {place}, with rapid exchange of information on suspects and money flows.",
            ("5.3",),
            ("5.1", "4.2"),
            ("I", "V"),
            True,
        ),
        LineOfWork(
            "Anti-corruption investigations support in {place}",
            "Helps anti-corruption agencies in {place} pursue corrupt actors through joint "
            "investigations and multi-agency cooperation. Funded by {donor}.",
            ("5.1",),
            ("5.4",),
            ("III", "V"),
        ),
        LineOfWork(
            "Legal frameworks against financial crime in {place}",
            "Supports the review of legislation and investigative frameworks to detect and "
            "prosecute financial crime in {place}. Funded by {donor}.",
            ("5.4",),
            ("5.2",),
            ("III",),
        ),
    ),
    "OEC": (
        LineOfWork(
            "Operation {codename}: drug trafficking routes",
            "Coordinated controls in {place} targeting the trafficking of cocaine, heroin and "
            "synthetic drugs along maritime and land routes.",
            ("6.2",),
            ("6.1", "2.1"),
            ("I", "II"),
            True,
        ),
        LineOfWork(
            "Illicit trade and counterfeit goods capacity in {place}",
            "Builds multi-agency capacity in {place} to investigate illicit trade and "
            "counterfeiting, including how it is financed. Funded by {donor}.",
            ("6.1",),
            ("6.4", "6.6"),
            ("II", "V"),
        ),
        LineOfWork(
            "Organized crime analysis cell for {place}",
            "Strengthens criminal analysis in {place} to map organized crime groups and the "
            "links between them and illicit markets. Funded by {donor}.",
            ("6.5",),
            ("6.3",),
            ("I", "IV"),
        ),
        LineOfWork(
            "Countering human trafficking and migrant smuggling in {place}",
            "Supports investigations that identify victims and disrupt trafficking and "
            "smuggling networks in {place}, with a victim-centred approach. Funded by {donor}.",
            ("3.1",),
            ("3.2", "3.6", "2.2"),
            ("II", "III"),
        ),
        LineOfWork(
            "Firearms trafficking and emerging illicit markets in {place}",
            "Helps police in {place} detect emerging markets for firearms and cultural goods "
            "and identify new smuggling routes. Funded by {donor}.",
            ("6.4",),
            ("6.2",),
            ("I",),
        ),
        LineOfWork(
            "Operation {codename}: wildlife and timber crime",
            "Joint operation with police, customs and environmental agencies in {place} "
            "against the trafficking of protected species and illegal timber.",
            ("7.3",),
            ("7.1", "7.2"),
            ("II",),
            True,
        ),
        LineOfWork(
            "Environmental crime enforcement capacity in {place}",
            "Strengthens multi-agency capacity in {place} to investigate pollution crime, "
            "illegal mining and fisheries crime. Funded by {donor}.",
            ("7.2",),
            ("7.5", "7.4"),
            ("IV",),
        ),
        LineOfWork(
            "Border document fraud detection in {place}",
            "Equips and trains border officers in {place} to detect fraudulent travel and "
            "identity documents and to check them against INTERPOL databases. "
            "Funded by {donor}.",
            ("2.5",),
            ("2.1", "2.3"),
            ("IV",),
        ),
    ),
}

DONORS = (
    "European Union",
    "Government of Canada",
    "German Federal Foreign Office",
    "U.S. Department of State",
    "Government of Norway",
    "UK Foreign, Commonwealth & Development Office",
    "Government of Japan",
    "Swiss Federal Department of Foreign Affairs",
    "Government of Australia",
    "Government of the Netherlands",
    "INTERPOL Foundation for a Safer World",
)

CODENAMES = (
    "Kestrel",
    "Lantern",
    "Harbour",
    "Meridian",
    "Granite",
    "Tidewater",
    "Falcon Ridge",
    "Northstar",
    "Cobalt",
    "Sentinel",
    "Driftwood",
    "Highland",
    "Saffron",
    "Beacon",
    "Crossing",
    "Juniper",
    "Atlas",
    "Sandstone",
    "Riverside",
    "Aurora",
)

# Currencies with their weight among budgets.
CURRENCIES = (
    ("EUR", 45),
    ("USD", 25),
    ("GBP", 8),
    ("CHF", 6),
    ("CAD", 5),
    ("NOK", 4),
    ("SEK", 3),
    ("JPY", 2),
    ("AUD", 2),
)
