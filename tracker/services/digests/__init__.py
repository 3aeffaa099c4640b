"""Digests: who gets what, when, and the outbox that delivers each exactly once per period."""
