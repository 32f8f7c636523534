"""The org itself: schema and default objects, storage, validated DML, rules, security, conversion, merge."""

from __future__ import annotations
