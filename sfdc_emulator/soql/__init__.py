"""SOQL → SQLite: parse the spec §9.1 subset, check it against the org schema, compile it to SQL.

API (compiler.py; used by the query/queryAll endpoints, /composite subrequests and Bulk 2.0 query jobs):

    compile_query(soql, schema, *, visible=None, include_deleted=False, now=None, api_version="59.0")
        -> CompiledQuery

- `schema`: anything with a case-insensitive `get_object(name) -> ObjectDef | None` (schema.OrgSchema).
- `visible(object_name, field_name) -> bool`: field-level security of the querying user; a hidden field (or
  lookup) behaves exactly as if it did not exist (INVALID_FIELD).
- `include_deleted`: queryAll. Otherwise `IsDeleted = 0` is added for the queried object (and child
  subqueries).
- `now`: the instant relative date literals (TODAY, LAST_N_DAYS:n…) are computed from, in UTC.

CompiledQuery:
- `object_name`: canonical sObject name; `columns`: the record's top-level keys in SELECT order.
- `sql`, `params`: the rows, already filtered, ordered (ORDER BY, then Id as a stable tie-break; Id alone when
  there is no ORDER BY) and cut by LIMIT/OFFSET. Every literal is a parameter.
- `count_sql`, `count_params`: one row, one value = totalSize (honours LIMIT/OFFSET; only the joins the WHERE
  clause needs).
- `is_count`: SELECT COUNT() — answer `{"totalSize": n, "done": true, "records": []}` from `count_sql`.
- `is_aggregate`: records are AggregateResult rows (aliases, or expr0, expr1… for unaliased aggregates).
- `row_to_record(row) -> dict`: the REST record for one row of `sql` (attributes first, canonical field
  names in SELECT order, parents nested or null, child subqueries as {"totalSize","done","records"} or null,
  booleans as bool). Generated code, cheap per row. `record_builder(api_version)` gives the same for
  another API version.

SoqlError(error_code, message): MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, INVALID_QUERY_FILTER_OPERATOR,
NUMBER_OUTSIDE_VALID_RANGE. `message` is Salesforce's caret form ("\\n<query line>\\n   ^\\nERROR at
Row:1:Column:N\\n<detail>"); `detail` is the last line; `to_body()` is the REST error array.

Emulator policy where Salesforce is unverified: polymorphic parents (Owner on Lead, Who, What) are reported
with attributes type "Name" and only their own fields (no further hops); datetime literals also accept
+hhmm and fractional seconds; relative dates use UTC with weeks starting on Sunday.
"""

from __future__ import annotations
