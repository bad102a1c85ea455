"""notesbase: notes of meetings held under the Chatham House Rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """A top-level folder of the project (``templates``, ``migrations``): beside
    the package in a checkout, inside it in an installed wheel."""
    for candidate in (PACKAGE_DIR.parent / name, PACKAGE_DIR / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"notesbase cannot find its {name!r} folder")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``test_config`` overrides every other configuration source."""
    from notesbase import (
        after_reply,
        collecting,
        config,
        db,
        errors,
        logs,
        renders,
        routing,
        security,
        templating,
    )
    from notesbase.client import ClosingClient
    from notesbase.extensions import csrf, limiter, login_manager

    app = Flask(
        __name__,
        instance_path=config.resolve_instance_path(test_config),
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
    )
    app.test_client_class = ClosingClient
    config.load_config(app, test_config)
    logs.init_app(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    renders.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # login sessions live in the database

    routing.init_app(app)
    after_reply.init_app(app)  # innermost: it sees the environ Flask's request reads
    collecting.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)

    from notesbase import (
        admin,
        api,
        auth,
        consent,
        health,
        importing,
        meetings,
        notes,
        privacy,
        publishing,
        review,
        search,
    )
    from notesbase.commands import add_app_commands

    # Each feature adds its blueprints and commands; the app's own commands
    # are added by name.
    for feature in (
        health,
        auth,
        admin,
        meetings,
        notes,
        consent,
        publishing,
        review,
        privacy,
        search,
        api,
        importing,
    ):
        feature.register(app)
    add_app_commands(app)
    return app
