"""Reference data: regions, countries, programmes and currencies.

`load` reads the seed files into the database; `lists` answers the dropdowns and place
groupings that forms and filters show.
"""
