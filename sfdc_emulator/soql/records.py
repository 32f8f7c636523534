"""Row → Salesforce JSON record builders, generated once per query so that each row costs one dict display.

The generated code only ever contains integer indexes and repr() of canonical API names, never user input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RAW, BOOL, CHILD = "raw", "bool", "child"


@dataclass
class Leaf:
    index: int
    conv: str = RAW


@dataclass
class Node:
    """A record (the root row or a parent reached through a lookup) and its keys in SELECT order."""

    type_name: str  # "Name" for polymorphic parents
    id_index: int
    polymorphic: bool = False
    entries: dict[str, Leaf | Node | ChildList] = field(default_factory=dict)


@dataclass
class ChildList:
    """A child subquery column: a JSON array of value arrays, each built by the child's own Node."""

    index: int
    node: Node


@dataclass
class Aggregate:
    """AggregateResult rows: keys (aliases, exprN, grouped field names) in SELECT order."""

    entries: dict[str, Leaf] = field(default_factory=dict)


Builder = Callable[[Any], dict[str, Any]]


def compile_builder(root: Node | Aggregate, api_version: str, prefix_types: dict[str, str]) -> Builder:
    base = f"/services/data/v{api_version}/sobjects/"
    namespace: dict[str, Any] = {"P": prefix_types, "B": base, "J": json.loads}
    counter = [0]

    def leaf(entry: Leaf, row: str) -> str:
        if entry.conv == BOOL:
            return f"({row}[{entry.index}] == 1)"
        return f"{row}[{entry.index}]"

    def child(entry: ChildList, row: str) -> str:
        counter[0] += 1
        name = f"C{counter[0]}"
        sub = f"c{counter[0]}"
        namespace[name] = eval(f"lambda {sub}: {node(entry.node, sub, True)}", namespace)
        value = f"{row}[{entry.index}]"
        namespace["W" + name] = lambda rs, build=namespace[name]: {
            "totalSize": len(rs),
            "done": True,
            "records": [build(x) for x in rs],
        }
        return f"(None if {value} is None else W{name}(J({value})))"

    def node(n: Node, row: str, top: bool) -> str:
        rid = f"{row}[{n.id_index}]"
        if n.polymorphic:
            url = f"B + P.get({rid}[:3], 'Name') + '/' + {rid}"
        else:
            url = f"{base + n.type_name + '/'!r} + {rid}"
        parts = [f"'attributes': {{'type': {n.type_name!r}, 'url': {url}}}"]
        for key, entry in n.entries.items():
            if isinstance(entry, Leaf):
                value = leaf(entry, row)
            elif isinstance(entry, ChildList):
                value = child(entry, row)
            else:
                value = node(entry, row, False)
            parts.append(f"{key!r}: {value}")
        body = "{" + ", ".join(parts) + "}"
        return body if top else f"(None if {rid} is None else {body})"

    if isinstance(root, Aggregate):
        parts = ["'attributes': {'type': 'AggregateResult'}"]
        parts += [f"{key!r}: {leaf(entry, 'r')}" for key, entry in root.entries.items()]
        source = "lambda r: {" + ", ".join(parts) + "}"
    else:
        source = f"lambda r: {node(root, 'r', True)}"
    return eval(source, namespace)
