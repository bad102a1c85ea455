"""Loopback for the tests that start live servers: the address they listen
on and a port free to listen on."""

from __future__ import annotations

import socket

HOST = "127.0.0.1"


def free_port() -> int:
    """A port no one listens on at this moment (another process may still
    take it before the server does)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])
