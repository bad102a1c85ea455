"""The API's blueprint, under ``/api/v1``: the modules of ``notesbase.api``
add its routes and hooks; features' JSON routes nest in it (``writeups``)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
