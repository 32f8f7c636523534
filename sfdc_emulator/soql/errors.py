"""SoqlError: a query Salesforce would reject, with its errorCode and its caret-style message."""

from __future__ import annotations

WSDL_HINT = "Please reference your WSDL or the describe call for the appropriate names."


class SoqlError(Exception):
    """A rejected query. `message` is what Salesforce puts in the error body's "message".

    Salesforce prefixes parse/field errors with the offending query line, a caret under the error and
    "ERROR at Row:r:Column:c"; `detail` holds just the last line (the human sentence).
    """

    def __init__(self, error_code: str, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.detail = detail if detail is not None else message

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}"

    def to_body(self) -> list[dict[str, str]]:
        """The REST error body (query errors carry no "fields" key)."""
        return [{"message": self.message, "errorCode": self.error_code}]


def located(error_code: str, soql: str, pos: int, detail: str) -> SoqlError:
    """An error pointing at character offset `pos` of `soql`, shaped like Salesforce's."""
    pos = max(0, min(pos, len(soql)))
    line_start = soql.rfind("\n", 0, pos) + 1
    line_end = soql.find("\n", pos)
    if line_end < 0:
        line_end = len(soql)
    row = soql.count("\n", 0, pos) + 1
    col = pos - line_start
    line = soql[line_start:line_end].rstrip("\r")
    message = f"\n{line}\n{' ' * col}^\nERROR at Row:{row}:Column:{col + 1}\n{detail}"
    return SoqlError(error_code, message, detail=detail)


def no_such_column(soql: str, pos: int, name: str, entity: str) -> SoqlError:
    return located(
        "INVALID_FIELD",
        soql,
        pos,
        f"No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, be sure "
        f"to append the '__c' after the custom field name. {WSDL_HINT}",
    )


def bad_relationship(soql: str, pos: int, name: str) -> SoqlError:
    return located(
        "INVALID_FIELD",
        soql,
        pos,
        f"Didn't understand relationship '{name}' in field path. If you are attempting to use a custom "
        f"relationship, be sure to append the '__r' after the custom relationship name. {WSDL_HINT}",
    )


def unsupported_type(soql: str, pos: int, name: str) -> SoqlError:
    return located(
        "INVALID_TYPE",
        soql,
        pos,
        f"sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to "
        f"append the '__c' after the entity name. {WSDL_HINT}",
    )


def unexpected(soql: str, pos: int, text: str) -> SoqlError:
    return located("MALFORMED_QUERY", soql, pos, f"unexpected token: '{text}'")


def malformed(soql: str, pos: int, detail: str) -> SoqlError:
    return located("MALFORMED_QUERY", soql, pos, detail)
