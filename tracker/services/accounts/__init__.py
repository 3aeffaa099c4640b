"""Accounts: who may sign in and what they may do.

`users` invites people, sets roles, programmes and passwords, and deactivates accounts;
`auth` signs people in (with throttling), keeps server-side sessions and API tokens;
`secrets` makes random tokens and password hashes, so nothing secret is stored in clear;
`permissions` is the one place that decides who may change what.
"""
