"""REST data API: versions, resources, limits, describe, sObject rows, upsert, updated/deleted."""

from __future__ import annotations

from sfdc_emulator.org import dml, ids
from sfdc_emulator.org.assignment import Assign
from sfdc_emulator.org.errors import SaveResult, SfError, not_found
from sfdc_emulator.org.schema import ObjectDef
from sfdc_emulator.org.values import row_to_json
from sfdc_emulator.server import describe as describe_json
from sfdc_emulator.server.http import Ctx, Response, json_response, no_content, route

V = r"/services/data/v(?P<version>\d+\.\d+)"
SOBJ = V + r"/sobjects/(?P<obj>[A-Za-z][A-Za-z0-9_]*)"
RID = r"/(?P<rid>(?!(?:describe|updated|deleted)$)[^/]+)"
OLDEST_VERSION = 31


def check_version(version: str) -> None:
    if float(version) < OLDEST_VERSION:
        raise SfError(410, "API_VERSION_RETIRED", f"API version {version} has been retired.")


def get_object(ctx: Ctx, name: str) -> ObjectDef:
    obj = ctx.org.schema.get_object(name)
    if obj is None:
        raise not_found()
    return obj


@route("GET", V + r"/sobjects")
def describe_global(ctx: Ctx, version: str) -> Response:
    entries = [describe_json.global_entry(o, version) for o in ctx.org.schema]
    return json_response({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": entries})


@route("GET", SOBJ)
def basic_info(ctx: Ctx, version: str, obj: str) -> Response:
    o = get_object(ctx, obj)
    return json_response({"objectDescribe": describe_json.global_entry(o, version), "recentItems": []})


@route("GET", SOBJ + r"/describe")
def describe(ctx: Ctx, version: str, obj: str) -> Response:
    o = get_object(ctx, obj)
    access = ctx.org.store.security.access(ctx.user_id)
    return json_response(describe_json.describe(o, access, version, ctx.org.schema))


def _rest_errors(result: SaveResult, status: int | None = None) -> Response:
    code = result.errors[0].status_code
    if status is None:
        status = 404 if code in ("ENTITY_IS_DELETED", "NOT_FOUND") else 400
    return Response(status, [e.as_rest() for e in result.errors])


def auto_assign(ctx: Ctx) -> Assign | None:
    """`Sforce-Auto-Assign` of this request: absent means TRUE, so REST writes run the active rule (§6.1)."""
    return Assign.from_rest_header(ctx.request.header("sforce-auto-assign"))


def body_dict(ctx: Ctx) -> dict:
    data = ctx.request.json()
    if not isinstance(data, dict):
        raise SfError(
            400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from START_ARRAY value"
        )
    return data


@route("POST", SOBJ)
def create(ctx: Ctx, version: str, obj: str) -> Response:
    o = get_object(ctx, obj)
    result = dml.create(
        ctx.org.store, o.name, body_dict(ctx), user_id=str(ctx.user_id), assign=auto_assign(ctx)
    )
    if not result.success:
        return _rest_errors(result)
    return json_response(
        {"id": result.id, "success": True, "errors": []},
        201,
        {"Location": f"/services/data/v{version}/sobjects/{o.name}/{result.id}"},
    )


def visible_columns(ctx: Ctx, o: ObjectDef, fields_param: str | None) -> list[str]:
    access = ctx.org.store.security.access(ctx.user_id)
    if not fields_param:
        return [f for f in o.fields if access.visible(o.name, f)]
    out = []
    for raw in fields_param.split(","):
        fd = o.field(raw.strip())
        if fd is None or not access.visible(o.name, fd.name):
            raise SfError(
                400,
                "INVALID_FIELD",
                f"No such column '{raw.strip()}' on entity '{o.name}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the custom field name. "
                "Please reference your WSDL or the describe call for the appropriate names.",
            )
        out.append(fd.name)
    return out


def record_json(ctx: Ctx, o: ObjectDef, rid: str, columns: list[str], version: str) -> dict:
    row = ctx.org.store.get_row(
        o.name, rid, [*columns, "IsDeleted"] if "IsDeleted" not in columns else columns
    )
    if row is None:
        raise not_found()
    if row["IsDeleted"]:
        raise SfError(404, "ENTITY_IS_DELETED", "entity is deleted", ())
    values = tuple(row[c] for c in columns)
    out = row_to_json(o, columns, values, f"/services/data/v{version}/sobjects/{o.name}")
    out["attributes"]["url"] = f"/services/data/v{version}/sobjects/{o.name}/{rid}"  # type: ignore[index]
    return out


def _id_or_ext(o: ObjectDef, segment: str) -> str:
    norm = ids.normalize(segment)
    if norm is None or ids.prefix_of(norm) != o.key_prefix:
        # Why: Salesforce reads a non-id segment as an external-id field name (spec §3.8).
        raise not_found(f"Provided external ID field does not exist or is not accessible: {segment}")
    return norm


@route("GET", SOBJ + RID)
def get_record(ctx: Ctx, version: str, obj: str, rid: str) -> Response:
    o = get_object(ctx, obj)
    norm = _id_or_ext(o, rid)
    columns = visible_columns(ctx, o, ctx.request.param("fields"))
    return json_response(record_json(ctx, o, norm, columns, version))


@route("PATCH", SOBJ + RID)
def update(ctx: Ctx, version: str, obj: str, rid: str) -> Response:
    o = get_object(ctx, obj)
    norm = _id_or_ext(o, rid)
    result = dml.update(
        ctx.org.store, o.name, norm, body_dict(ctx), user_id=str(ctx.user_id), assign=auto_assign(ctx)
    )
    if not result.success:
        code = result.errors[0].status_code
        return _rest_errors(
            result, 404 if code in ("INVALID_CROSS_REFERENCE_KEY", "ENTITY_IS_DELETED") else None
        )
    return no_content()


@route("DELETE", SOBJ + RID)
def delete(ctx: Ctx, version: str, obj: str, rid: str) -> Response:
    o = get_object(ctx, obj)
    norm = _id_or_ext(o, rid)
    result = dml.delete(ctx.org.store, o.name, norm, user_id=str(ctx.user_id))
    if not result.success:
        code = result.errors[0].status_code
        if code == "INVALID_CROSS_REFERENCE_KEY":
            raise not_found()
        return _rest_errors(result, 404 if code == "ENTITY_IS_DELETED" else None)
    return no_content()


def _ext_field(ctx: Ctx, o: ObjectDef, field: str) -> str:
    fd = o.field(field)
    if (
        fd is None
        or not fd.id_lookup
        or not ctx.org.store.security.access(ctx.user_id).visible(o.name, fd.name)
    ):
        raise not_found(f"Provided external ID field does not exist or is not accessible: {field}")
    return fd.name


def _matches(ctx: Ctx, o: ObjectDef, field: str, value: str) -> list[str]:
    if field == "Id":
        norm = ids.normalize(value)
        return [norm] if norm and ctx.org.store.get_row(o.name, norm, ["Id"]) else []
    return ctx.org.store.find_ids(o.name, field, value)


EXT = SOBJ + r"/(?P<field>[A-Za-z][A-Za-z0-9_]*)/(?P<value>[^/]+)"


@route("PATCH", EXT)
def upsert(ctx: Ctx, version: str, obj: str, field: str, value: str) -> Response:
    o = get_object(ctx, obj)
    key = _ext_field(ctx, o, field)
    body = body_dict(ctx)
    for k, v in body.items():
        if k.lower() == "id" or (k.lower() == key.lower() and str(v) != value):
            raise SfError(
                400,
                "INVALID_FIELD",
                f"{key} is specified in the url and may not be specified in the body with a different value"
                if k.lower() != "id"
                else "Id is not allowed in the body of an upsert request",
                (k,),
            )
    result = dml.upsert(
        ctx.org.store, o.name, key, {**body, key: value}, user_id=str(ctx.user_id), assign=auto_assign(ctx)
    )
    if isinstance(result, list):
        return json_response([f"/services/data/v{version}/sobjects/{o.name}/{i}" for i in result], 300)
    if not result.success:
        return _rest_errors(result)
    if not result.created and float(version) < 46:
        return no_content()
    status = 201 if result.created else 200
    headers = (
        {"Location": f"/services/data/v{version}/sobjects/{o.name}/{result.id}"} if result.created else {}
    )
    return json_response(
        {"id": result.id, "success": True, "errors": [], "created": result.created}, status, headers
    )


@route("GET", EXT)
def get_by_ext(ctx: Ctx, version: str, obj: str, field: str, value: str) -> Response:
    o = get_object(ctx, obj)
    key = _ext_field(ctx, o, field)
    found = _matches(ctx, o, key, value)
    if len(found) > 1:
        return json_response([f"/services/data/v{version}/sobjects/{o.name}/{i}" for i in found], 300)
    if not found:
        raise not_found()
    columns = visible_columns(ctx, o, ctx.request.param("fields"))
    return json_response(record_json(ctx, o, found[0], columns, version))


@route("DELETE", EXT)
def delete_by_ext(ctx: Ctx, version: str, obj: str, field: str, value: str) -> Response:
    o = get_object(ctx, obj)
    key = _ext_field(ctx, o, field)
    found = _matches(ctx, o, key, value)
    if len(found) > 1:
        return json_response([f"/services/data/v{version}/sobjects/{o.name}/{i}" for i in found], 300)
    if not found:
        raise not_found()
    result = dml.delete(ctx.org.store, o.name, found[0], user_id=str(ctx.user_id))
    if not result.success:
        return _rest_errors(result)
    return no_content()


@route("POST", SOBJ + r"/Id")
def create_via_id(ctx: Ctx, version: str, obj: str) -> Response:
    return create(ctx, version, obj)
