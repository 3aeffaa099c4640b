"""The audit trail: every change to projects, tags, targets, users and the framework.

`record` writes an event in the same transaction as the change it describes; `describe`
reads the trail back for administrators, filtered, and in plain words.
"""
