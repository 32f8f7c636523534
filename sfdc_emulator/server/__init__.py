"""The emulator's HTTP side: listeners (app.py), routing (routing.py) and the REST/OAuth/query endpoints."""

from __future__ import annotations

from sfdc_emulator.server.app import EmulatorServer
from sfdc_emulator.server.routing import Ctx, Request, Response, json_response, route

__all__ = ["Ctx", "EmulatorServer", "Request", "Response", "json_response", "route"]
