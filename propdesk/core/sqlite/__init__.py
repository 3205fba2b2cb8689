"""propdesk's SQLite database backend: Django's, with a quicker wait for the write lock
(see base.py)."""
