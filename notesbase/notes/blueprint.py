"""The notes pages' blueprint, shared by the reader (``views``) and the
facilitators' editor (``editor``)."""

from flask import Blueprint

bp = Blueprint("notes", __name__)
