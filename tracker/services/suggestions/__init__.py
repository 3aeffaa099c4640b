"""Tag suggestions: the objectives and themes a project most likely serves, read from its own
words, offline.

model (the TF-IDF profiles and neighbours, pure computation), text (what a project's text is,
and the hook for extra evidence words), corpus (what the model learns from, read from the
database), store (the trained model in the database and in each process), suggest (suggestions
for a project or a text, with their reasons), decisions (accepting and dismissing them),
screening (the queue of projects to screen), params (request models).
"""
