"""The strategic framework: goals, objectives and cross-cutting themes.

`loader` reads a framework from YAML, checks it whole and stores it (replacing an earlier
version without losing tags); `view` gives the framework page its goals and objectives with
what serves them.
"""
