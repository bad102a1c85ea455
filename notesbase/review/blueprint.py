"""The review pages' blueprint. Every answer is ``no-store``: a reviewer
holds no login, so the app's rule for logged-in readers does not reach
them, and their page holds what the public must not read. The link's
secret is in the address, so no page here sends a Referer."""

from flask import Blueprint
from werkzeug.wrappers import Response

bp = Blueprint("review", __name__)


@bp.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.vary.add("Cookie")
    return response
