"""Admin pages (filled in by the accounts work)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/members")
def members() -> str:
    """Placeholder until the members page lands."""
    return "members"
