"""Describe JSON (describeGlobal entries, sObject describe) as one user sees it under field-level security."""

from __future__ import annotations

from sfdc_emulator.org.schema import CURRENT_USER, TEXT_TYPES, TODAY, FieldDef, ObjectDef
from sfdc_emulator.org.security import FieldAccess

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


def global_entry(obj: ObjectDef, version: str) -> dict[str, object]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": obj.createable,
        "custom": obj.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": obj.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": not obj.custom,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": True,
        "mergeable": obj.mergeable,
        "mruEnabled": True,
        "name": obj.name,
        "queryable": obj.queryable,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": obj.deletable,
        "updateable": obj.updateable,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }


def _default_value(fd: FieldDef) -> object:
    if fd.default in (CURRENT_USER, TODAY) or fd.default is None:
        return False if fd.type == "boolean" else None
    return fd.default


def field_json(obj: ObjectDef, fd: FieldDef, access: FieldAccess) -> dict[str, object]:
    editable = access.editable(obj.name, fd.name)
    text = fd.type in TEXT_TYPES
    is_id = fd.type in ("id", "reference")
    numeric = fd.type in ("double", "currency", "percent")
    compound = (
        "Name" if obj.name in ("Lead", "Contact", "User") and fd.name in ("FirstName", "LastName") else None
    )
    return {
        "aggregatable": fd.type not in ("textarea", "multipicklist", "boolean"),
        "aiPredictionField": False,
        "autoNumber": False,
        "byteLength": fd.length * 3 if (text or is_id) else 0,
        "calculated": fd.calculated
        or (fd.name == "Name" and not fd.createable and obj.name != "Organization"),
        "calculatedFormula": None,
        "cascadeDelete": fd.cascade_delete,
        "caseSensitive": False,
        "compoundFieldName": compound,
        "controllerName": None,
        "createable": fd.createable and editable,
        "custom": fd.custom,
        "defaultValue": _default_value(fd),
        "defaultValueFormula": None,
        "defaultedOnCreate": fd.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": fd.precision if fd.type == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": fd.external_id,
        "extraTypeInfo": None,
        "filterable": fd.type not in ("textarea",),
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": fd.type
        not in ("textarea", "multipicklist", "double", "currency", "percent", "datetime"),
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": fd.id_lookup,
        "inlineHelpText": None,
        "label": fd.label,
        "length": fd.length if (text or is_id) else 0,
        "mask": None,
        "maskType": None,
        "name": fd.name,
        "nameField": fd.name_field,
        "namePointing": len(fd.reference_to) > 1,
        "nillable": fd.nillable and fd.type != "boolean",
        "permissionable": fd.nillable and fd.custom,
        "picklistValues": [
            {"active": True, "defaultValue": v == fd.default, "label": v, "validFor": None, "value": v}
            for v in fd.picklist_values
        ],
        "polymorphicForeignKey": len(fd.reference_to) > 1,
        "precision": fd.precision if numeric else 0,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(fd.reference_to),
        "relationshipName": fd.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": fd.restricted_picklist,
        "scale": fd.scale if numeric else 0,
        "searchPrefilterable": is_id,
        "soapType": SOAP_TYPES.get(fd.type, "xsd:string"),
        "sortable": fd.type not in ("textarea", "multipicklist"),
        "type": fd.type,
        "unique": fd.unique,
        "updateable": fd.updateable and editable,
        "writeRequiresMasterRead": False,
    }


def describe(obj: ObjectDef, access: FieldAccess, version: str, schema: object) -> dict[str, object]:
    out = global_entry(obj, version)
    fields = [field_json(obj, fd, access) for fd in obj.fields.values() if access.visible(obj.name, fd.name)]
    children = []
    for rel in obj.child_relationships:
        if not access.visible(rel.child_sobject, rel.field):
            continue
        children.append(
            {
                "cascadeDelete": rel.cascade_delete,
                "childSObject": rel.child_sobject,
                "deprecatedAndHidden": False,
                "field": rel.field,
                "junctionIdListNames": [],
                "junctionReferenceTo": [],
                "relationshipName": rel.relationship_name,
                "restrictedDelete": False,
            }
        )
    out.update(
        {
            "actionOverrides": [],
            "childRelationships": children,
            "compactLayoutable": True,
            "dataTranslationEnabled": False,
            "defaultImplementation": None,
            "extendedBy": None,
            "extendsInterfaces": None,
            "fields": fields,
            "implementedBy": None,
            "implementsInterfaces": None,
            "listviewable": None,
            "lookupLayoutable": None,
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [
                {
                    "active": True,
                    "available": True,
                    "defaultRecordTypeMapping": True,
                    "developerName": "Master",
                    "master": True,
                    "name": "Master",
                    "recordTypeId": "012000000000000AAA",
                    "urls": {
                        "layout": f"/services/data/v{version}/sobjects/{obj.name}/describe/layouts/"
                        "012000000000000AAA"
                    },
                }
            ],
            "searchLayoutable": True,
            "sobjectDescribeOption": "FULL",
            "supportedScopes": [{"label": "All " + obj.label_plural.lower(), "name": "everything"}],
        }
    )
    return out
