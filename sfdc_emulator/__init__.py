"""A Salesforce org emulator served over real HTTP(S) on loopback (see DESIGN.md §6)."""

from __future__ import annotations
