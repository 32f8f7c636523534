"""The pull: `read.py` (Salesforce I/O only), `apply.py` (one page into the mirror in one transaction),
`fast_lane.py` (new Bulk rows by SQL: the one row builder), its lanes `sqlite_lane.py` (one statement, or the
second core) and `copy_lane.py` (PostgreSQL's COPY), chosen in `lanes.py`, `values.py` (value conversions),
`upsert.py` (bulk writes), and `object.py`, which runs one object's pull and holds `pull_records` (records by
id, now)."""
