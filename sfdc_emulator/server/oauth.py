"""OAuth 2.0 token endpoint (client credentials, password, JWT bearer), userinfo, identity URL and revoke."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, unquote_plus

from sfdc_emulator.org import ids
from sfdc_emulator.org.auth import OAuthError
from sfdc_emulator.org.errors import SfError
from sfdc_emulator.server.http import Ctx, Response, json_response, route

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _oauth_error(error: OAuthError) -> Response:
    return Response(error.status, {"error": error.error, "error_description": error.description})


@route("POST", r"/services/oauth2/token", auth="none", counts=False)
def token(ctx: Ctx) -> Response:
    req = ctx.request
    form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    form.update({k: v[0] for k, v in req.query.items() if k not in form})
    grant = form.get("grant_type", "")
    try:
        if grant == "client_credentials":
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
            basic = req.header("authorization") or ""
            if basic[:6].lower() == "basic ":
                try:
                    decoded = base64.b64decode(basic[6:].strip()).decode()
                except (ValueError, UnicodeDecodeError):
                    raise OAuthError("invalid_client", "invalid client credentials") from None
                client_id, _, secret = decoded.partition(":")
                client_id, secret = unquote_plus(client_id), unquote_plus(secret)
            user_id = ctx.org.auth.client_credentials(client_id, secret)
        elif grant == "password":
            user_id = ctx.org.auth.password_grant(
                form.get("client_id", ""),
                form.get("client_secret", ""),
                form.get("username", ""),
                form.get("password", ""),
            )
        elif grant == JWT_GRANT:
            user_id = ctx.org.auth.jwt_bearer(form.get("assertion", ""))
        elif not grant:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        else:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
    except OAuthError as error:
        return _oauth_error(error)
    session = ctx.org.auth.issue(user_id)
    issued = str(int(session.issued_at * 1000))
    identity = f"{ctx.base_url}/id/{ids.ORG_ID}/{user_id}"
    signature = base64.b64encode(
        hmac.new(b"emulator", (identity + issued).encode(), hashlib.sha256).digest()
    ).decode()
    return json_response(
        {
            "access_token": session.token,
            "instance_url": ctx.base_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued,
            "signature": signature,
            "scope": "api",
        }
    )


@route("POST", r"/services/oauth2/revoke", auth="none", counts=False)
def revoke(ctx: Ctx) -> Response:
    form = parse_qs(ctx.request.body.decode("utf-8", "replace"))
    token_value = ctx.request.param("token") or (form.get("token") or [""])[0]
    if token_value:
        ctx.org.auth.revoke(token_value)
    return Response(200, body=b"", content_type="text/plain")


def _user(ctx: Ctx, user_id: str) -> dict:
    row = ctx.org.store.get_row("User", user_id)
    if row is None:
        raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
    return row


def _urls(ctx: Ctx, user_id: str) -> dict[str, str]:
    base = ctx.base_url
    return {
        "enterprise": f"{base}/services/Soap/c/{{version}}/{ids.ORG_ID}",
        "metadata": f"{base}/services/Soap/m/{{version}}/{ids.ORG_ID}",
        "partner": f"{base}/services/Soap/u/{{version}}/{ids.ORG_ID}",
        "rest": f"{base}/services/data/v{{version}}/",
        "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
        "search": f"{base}/services/data/v{{version}}/search/",
        "query": f"{base}/services/data/v{{version}}/query/",
        "recent": f"{base}/services/data/v{{version}}/recent/",
        "profile": f"{base}/{user_id}",
        "feeds": f"{base}/services/data/v{{version}}/chatter/feeds",
        "users": f"{base}/services/data/v{{version}}/chatter/users",
        "custom_domain": base,
    }


@route("GET", r"/services/oauth2/userinfo", counts=False)
def userinfo(ctx: Ctx) -> Response:
    user_id = str(ctx.user_id)
    u = _user(ctx, user_id)
    return json_response(
        {
            "sub": f"{ctx.base_url}/id/{ids.ORG_ID}/{user_id}",
            "user_id": user_id,
            "organization_id": ids.ORG_ID,
            "preferred_username": u["Username"],
            "nickname": u["Alias"],
            "name": u["Name"],
            "email": u["Email"],
            "email_verified": True,
            "given_name": u["FirstName"],
            "family_name": u["LastName"],
            "zoneinfo": u["TimeZoneSidKey"],
            "photos": {"picture": "", "thumbnail": ""},
            "profile": f"{ctx.base_url}/{user_id}",
            "picture": "",
            "address": {},
            "is_salesforce_integration_user": False,
            "urls": _urls(ctx, user_id),
            "active": bool(u["IsActive"]),
            "user_type": "STANDARD",
            "language": u["LanguageLocaleKey"],
            "locale": u["LocaleSidKey"],
            "utcOffset": 0,
            "updated_at": u["LastModifiedDate"],
            "is_app_installed": True,
        }
    )


@route("GET", r"/id/(?P<org_id>[0-9A-Za-z]{15,18})/(?P<user_id>[0-9A-Za-z]{15,18})", counts=False)
def identity(ctx: Ctx, org_id: str, user_id: str) -> Response:
    norm = ids.normalize(user_id)
    if norm is None or ids.to15(org_id) != ids.ORG_ID_15 or norm != ctx.user_id:
        raise SfError(403, "Bad_Id", "Bad_Id")
    u = _user(ctx, norm)
    version = ctx.request.param("version")
    urls = _urls(ctx, norm)
    if version:
        urls = {k: v.replace("{version}", version) for k, v in urls.items()}
    return json_response(
        {
            "id": f"{ctx.base_url}/id/{ids.ORG_ID}/{norm}",
            "asserted_user": True,
            "user_id": norm,
            "organization_id": ids.ORG_ID,
            "username": u["Username"],
            "nick_name": u["Alias"],
            "display_name": u["Name"],
            "email": u["Email"],
            "email_verified": True,
            "first_name": u["FirstName"],
            "last_name": u["LastName"],
            "timezone": u["TimeZoneSidKey"],
            "photos": {"picture": "", "thumbnail": ""},
            "addr_street": None,
            "addr_city": None,
            "addr_state": None,
            "addr_country": None,
            "addr_zip": None,
            "mobile_phone": u["MobilePhone"],
            "mobile_phone_verified": False,
            "status": {"created_date": None, "body": None},
            "urls": urls,
            "active": bool(u["IsActive"]),
            "user_type": "STANDARD",
            "language": u["LanguageLocaleKey"],
            "locale": u["LocaleSidKey"],
            "utcOffset": 0,
            "last_modified_date": u["LastModifiedDate"],
            "is_app_installed": True,
        }
    )
