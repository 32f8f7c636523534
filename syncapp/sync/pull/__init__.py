"""The pull: `read.py` (Salesforce I/O only), `apply.py` (one page into the mirror in one transaction),
`fast_lane.py` (new Bulk rows by SQL), `values.py` (value conversions), `upsert.py` (bulk writes), and
`object.py`, which runs one object's pull and holds `pull_records` (records by id, now)."""
