"""Control API for the org's configuration: validation and assignment rules, field access, recorded emails.

GET    /_emulator/rules · PUT /_emulator/rules/{name} {rule} · DELETE /_emulator/rules/{name}
GET    /_emulator/assignment-rules · PUT /_emulator/assignment-rules/{name} {rule} · DELETE …/{name}
       {"object": "Lead", "active": true, "entries": [{"when": [conditions], "assign_to": user or queue,
       "notify": bool}], "default_owner": user or queue}  (see org/assignment.py)
POST   /_emulator/field-access         {"user" | "profile": …, "object", "field", "access": hidden|read|edit}
DELETE /_emulator/fields/{Obj}/{field}   delete a custom field for everyone (queries naming it: INVALID_FIELD)
GET    /_emulator/emails · DELETE /_emulator/emails   the notifications the org would have sent
"""

from __future__ import annotations

from sfdc_emulator.org.assignment import all_rules, check_assignment_spec, put_rule, remove_rule
from sfdc_emulator.org.emails import clear_emails, recorded_emails
from sfdc_emulator.org.errors import SfError
from sfdc_emulator.org.rules import check_rule_spec
from sfdc_emulator.server.control import C, bad_request, body_of, resolve_user
from sfdc_emulator.server.http import Ctx, Response, json_response, route
from sfdc_emulator.server.rest import get_object


@route("GET", C + r"/rules")
def rules_list(ctx: Ctx) -> Response:
    return json_response(ctx.org.store.rules.all())


@route("PUT", C + r"/rules/(?P<name>[^/]+)")
def rules_put(ctx: Ctx, name: str) -> Response:
    body = {**body_of(ctx), "name": name}
    o = get_object(ctx, str(body.get("object", "")))
    try:
        rule = check_rule_spec(body, o)
    except (ValueError, TypeError) as exc:
        raise bad_request(str(exc)) from None
    except Exception as exc:  # re.error from a bad pattern
        raise bad_request(f"invalid rule: {exc}") from None
    ctx.org.store.rules.put(rule)
    return json_response(rule)


@route("DELETE", C + r"/rules/(?P<name>[^/]+)")
def rules_delete(ctx: Ctx, name: str) -> Response:
    if not ctx.org.store.rules.remove(name):
        raise SfError(404, "NOT_FOUND", f"no rule named {name}")
    return json_response({"deleted": name})


@route("POST", C + r"/field-access")
def field_access(ctx: Ctx) -> Response:
    body = body_of(ctx)
    o = get_object(ctx, str(body.get("object", "")))
    fd = o.field(str(body.get("field", "")))
    if fd is None:
        raise bad_request(f"{o.name} has no field {body.get('field')!r}")
    if body.get("profile"):
        subject = ctx.org.profile_id(str(body["profile"])) or str(body["profile"])
    else:
        subject = resolve_user(ctx, body.get("user"))
    try:
        ctx.org.store.security.set_access(subject, o.name, fd.name, str(body.get("access", "")))
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return json_response(
        {"subject": subject, "object": o.name, "field": fd.name, "access": body.get("access")}
    )


@route("DELETE", C + r"/fields/(?P<obj>[A-Za-z][A-Za-z0-9_]*)/(?P<name>[A-Za-z][A-Za-z0-9_]*)")
def field_delete(ctx: Ctx, obj: str, name: str) -> Response:
    o = get_object(ctx, obj)
    fd = o.field(name)
    if fd is None:
        raise bad_request(f"{o.name} has no field {name!r}")
    try:
        ctx.org.store.security.delete_field(o.name, fd.name, custom=fd.custom)
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return json_response({"object": o.name, "field": fd.name, "deleted": True})


@route("GET", C + r"/assignment-rules")
def assignment_rules_list(ctx: Ctx) -> Response:
    return json_response(all_rules(ctx.org.store))


@route("PUT", C + r"/assignment-rules/(?P<name>[^/]+)")
def assignment_rules_put(ctx: Ctx, name: str) -> Response:
    store = ctx.org.store
    try:
        rule = check_assignment_spec({**body_of(ctx), "name": name}, store)
    except (ValueError, TypeError, AttributeError) as exc:
        raise bad_request(str(exc)) from None
    rule_id = put_rule(store, rule, user_id=ctx.org.admin_id)
    return json_response({**rule, "id": rule_id})


@route("DELETE", C + r"/assignment-rules/(?P<name>[^/]+)")
def assignment_rules_delete(ctx: Ctx, name: str) -> Response:
    if not remove_rule(ctx.org.store, name):
        raise SfError(404, "NOT_FOUND", f"no assignment rule named {name}")
    return json_response({"deleted": name})


@route("GET", C + r"/emails")
def emails(ctx: Ctx) -> Response:
    return json_response(recorded_emails(ctx.org.store))


@route("DELETE", C + r"/emails")
def emails_clear(ctx: Ctx) -> Response:
    clear_emails(ctx.org.store)
    return json_response({"cleared": True})
