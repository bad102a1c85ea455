"""``notesbase user ...`` commands (filled in by the accounts work)."""

from flask.cli import AppGroup

user_cli = AppGroup("user", help="Manage member accounts.")
