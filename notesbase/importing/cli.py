"""``notesbase import ...`` commands (filled in by the importer work)."""

from flask.cli import AppGroup

import_cli = AppGroup("import", help="Import the network's existing material.")
