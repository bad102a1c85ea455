"""Placeholder: routes are added here."""
