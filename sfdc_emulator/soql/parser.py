"""Recursive-descent parser for the SOQL subset of spec §9.1, raising MALFORMED_QUERY like Salesforce."""

from __future__ import annotations

# Long module: one recursive-descent grammar reads best as one class; splitting it scatters the precedence.
from sfdc_emulator.soql import ast
from sfdc_emulator.soql.errors import malformed, unexpected
from sfdc_emulator.soql.lexer import DATE, DATETIME, EOF, NUMBER, OP, PUNCT, STRING, WORD, Token, tokenize

AGGREGATES = frozenset({"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG"})
# Words that end a select item or a clause; a field or alias may not be spelled like one of them.
RESERVED = frozenset(
    {
        "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES", "LAST",
        "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH", "ORDER", "OFFSET",
        "BY", "USING", "FOR", "TRUE", "FALSE", "TYPEOF",
    }
)  # fmt: skip
# Relative date literals taking ":n" (spec §9.1); the rest stand alone.
RELATIVE_N = frozenset(
    {
        "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS", "N_WEEKS_AGO",
        "LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO", "LAST_N_QUARTERS", "NEXT_N_QUARTERS",
        "N_QUARTERS_AGO", "LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO",
    }
)  # fmt: skip
RELATIVE = frozenset(
    {
        "YESTERDAY", "TODAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
        "THIS_MONTH", "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_QUARTER", "LAST_QUARTER",
        "NEXT_QUARTER", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR",
    }
)  # fmt: skip
_OPS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def parse(soql: str) -> ast.Query:
    parser = _Parser(soql)
    query = parser.query()
    parser.expect_eof()
    return query


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = tokenize(soql)
        self.i = 0

    # --- token helpers ---------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != EOF:
            self.i += 1
        return tok

    def fail(self, tok: Token | None = None) -> Exception:
        tok = tok or self.tok
        return unexpected(self.soql, tok.pos, tok.text)

    def keyword(self, *words: str) -> Token:
        if not self.tok.is_kw(*words):
            raise self.fail()
        return self.advance()

    def punct(self, ch: str) -> Token:
        if not (self.tok.kind == PUNCT and self.tok.text == ch):
            raise self.fail()
        return self.advance()

    def at_punct(self, ch: str) -> bool:
        return self.tok.kind == PUNCT and self.tok.text == ch

    def expect_eof(self) -> None:
        if self.tok.kind != EOF:
            raise self.fail()

    def name(self) -> Token:
        """A plain identifier (object name, alias): not dotted, not reserved."""
        tok = self.tok
        if tok.kind != WORD or "." in tok.text or tok.upper in RESERVED:
            raise self.fail()
        return self.advance()

    def object_name(self) -> Token:
        """The object after FROM: any plain word, reserved or not (`SELECT Id FROM Group` is valid SOQL)."""
        tok = self.tok
        if tok.kind != WORD or "." in tok.text:
            raise self.fail()
        return self.advance()

    def path(self) -> ast.Path:
        tok = self.tok
        if tok.kind != WORD or tok.upper in RESERVED:
            raise self.fail()
        self.advance()
        return ast.Path(tuple(tok.text.split(".")), tok.pos)

    # --- query -----------------------------------------------------------------------------------

    def query(self) -> ast.Query:
        self.keyword("SELECT")
        items = [self.select_item()]
        while self.at_punct(","):
            self.advance()
            items.append(self.select_item())
        self.keyword("FROM")
        obj = self.object_name()
        alias = None
        if self.tok.kind == WORD and self.tok.upper not in RESERVED and "." not in self.tok.text:
            alias = self.advance().text
        where = group_by = having = None
        if self.tok.is_kw("USING"):
            # USING SCOPE everything/mine/…: accepted, every row is in scope for the emulator's API user.
            self.advance()
            self.keyword("SCOPE")
            self.name()
        if self.tok.is_kw("WHERE"):
            self.advance()
            where = self.condition()
        if self.tok.is_kw("WITH"):
            # Hidden fields already fail as INVALID_FIELD, so the security clauses change nothing here.
            self.advance()
            self.keyword("SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE")
        if self.tok.is_kw("GROUP"):
            self.advance()
            self.keyword("BY")
            group_by = [self.path()]
            while self.at_punct(","):
                self.advance()
                group_by.append(self.path())
            if self.tok.is_kw("HAVING"):
                self.advance()
                having = self.condition()
        order_by: list[ast.OrderItem] = []
        if self.tok.is_kw("ORDER"):
            self.advance()
            self.keyword("BY")
            order_by.append(self.order_item())
            while self.at_punct(","):
                self.advance()
                order_by.append(self.order_item())
        limit = offset = None
        offset_pos = 0
        if self.tok.is_kw("LIMIT"):
            self.advance()
            limit = self.integer()
        if self.tok.is_kw("OFFSET"):
            self.advance()
            offset_pos = self.tok.pos
            offset = self.integer()
        if self.tok.is_kw("FOR"):
            self.advance()
            self.keyword("VIEW", "REFERENCE", "UPDATE")
        return ast.Query(
            select=tuple(items),
            object_name=obj.text,
            object_pos=obj.pos,
            alias=alias,
            where=where,
            group_by=tuple(group_by or ()),
            having=having,
            order_by=tuple(order_by),
            limit=limit,
            offset=offset,
            offset_pos=offset_pos,
        )

    def integer(self) -> int:
        tok = self.tok
        if tok.kind != NUMBER or not tok.text.isdigit():
            raise self.fail()
        self.advance()
        return int(tok.text)

    def select_item(self) -> ast.SelectItem:
        tok = self.tok
        if self.at_punct("("):
            self.advance()
            if not self.tok.is_kw("SELECT"):
                raise self.fail()
            sub = self.query()
            self.punct(")")
            return ast.SubqueryItem(sub, tok.pos)
        if tok.kind == WORD and self.peek().kind == PUNCT and self.peek().text == "(":
            return self.aggregate()
        path = self.path()
        return ast.FieldItem(path, self.alias())

    def alias(self) -> str | None:
        """An alias is only taken when a ',' or FROM follows, so `SELECT Id FROMM Lead` fails at FROMM."""
        tok, after = self.tok, self.peek()
        if tok.kind != WORD or "." in tok.text or tok.upper in RESERVED:
            return None
        if (after.kind == PUNCT and after.text == ",") or after.is_kw("FROM"):
            return self.advance().text
        return None

    def aggregate(self) -> ast.AggItem | ast.CountAll:
        func = self.advance()
        if func.upper not in AGGREGATES:
            raise malformed(
                self.soql, func.pos, f"Unknown function: {func.text}" if func.kind == WORD else ""
            )
        self.punct("(")
        if func.upper == "COUNT" and self.at_punct(")"):
            self.advance()
            return ast.CountAll(func.pos)
        path = self.path()
        self.punct(")")
        return ast.AggItem(func.upper, path, self.alias(), func.pos)

    def order_item(self) -> ast.OrderItem:
        key: ast.Path | ast.AggItem
        if self.tok.kind == WORD and self.peek().kind == PUNCT and self.peek().text == "(":
            func = self.advance()
            if func.upper not in AGGREGATES:
                raise self.fail(func)
            self.punct("(")
            path = self.path()
            self.punct(")")
            key = ast.AggItem(func.upper, path, None, func.pos)
        else:
            key = self.path()
        desc = False
        if self.tok.is_kw("ASC", "DESC"):
            desc = self.advance().upper == "DESC"
        nulls_first = None
        if self.tok.is_kw("NULLS"):
            self.advance()
            nulls_first = self.keyword("FIRST", "LAST").upper == "FIRST"
        return ast.OrderItem(key, desc, nulls_first)

    # --- conditions ------------------------------------------------------------------------------

    def condition(self) -> ast.Cond:
        """AND and OR may not be mixed at one level without parentheses (Salesforce rejects a AND b OR c)."""
        first = self.unary()
        if not self.tok.is_kw("AND", "OR"):
            return first
        op = self.tok.upper
        items = [first]
        while self.tok.is_kw("AND", "OR"):
            if self.tok.upper != op:
                raise self.fail()
            self.advance()
            items.append(self.unary())
        return ast.BoolOp(op, tuple(items))

    def unary(self) -> ast.Cond:
        if self.tok.is_kw("NOT"):
            self.advance()
            return ast.Not(self.unary())
        if self.at_punct("("):
            self.advance()
            cond = self.condition()
            self.punct(")")
            return cond
        return self.predicate()

    def predicate(self) -> ast.Cond:
        lhs: ast.Path | ast.AggItem
        if self.tok.kind == WORD and self.peek().kind == PUNCT and self.peek().text == "(":
            agg = self.aggregate()
            lhs = ast.AggItem("COUNT", None, None, agg.pos) if isinstance(agg, ast.CountAll) else agg
        else:
            lhs = self.path()
        tok = self.tok
        if tok.kind == OP:
            self.advance()
            return ast.Compare(lhs, _OPS[tok.text], self.literal(), tok.pos)
        if not isinstance(lhs, ast.Path):
            raise self.fail()
        negated = False
        if tok.is_kw("NOT"):
            self.advance()
            negated = True
            if not self.tok.is_kw("IN"):
                raise self.fail()
        kw = self.tok
        if kw.is_kw("IN"):
            self.advance()
            self.punct("(")
            if self.tok.is_kw("SELECT"):
                sub = self.query()
                self.punct(")")
                return ast.InSubquery(lhs, negated, sub, kw.pos)
            return ast.InList(lhs, negated, self.literal_list_rest(), kw.pos)
        if kw.is_kw("LIKE"):
            self.advance()
            return ast.Like(lhs, self.literal(), kw.pos)
        if kw.is_kw("INCLUDES", "EXCLUDES"):
            self.advance()
            self.punct("(")
            return ast.Includes(lhs, kw.upper == "EXCLUDES", self.literal_list_rest(), kw.pos)
        raise self.fail()

    def literal_list_rest(self) -> tuple[ast.Literal, ...]:
        values = [self.literal()]
        while self.at_punct(","):
            self.advance()
            values.append(self.literal())
        self.punct(")")
        return tuple(values)

    def literal(self) -> ast.Literal:
        tok = self.tok
        if tok.kind == STRING:
            self.advance()
            return ast.Literal("string", None, tok)
        if tok.kind == NUMBER:
            self.advance()
            text = tok.text
            value: object = float(text) if any(c in text for c in ".eE") else int(text)
            return ast.Literal("number", value, tok)
        if tok.kind in (DATE, DATETIME):
            self.advance()
            return ast.Literal(tok.kind, tok.text, tok)
        if tok.kind == WORD:
            word = tok.upper
            if word in ("TRUE", "FALSE"):
                self.advance()
                return ast.Literal("bool", word == "TRUE", tok)
            if word == "NULL":
                self.advance()
                return ast.Literal("null", None, tok)
            if word in RELATIVE:
                self.advance()
                return ast.Literal("relative", word, tok)
            if word in RELATIVE_N:
                self.advance()
                self.punct(":")
                n_tok = self.tok
                if n_tok.kind != NUMBER or not n_tok.text.isdigit():
                    raise self.fail()
                self.advance()
                return ast.Literal("relative", word, tok, int(n_tok.text))
        raise self.fail()
