"""How refusals name what is allowed, for the reference data every test database holds."""

PROGRAMMES = (
    "Counter-Terrorism (CT), Cybercrime (CYB), Financial Crime and Anti-Corruption (FCAC), "
    "Organized and Emerging Crime (OEC)"
)
REGIONS = (
    "Africa (AFR), Americas (AME), Asia and South Pacific (ASP), Europe (EUR), "
    "Middle East and North Africa (MENA)"
)
