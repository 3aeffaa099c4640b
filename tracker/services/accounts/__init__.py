"""Accounts: who may sign in and what they may do.

`users` invites people, sets roles, programmes and passwords, and deactivates accounts;
`auth` signs people in, throttling guesses per account and per address; `sessions` keeps
server-side sessions and clears those that are over; `tokens` makes, lists and revokes API
tokens;
`secrets` makes random tokens and password hashes, so nothing secret is stored in clear;
`permissions` is the one place that decides who may change what; `oidc` signs people in with
the organisation's OpenID Connect provider, their role coming from its groups.
"""
