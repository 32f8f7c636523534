"""Django system checks (syncapp.E001…): misconfiguration is reported in words, never as a traceback."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from syncapp.salesforce.auth import cleartext_login_error

AUTH_FLOWS = ("client_credentials", "password", "jwt")

# What each OAuth flow needs, by setting name.
REQUIRED_BY_FLOW = {
    "client_credentials": ("SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"),
    "password": (
        "SALESFORCE_CLIENT_ID",
        "SALESFORCE_CLIENT_SECRET",
        "SALESFORCE_USERNAME",
        "SALESFORCE_PASSWORD",
    ),
    "jwt": ("SALESFORCE_CLIENT_ID", "SALESFORCE_USERNAME", "SALESFORCE_PRIVATE_KEY_FILE"),
}


@register(Tags.compatibility)
def check_salesforce_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    flow = settings.SALESFORCE_AUTH_FLOW
    if flow not in AUTH_FLOWS:
        errors.append(
            Error(
                f"SALESFORCE_AUTH_FLOW is {flow!r}.",
                hint=f"Set SALESFORCE_AUTH_FLOW to one of: {', '.join(AUTH_FLOWS)}.",
                id="syncapp.E001",
            )
        )
        return errors
    if not settings.SALESFORCE_LOGIN_URL.startswith(("https://", "http://")):
        errors.append(
            Error(
                f"SALESFORCE_LOGIN_URL {settings.SALESFORCE_LOGIN_URL!r} is not a URL.",
                hint="Use https://login.salesforce.com, https://test.salesforce.com or your My Domain URL.",
                id="syncapp.E002",
            )
        )
    elif cleartext := cleartext_login_error(settings.SALESFORCE_LOGIN_URL):
        errors.append(Error(cleartext, id="syncapp.E005"))
    missing = [name for name in REQUIRED_BY_FLOW[flow] if not getattr(settings, name)]
    if missing:
        # A warning, not an error: the admin is usable (and the mirror browsable) before Salesforce is set up.
        errors.append(
            Warning(
                f"Salesforce is not configured for the {flow} flow: {', '.join(missing)} not set.",
                hint="Set them in .env (see .env.example); the sync stays idle until then.",
                id="syncapp.W001",
            )
        )
    for name in ("SALESFORCE_CA_BUNDLE", "SALESFORCE_PRIVATE_KEY_FILE"):
        value = getattr(settings, name)
        if value and not Path(value).is_file():
            errors.append(
                Error(f"{name} points to {value!r}, which is not a readable file.", id="syncapp.E003")
            )
    try:
        major, minor = settings.SALESFORCE_API_VERSION.split(".")
        int(major), int(minor)
    except ValueError:
        errors.append(
            Error(
                f"SALESFORCE_API_VERSION {settings.SALESFORCE_API_VERSION!r} is not a version.",
                hint="Use a number such as 62.0.",
                id="syncapp.E004",
            )
        )
    return errors


@register(Tags.compatibility)
def check_task_queue_settings(app_configs=None, **kwargs) -> list:
    conf = settings.Q_CLUSTER
    errors: list = []
    timeout, retry = conf.get("timeout"), conf.get("retry")
    if not timeout or not retry or retry <= timeout:
        errors.append(
            Error(
                f"Q_CLUSTER retry ({retry}) must be greater than timeout ({timeout}).",
                hint="Otherwise django-q2 silently runs a long cycle twice. Raise Q_RETRY above Q_TIMEOUT.",
                id="syncapp.E010",
            )
        )
    if not conf.get("max_attempts"):
        errors.append(
            Error(
                "Q_CLUSTER max_attempts is 0, which retries a failing task forever.",
                hint="Set max_attempts to 1; the sync retries transient Salesforce errors itself.",
                id="syncapp.E011",
            )
        )
    if conf.get("catch_up", True):
        errors.append(
            Error(
                "Q_CLUSTER catch_up is on: after downtime every missed 5-minute slot would run.",
                hint="Set catch_up to False.",
                id="syncapp.E012",
            )
        )
    return errors
