"""Public pages of series and meetings."""

import sqlalchemy as sa
from flask import Blueprint, render_template

from notesbase.db import db
from notesbase.models import Series

bp = Blueprint("meetings", __name__)


@bp.route("/")
def index() -> str:
    series = db.session.scalars(sa.select(Series).order_by(Series.title)).all()
    return render_template("meetings/index.html", series=series)
