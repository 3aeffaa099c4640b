"""Coverage over time: what the portfolio covered on any past day.

- `state`: a project's state as coverage sees it (fields, tags, places), and the days a project
  counts before the tracker knew it (from its start date).
- `versions`: each project's past, kept as versions over runs of days, and the tables as they
  stood on a day (`tables.tables_at`), which every coverage query can read instead of the tables.
- `changes`: how the figures of active projects moved each day, summed to any day fast.
- `follow`: keeps both in step with every change, in the changing transaction.
- `replay`: builds both again from the audit trail and the projects' dates
  (`tracker history rebuild`), for history from the first day and for imported portfolios.
- `asof`: coverage, the headline and targets as of a day; `compare`: two days side by side;
  `trends`: figures along weeks, months or quarters.
"""
