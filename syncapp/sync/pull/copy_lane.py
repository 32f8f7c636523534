"""PostgreSQL's fast lane: a Bulk CSV chunk COPYed into a temporary staging table, then one
`INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING` turns it into mirror rows.

The rows are the ones `fast_lane.row_sql` describes, spelled for PostgreSQL (`PostgresDialect`), so both
lanes write what the generic path writes. COPY moves a chunk's strings into the server with no per-row
statement; the server then builds the JSON, the columns and the unique-index checks in its own process,
which on a 2-core machine is the core the Python process is not using.

Every record that may not take the lane comes back in `LaneResult.rest` for the generic path: the guards
leave out the values PostgreSQL would not convert exactly as Python does, ON CONFLICT leaves out a key (or
any other unique value) already mirrored, and a statement the server refuses after all (a datetime the
guard admitted but PostgreSQL cannot read) rolls back to its savepoint and sends the whole chunk there.
"""

from __future__ import annotations

from django.db import DataError, connection, models, transaction

from syncapp.sync.pull.fast_lane import Dialect, FastLanePlan, LaneResult, row_sql


class PostgresDialect(Dialect):
    now = "statement_timestamp()"

    def number_guard(self, ref: str) -> str:
        # The same set SQLite's guard admits: digits, one optional point, a sign only in front, a digit,
        # at most 15 characters (every such decimal round-trips through a double exactly as in Python).
        return f"({ref} ~ '^-?[0-9]*\\.?[0-9]*$' AND {ref} ~ '[0-9]' AND length({ref}) <= 15)"

    def whole(self, ref: str) -> str:
        return f"trunc(CAST({ref} AS float8))::bigint"  # a plain ::bigint would round, int(float()) truncates

    def json_bool(self, ref: str) -> str:
        return f"(lower({ref}) = 'true')"

    def json_float(self, ref: str) -> str:
        # orjson writes a whole float as "250.0", and jsonb keeps a numeric's scale: spell it the same way.
        text = f"CAST(CAST({ref} AS float8) AS text)"
        return f"to_jsonb(CAST(CASE WHEN {text} ~ '[.e]' THEN {text} ELSE {text} || '.0' END AS numeric))"

    def json_object(self, pairs: list[str]) -> str:
        # jsonb_build_object takes at most 100 arguments: 50 pairs per call, merged with ||.
        pieces = [f"jsonb_build_object({', '.join(pairs[i : i + 50])})" for i in range(0, len(pairs), 50)]
        return " || ".join(pieces) if pieces else "'{}'::jsonb"

    def stored_datetime(self, ref: str) -> str:
        return f"CAST({ref} AS timestamptz)"

    def day(self, ref: str) -> tuple[str, str]:
        # PostgreSQL 15 has no pg_input_is_valid(), and a bad cast fails the statement: the CASE checks the
        # shape before any cast, then that the day exists in its month.
        day = f"substr({ref}, 1, 10)"
        month_start = f"CAST(substr({ref}, 1, 7) || '-01' AS date)"
        last_day = f"extract(day FROM {month_start} + interval '1 month - 1 day')"
        valid = (
            f"CASE WHEN {day} ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' "
            f"AND substr({ref}, 1, 4) <> '0000' "
            f"THEN CAST(substr({ref}, 9, 2) AS integer) <= {last_day} ELSE false END"
        )
        return f"CAST({day} AS date)", valid

    def column(self, expression: str, field: models.Field) -> str:
        # INSERT … SELECT takes a bare literal as text: give every expression its column's type.
        return f"CAST({expression} AS {field.db_type(connection)})"


POSTGRES = PostgresDialect()


class CopyInserter:
    """One compiled statement for one object and one CSV header, over a staging table of as many text
    columns as the header has fields."""

    def __init__(self, sql: str, stage: str, width: int, key_index: int, table: str) -> None:
        self.sql = sql
        self.stage = stage
        self.width = width
        self.key_index = key_index
        self.table = table

    @classmethod
    def build(cls, plan: FastLanePlan, header: list[str]) -> CopyInserter | None:
        position = {name: i + 1 for i, name in enumerate(header)}
        row = row_sql(
            plan, header, POSTGRES, lambda name: f"s.c{position[name]}" if name in position else None
        )
        if row is None:
            return None
        meta = plan.model._meta
        quote = connection.ops.quote_name
        stage = f"syncapp_lane_stage_{len(header)}"
        key_column = quote(meta.get_field(plan.key).column)
        # DO NOTHING without a target: a key already mirrored, or any other unique value taken (a contact's
        # placeholder person), leaves the row to the generic path, which knows what to do with it.
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(row.columns)}) "
            f"SELECT {', '.join(row.expressions)} FROM {stage} s WHERE {' AND '.join(row.guards)} "
            f"ON CONFLICT DO NOTHING RETURNING id, {key_column}"
        )
        return cls(sql, stage, len(header), position["Id"] - 1, quote(meta.db_table))

    def insert(self, rows: list[list[str]]) -> LaneResult:
        """COPY the rows that fit the header, insert what qualifies; the caller holds the transaction."""
        width = self.width
        fitting = [r for r in rows if len(r) == width]
        columns = ", ".join(f"c{i}" for i in range(1, width + 1))
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # Temporary: never WAL-logged, private to this connection, emptied at commit. Created by
                # the first chunk of each connection (a reconnect creates it again).
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.stage} "
                    f"({', '.join(f'c{i} text' for i in range(1, width + 1))}) ON COMMIT DELETE ROWS"
                )
                cursor.execute(f"TRUNCATE {self.stage}")  # a test's outer transaction never commits
                with cursor.cursor.copy(f"COPY {self.stage} ({columns}) FROM STDIN") as copy:
                    for row in fitting:
                        copy.write_row(row)
                cursor.execute(self.sql)
                returned = cursor.fetchall()
        except DataError:
            # A value the guards let through and PostgreSQL refused: the generic path takes the chunk.
            return LaneResult(0, rows)
        done = {key for _, key in returned}
        key = self.key_index
        rest = [r for r in rows if len(r) != width or r[key] not in done]
        return LaneResult(len(returned), rest, pks=tuple(pk for pk, _ in returned))
