"""Change event bodies as CometD delivers them: compound fields nested, values as JSON, sparse by change type.

Spec streaming §2.3, §2.4: CREATE and UNDELETE carry every non-empty field with the system fields; UPDATE only
the changed fields (nulls included) plus LastModifiedDate, `changedFields` naming compound parts as
`Name.FirstName` / `BillingAddress.City`; DELETE and gap events carry no fields. Id, IsDeleted,
SystemModstamp and formula fields are never in a body; a Lead's or Contact's `Name` is the compound of its
parts, not the stored full name.
"""

from __future__ import annotations

from collections.abc import Mapping

from sfdc_emulator.org.schema import ObjectDef

_NAME = ("Salutation", "FirstName", "MiddleName", "LastName", "Suffix")
_ADDRESS = ("Street", "City", "State", "PostalCode", "Country", "StateCode", "CountryCode", "Latitude",
            "Longitude", "GeocodeAccuracy")  # fmt: skip


def _address(prefix: str) -> dict[str, str]:
    return {f"{prefix}{part}": part for part in _ADDRESS}


# entity → compound field → {flat field: component}
COMPOUNDS: dict[str, dict[str, dict[str, str]]] = {
    "Lead": {"Name": {p: p for p in _NAME}, "Address": _address("")},
    "Contact": {
        "Name": {p: p for p in _NAME},
        "MailingAddress": _address("Mailing"),
        "OtherAddress": _address("Other"),
    },
    "Account": {"BillingAddress": _address("Billing"), "ShippingAddress": _address("Shipping")},
}
NEVER = {"Id", "IsDeleted", "SystemModstamp"}
HIDDEN_FULL_NAME = {"Lead", "Contact"}  # their `Name` is the compound, never the stored full name


def encode(value: object, field_type: str) -> object:
    """Storage encoding → CometD JSON: booleans true/false, datetimes `…T…:ss.000Z`, the rest unchanged."""
    if value is None:
        return None
    if field_type == "boolean":
        return bool(value)
    if field_type == "datetime" and isinstance(value, str):
        return value.replace("+0000", "Z")
    return value


def _components(obj: ObjectDef) -> dict[str, tuple[str, str]]:
    """flat field → (compound, component), for the components this object has."""
    out: dict[str, tuple[str, str]] = {}
    for compound, parts in COMPOUNDS.get(obj.name, {}).items():
        for flat, part in parts.items():
            if flat in obj.fields:
                out[flat] = (compound, part)
    return out


def _skipped(obj: ObjectDef, name: str) -> bool:
    fd = obj.fields.get(name)
    if fd is None or name in NEVER or fd.calculated:
        return True
    return name == "Name" and obj.name in HIDDEN_FULL_NAME


def body(obj: ObjectDef, row: Mapping[str, object], names: list[str], *, keep_nulls: bool) -> dict:
    """The event body of `names` read from `row`; nulls only when `keep_nulls` (UPDATE)."""
    components = _components(obj)
    out: dict[str, object] = {}
    for name in names:
        if _skipped(obj, name):
            continue
        value = encode(row.get(name), obj.fields[name].type)
        if value is None and not keep_nulls:
            continue
        if name in components:
            compound, part = components[name]
            out.setdefault(compound, {})[part] = value  # type: ignore[index]
        else:
            out[name] = value
    return out


def changed_field_names(obj: ObjectDef, names: list[str]) -> list[str]:
    """`changedFields` entries: compound parts as `Compound.Part`, in the object's field order."""
    components = _components(obj)
    out = []
    for name in obj.fields:
        if name in names and not _skipped(obj, name):
            out.append(".".join(components[name]) if name in components else name)
    return out


def channel_of(entity: str) -> str:
    """`/data/LeadChangeEvent`; a custom object drops its `c`: `Invoice__c` → `/data/Invoice__ChangeEvent`."""
    base = entity[:-1] if entity.endswith("__c") else entity
    return f"/data/{base}ChangeEvent"


def entity_of(channel: str) -> str | None:
    """The inverse of `channel_of` (None for a channel that is not one entity's)."""
    prefix, suffix = "/data/", "ChangeEvent"
    if not channel.startswith(prefix) or not channel.endswith(suffix) or channel == "/data/ChangeEvents":
        return None
    base = channel[len(prefix) : -len(suffix)]
    if not base:
        return None
    return base + "c" if base.endswith("__") else base
