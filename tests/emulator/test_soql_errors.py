"""SOQL the emulator rejects: the errorCode and the caret-style message Salesforce sends for each mistake."""

from __future__ import annotations

import pytest

from sfdc_emulator.org.objects import DEFAULT_SCHEMA
from sfdc_emulator.soql.compiler import compile_query
from sfdc_emulator.soql.errors import SoqlError

WSDL = "Please reference your WSDL or the describe call for the appropriate names."


def rejected(soql: str) -> SoqlError:
    with pytest.raises(SoqlError) as info:
        compile_query(soql, DEFAULT_SCHEMA)
    return info.value


def test_a_misspelt_keyword_is_a_malformed_query_pointing_at_the_token() -> None:
    error = rejected("SELECT Id FROMM Lead")
    assert error.error_code == "MALFORMED_QUERY"
    assert (
        error.message
        == "\nSELECT Id FROMM Lead\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FROMM'"
    )
    assert error.to_body() == [{"message": error.message, "errorCode": "MALFORMED_QUERY"}]


@pytest.mark.parametrize(
    ("soql", "detail"),
    [
        ("SELECT Id, FROM Lead", "unexpected token: 'FROM'"),
        ("SELECT Id FROM Lead WHERE", "unexpected token: '<EOF>'"),
        ("", "unexpected token: '<EOF>'"),
        ("SELECT Id FROM Lead WHERE Email = 'a' AND Phone = 'b' OR Title = 'c'", "unexpected token: 'OR'"),
        ("SELECT Id FROM Lead LIMIT ten", "unexpected token: 'ten'"),
        ("SELECT Id FROM Lead WHERE Email = 'open", "line 1:34 mismatched character '<EOF>'"),
        ("SELECT COUNT(), Email FROM Lead", "COUNT() may not be combined with other fields"),
        ("SELECT Email, COUNT(Id) FROM Lead", "Field must be grouped or aggregated: Email"),
        ("SELECT Id, id FROM Lead", "duplicate field selected: id"),
        ("SELECT SUM(Email) FROM Lead", "field Email does not support aggregate operator SUM"),
    ],
)
def test_syntax_mistakes_are_malformed_queries(soql: str, detail: str) -> None:
    error = rejected(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.detail == detail


def test_an_unknown_field_names_the_column_and_the_entity() -> None:
    error = rejected("SELECT Id, Foo__c FROM Lead")
    assert error.error_code == "INVALID_FIELD"
    assert error.message == (
        "\nSELECT Id, Foo__c FROM Lead\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Foo__c' on entity 'Lead'. If you are attempting to use a custom field, be sure to "
        f"append the '__c' after the custom field name. {WSDL}"
    )


def test_an_unknown_relationship_is_not_understood() -> None:
    error = rejected("SELECT Id, Nope__r.Name FROM Lead")
    assert error.error_code == "INVALID_FIELD"
    assert error.detail.startswith("Didn't understand relationship 'Nope__r' in field path.")


def test_an_unknown_object_is_an_invalid_type() -> None:
    error = rejected("SELECT Id FROM Foo")
    assert error.error_code == "INVALID_TYPE"
    assert error.message.startswith("\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\n")
    assert error.detail == (
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to "
        f"append the '__c' after the entity name. {WSDL}"
    )


def test_errors_on_later_lines_report_their_row_and_column() -> None:
    error = rejected("SELECT Id\nFROM Lead\nWHERE Nope__c = 1")
    assert "\nWHERE Nope__c = 1\n      ^\nERROR at Row:3:Column:7\n" in error.message


@pytest.mark.parametrize(
    ("where", "detail"),
    [
        ("CreatedDate > 2024-01-01", "must be of type dateTime and should not be enclosed in quotes"),
        ("ConvertedDate = 2024-01-01T00:00:00Z", "must be of type date and should not be enclosed in quotes"),
        (
            "CreatedDate > '2024-01-01T00:00:00Z'",
            "must be of type dateTime and should not be enclosed in quotes",
        ),
        ("Email = 42", "must be of type string and should be enclosed in quotes"),
        ("IsConverted = 'true'", "must be of type boolean and should not be enclosed in quotes"),
        ("NumberOfEmployees > '5'", "must be of type integer and should not be enclosed in quotes"),
        ("Email = TODAY", "must be of type string and should be enclosed in quotes"),
    ],
)
def test_literals_of_the_wrong_type_are_invalid_fields(where: str, detail: str) -> None:
    error = rejected(f"SELECT Id FROM Lead WHERE {where}")
    assert error.error_code == "INVALID_FIELD"
    assert error.detail.startswith("value of filter criterion for field '")
    assert error.detail.endswith(detail)


def test_a_malformed_id_filter_is_an_invalid_query_filter_operator() -> None:
    error = rejected("SELECT Id FROM Lead WHERE Id = 'abc'")
    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert error.detail == "invalid ID field: abc"


def test_offsets_above_2000_are_outside_the_valid_range() -> None:
    error = rejected("SELECT Id FROM Lead LIMIT 10 OFFSET 2001")
    assert error.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert error.detail == "Maximum SOQL offset allowed is 2000"
    assert compile_query("SELECT Id FROM Lead OFFSET 2000", DEFAULT_SCHEMA).offset == 2000


def test_like_and_includes_only_apply_to_fitting_field_types() -> None:
    assert rejected("SELECT Id FROM Lead WHERE NumberOfEmployees LIKE '1%'").error_code == "INVALID_FIELD"
    assert rejected("SELECT Id FROM Lead WHERE Email INCLUDES ('a')").error_code == "INVALID_FIELD"


def test_long_text_areas_cannot_be_filtered_and_multipicklists_cannot_be_sorted() -> None:
    error = rejected("SELECT Id FROM Lead WHERE Description = 'x'")
    assert error.error_code == "INVALID_FIELD"
    assert error.detail == "field 'Description' can not be filtered in query call"
    error = rejected("SELECT Id FROM Lead ORDER BY Product_Interest__c")
    assert error.detail == "field 'Product_Interest__c' can not be sorted in a query call"


def test_an_unknown_child_relationship_is_an_invalid_type() -> None:
    error = rejected("SELECT Id, (SELECT Id FROM Nope) FROM Account")
    assert error.error_code == "INVALID_TYPE"
    assert error.detail.startswith("Didn't understand relationship 'Nope' in FROM part of query call.")


def test_group_is_an_object_name_not_the_group_by_keyword():
    from sfdc_emulator.org.objects import DEFAULT_SCHEMA
    from sfdc_emulator.soql.compiler import compile_query

    compiled = compile_query("SELECT Id, Name FROM Group WHERE Type = 'Queue'", DEFAULT_SCHEMA)

    assert compiled.object_name == "Group"
