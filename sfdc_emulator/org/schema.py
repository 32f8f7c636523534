"""The org's sObjects and fields (describe names and flags), and the default profiles' field-level security.

Storage contract (shared with soql/, server/bulk2/, seed/): one SQLite table per sObject named exactly like
the sObject, one column per field named exactly like the field's canonical API name (`FieldDef.sql_type`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# Sentinel defaults resolved at insert time by the DML layer.
CURRENT_USER = "$User.Id"
TODAY = "$Today"

SYSTEM_FIELDS = (
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
)
TEXT_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox"}
)


@dataclass(frozen=True)
class FieldDef:
    """One field as describe reports it; `default` may be CURRENT_USER / TODAY sentinels."""

    name: str
    type: str
    label: str
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    custom: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist_values: tuple[str, ...] = ()
    restricted_picklist: bool = False
    default: object = None
    external_id: bool = False
    unique: bool = False
    precision: int = 0
    scale: int = 0
    calculated: bool = False
    name_field: bool = False
    # Reference fields: the parent's child-relationship name; whether deleting the parent deletes this row.
    child_relationship: str | None = None
    cascade_delete: bool = False

    @property
    def defaulted_on_create(self) -> bool:
        return self.default is not None or self.type == "boolean" or self.name in ("Id", "OwnerId")

    @property
    def required_on_create(self) -> bool:
        """nillable=false + createable + no default ⇒ REQUIRED_FIELD_MISSING when absent (spec §3.6)."""
        return not self.nillable and self.createable and not self.defaulted_on_create

    @property
    def id_lookup(self) -> bool:
        return self.name == "Id" or self.external_id

    @property
    def sql_type(self) -> str:
        """SQLite column type: booleans 0/1 INTEGER, ints INTEGER, numbers REAL, everything else TEXT."""
        if self.type in ("boolean", "int"):
            return "INTEGER"
        if self.type in ("double", "currency", "percent"):
            return "REAL"
        return "TEXT"


@dataclass(frozen=True)
class ChildRelationship:
    child_sobject: str
    field: str
    relationship_name: str | None
    cascade_delete: bool = False


@dataclass(frozen=True)
class ObjectDef:
    name: str
    label: str
    key_prefix: str
    fields: dict[str, FieldDef]
    label_plural: str = ""
    custom: bool = False
    queryable: bool = True
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    mergeable: bool = False
    child_relationships: tuple[ChildRelationship, ...] = ()
    _by_lower: dict[str, FieldDef] = field(default_factory=dict, repr=False, compare=False)
    _by_rel: dict[str, FieldDef] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_lower.update({name.lower(): f for name, f in self.fields.items()})
        self._by_rel.update(
            {f.relationship_name.lower(): f for f in self.fields.values() if f.relationship_name is not None}
        )

    def field(self, name: str) -> FieldDef | None:
        """Case-insensitive field lookup by API name."""
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> FieldDef | None:
        """The reference field whose relationshipName is `name` (case-insensitive), e.g. Owner → OwnerId."""
        return self._by_rel.get(name.lower())

    def child_relationship(self, name: str) -> ChildRelationship | None:
        lower = name.lower()
        for rel in self.child_relationships:
            if rel.relationship_name and rel.relationship_name.lower() == lower:
                return rel
        return None

    @property
    def name_field(self) -> FieldDef | None:
        return next((f for f in self.fields.values() if f.name_field), None)


class OrgSchema:
    """All sObjects of the org, looked up case-insensitively by name or by key prefix."""

    def __init__(self, objects: list[ObjectDef]) -> None:
        children: dict[str, list[ChildRelationship]] = {o.name: [] for o in objects}
        for obj in objects:
            for f in obj.fields.values():
                for parent in f.reference_to:
                    if parent in children and f.name not in SYSTEM_FIELDS:
                        children[parent].append(
                            ChildRelationship(obj.name, f.name, f.child_relationship, f.cascade_delete)
                        )
        self._objects: dict[str, ObjectDef] = {}
        for obj in objects:
            rebuilt = ObjectDef(
                name=obj.name,
                label=obj.label,
                key_prefix=obj.key_prefix,
                fields=obj.fields,
                label_plural=obj.label_plural,
                custom=obj.custom,
                queryable=obj.queryable,
                createable=obj.createable,
                updateable=obj.updateable,
                deletable=obj.deletable,
                mergeable=obj.mergeable,
                child_relationships=tuple(children[obj.name]),
            )
            self._objects[obj.name] = rebuilt
        self._by_lower = {name.lower(): o for name, o in self._objects.items()}
        self._by_prefix = {o.key_prefix: o for o in self._objects.values()}

    def get_object(self, name: str) -> ObjectDef | None:
        return self._by_lower.get(name.lower())

    def by_prefix(self, prefix: str) -> ObjectDef | None:
        return self._by_prefix.get(prefix)

    def __iter__(self) -> Iterator[ObjectDef]:
        return iter(self._objects.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_lower

    @property
    def names(self) -> list[str]:
        return list(self._objects)


# --- builders -----------------------------------------------------------------------------------------------


def _label(name: str) -> str:
    base = name.removesuffix("__c").removesuffix("Id") if name.endswith("Id") and name != "Id" else name
    base = base.removesuffix("__c").replace("_", " ")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).strip() or name


def f(name: str, type_: str, length: int = 0, **kw: object) -> FieldDef:
    kw.setdefault("label", _label(name))
    kw.setdefault("custom", name.endswith("__c"))
    if type_ == "currency":
        kw.setdefault("precision", 18)
        kw.setdefault("scale", 2)
    elif type_ in ("double", "percent"):
        kw.setdefault("precision", 18)
        kw.setdefault("scale", 2 if type_ == "double" else 0)
    elif type_ == "int":
        kw.setdefault("precision", 9)
    return FieldDef(name=name, type=type_, length=length, **kw)  # type: ignore[arg-type]


def s(name: str, length: int = 255, **kw: object) -> FieldDef:
    return f(name, "string", length, **kw)


def ro(fd: FieldDef) -> FieldDef:
    """The same field, read-only (system-maintained)."""
    return FieldDef(**{**fd.__dict__, "createable": False, "updateable": False})


def pick(name: str, values: tuple[str, ...], restricted: bool = False, **kw: object) -> FieldDef:
    return f(name, "picklist", 255, picklist_values=values, restricted_picklist=restricted, **kw)


def ref(
    name: str,
    to: str | tuple[str, ...],
    rel: str | None = None,
    child: str | None = None,
    cascade: bool = False,
    **kw: object,
) -> FieldDef:
    targets = (to,) if isinstance(to, str) else to
    if rel is None:
        rel = name[:-3] + "__r" if name.endswith("__c") else name.removesuffix("Id")
    return f(
        name,
        "reference",
        18,
        reference_to=targets,
        relationship_name=rel,
        child_relationship=child,
        cascade_delete=cascade,
        **kw,
    )


def _system(owner: bool, name_field: FieldDef | None) -> list[FieldDef]:
    out = [
        f("Id", "id", 18, nillable=False, createable=False, updateable=False, label="Record ID"),
        ro(f("IsDeleted", "boolean", nillable=False, label="Deleted")),
        ro(f("CreatedDate", "datetime", nillable=False)),
        ro(ref("CreatedById", "User", "CreatedBy", nillable=False, label="Created By ID")),
        ro(f("LastModifiedDate", "datetime", nillable=False)),
        ro(ref("LastModifiedById", "User", "LastModifiedBy", nillable=False, label="Last Modified By ID")),
        ro(f("SystemModstamp", "datetime", nillable=False, label="System Modstamp")),
    ]
    if name_field is not None:
        out.insert(1, name_field)
    if owner:
        out.append(
            ref("OwnerId", ("User", "Group"), "Owner", nillable=False, default=CURRENT_USER, label="Owner ID")
        )
    return out


def obj(
    name: str,
    prefix: str,
    fields: list[FieldDef],
    *,
    label: str | None = None,
    plural: str | None = None,
    owner: bool = True,
    name_field: FieldDef | None = None,
    **flags: object,
) -> ObjectDef:
    all_fields = _system(owner, name_field) + fields
    label = label or _label(name)
    return ObjectDef(
        name=name,
        label=label,
        key_prefix=prefix,
        fields={fd.name: fd for fd in all_fields},
        label_plural=plural or label + "s",
        custom=name.endswith("__c"),
        **flags,  # type: ignore[arg-type]
    )


def name_of(length: int = 255, required: bool = True, **kw: object) -> FieldDef:
    return s("Name", length, nillable=not required, name_field=True, **kw)


def compound_name() -> FieldDef:
    """Lead/Contact/User Name: FirstName + LastName, maintained by the DML layer, never writable."""
    return ro(s("Name", 121, name_field=True, label="Full Name"))


def address(prefix: str, label: str) -> list[FieldDef]:
    return [
        f(f"{prefix}Street", "textarea", 255, label=f"{label} Street"),
        s(f"{prefix}City", 40, label=f"{label} City"),
        s(f"{prefix}State", 80, label=f"{label} State/Province"),
        s(f"{prefix}PostalCode", 20, label=f"{label} Zip/Postal Code"),
        s(f"{prefix}Country", 80, label=f"{label} Country"),
    ]
