"""Bulk API 2.0: job routes (routes.py), job state (jobs.py), CSV in and out (csv.py), ingest (ingest.py)."""

from __future__ import annotations
