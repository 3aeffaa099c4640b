"""The strategic framework: goals, objectives and cross-cutting themes.

`loader` reads a framework from YAML, checks it whole and stores it (replacing an earlier
version without losing tags); `view` gives the framework page its goals and objectives with
what serves them and its languages; `translation_file` and `translation_loader` read, check
and store a translation of it (French, Spanish, Arabic); `translations` reads an item in a
language and says how complete each language is.
"""
