"""Importers of the network's existing material."""
