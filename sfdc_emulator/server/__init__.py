"""The emulator's HTTP side: listeners (app.py), dispatch (routing.py), request types (http.py), routes."""

from __future__ import annotations
