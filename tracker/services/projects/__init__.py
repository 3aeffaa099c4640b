"""Projects: reading, listing, creating, editing and tagging them.

`detail` reads one project with everything about it; `listing` filters, searches and pages
the portfolio; `edit` validates and stores a project's own fields (with compare-and-set on its
version); `tagging` adds, changes and removes a project's objective and theme tags.
"""
