"""The write-up's routes (publishing's ``writeups.api``) nested in the API's
blueprint, so they answer under ``/api/v1`` through the API's hooks: the
caller's token, JSON errors and the unit of work of a write."""

from notesbase.api.blueprint import bp
from notesbase.publishing.writeups import api as writeup_api

bp.register_blueprint(writeup_api.bp)
