"""Administration: members, roles, series membership and invitations."""

from notesbase.admin.views import bp

__all__ = ["bp"]
