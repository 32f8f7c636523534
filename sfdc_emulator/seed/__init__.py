"""The demo org: deterministic people, accounts, opportunities, campaigns and activities (demo.seed_demo)."""

from __future__ import annotations
