"""Settings come from the environment and fail with a sentence, not a traceback, when they cannot work."""

from __future__ import annotations

import json

import pytest

from syncapp.checks import check_salesforce_settings

DUMP = (
    "shell",
    "-c",
    "from django.conf import settings as s; import json; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'q': s.Q_CLUSTER, "
    "'options': s.DATABASES['default'].get('OPTIONS', {}), "
    "'storage': s.STORAGES['staticfiles']['BACKEND']}))",
)
SECRET = "x" * 60


def dump_settings(run_manage, **env: str) -> dict:
    result = run_manage(*DUMP, env={"SECRET_KEY": SECRET, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_missing_secret_key_with_debug_off_fails_with_a_clear_message(run_manage):
    result = run_manage("check", env={"DEBUG": "false"})

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "make run" in result.stderr


def test_debug_mode_runs_without_a_secret_key(run_manage):
    assert run_manage("check", env={"DEBUG": "true"}).returncode == 0


def test_default_database_is_sqlite_in_wal_mode_with_immediate_transactions(run_manage):
    settings = dump_settings(run_manage)

    assert settings["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in settings["options"]["init_command"]
    assert settings["options"]["transaction_mode"] == "IMMEDIATE"
    assert settings["options"]["timeout"] >= 20


def test_database_url_selects_postgresql(run_manage):
    settings = dump_settings(run_manage, DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")

    assert settings["engine"] == "django.db.backends.postgresql"


def test_without_redis_url_django_q_uses_the_orm_broker(run_manage):
    q = dump_settings(run_manage)["q"]

    assert q["orm"] == "default"
    assert "redis" not in q


def test_redis_url_selects_the_redis_broker(run_manage):
    q = dump_settings(run_manage, REDIS_URL="redis://127.0.0.1:6379/0")["q"]

    assert q["redis"] == "redis://127.0.0.1:6379/0"
    assert "orm" not in q


def test_queue_never_reruns_a_task_silently(run_manage):
    q = dump_settings(run_manage, Q_TIMEOUT="120", Q_WORKERS="4")["q"]

    assert q["retry"] > q["timeout"] == 120
    assert q["workers"] == 4
    assert q["max_attempts"] == 1
    assert q["ack_failures"] is True
    assert q["catch_up"] is False


def test_production_serves_static_files_from_the_compressed_manifest(run_manage):
    assert dump_settings(run_manage)["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2,
    "ALLOWED_HOSTS": "sync.example.com",
    "SALESFORCE_CLIENT_ID": "id",
    "SALESFORCE_CLIENT_SECRET": "secret",
}
HTTPS_SETTINGS = (
    "shell",
    "-c",
    "from django.conf import settings as s; import json; "
    "print(json.dumps({name: getattr(s, name) for name in ("
    "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
    "'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE')}))",
)


def https_settings(run_manage, **env: str) -> dict:
    result = run_manage(*HTTPS_SETTINGS, env={**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_deploy_check_passes_with_production_defaults_and_no_https_setting(run_manage):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in result.stdout
    assert not [code for code in ("W004", "W005", "W008", "W021") if f"security.{code}" in output]


def test_production_redirects_to_https_and_asks_browsers_to_stay_there_for_a_year(run_manage):
    https = https_settings(run_manage)

    assert https["SECURE_SSL_REDIRECT"] is True
    assert https["SECURE_HSTS_SECONDS"] == 31536000
    assert https["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert https["SECURE_HSTS_PRELOAD"] is True
    assert https["SESSION_COOKIE_SECURE"] is https["CSRF_COOKIE_SECURE"] is True
    assert https["SECURE_PROXY_SSL_HEADER"] is None


def test_debug_mode_serves_plain_http_for_make_run(run_manage):
    https = https_settings(run_manage, DEBUG="true")

    assert https["SECURE_SSL_REDIRECT"] is False
    assert https["SECURE_HSTS_SECONDS"] == 0
    assert https["SESSION_COOKIE_SECURE"] is False


def test_behind_a_tls_proxy_the_forwarded_protocol_is_trusted_and_each_setting_can_be_switched(run_manage):
    https = https_settings(
        run_manage, BEHIND_HTTPS_PROXY="true", SECURE_SSL_REDIRECT="false", SECURE_HSTS_PRELOAD="false"
    )

    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert https["SECURE_SSL_REDIRECT"] is False
    assert https["SECURE_HSTS_PRELOAD"] is False
    assert https["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_the_test_client_speaks_plain_http(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200


def test_misconfigured_settings_are_reported_by_system_checks(run_manage):
    result = run_manage(
        "check",
        env={"SECRET_KEY": SECRET, "SALESFORCE_AUTH_FLOW": "magic", "Q_TIMEOUT": "600", "Q_RETRY": "300"},
    )

    assert result.returncode != 0
    assert "syncapp.E001" in result.stderr
    assert "client_credentials, password, jwt" in result.stderr
    assert "syncapp.E010" in result.stderr
    assert "Traceback" not in result.stderr


def test_unconfigured_salesforce_is_a_warning_that_names_the_missing_settings(run_manage):
    result = run_manage("check", env={"SECRET_KEY": SECRET})

    assert result.returncode == 0
    assert "syncapp.W001" in result.stderr
    assert "SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET" in result.stderr


def test_a_plain_http_login_url_to_another_host_is_a_system_check_error(run_manage):
    result = run_manage(
        "check",
        env={
            "SECRET_KEY": SECRET,
            "SALESFORCE_LOGIN_URL": "http://login.salesforce.com",
            "SALESFORCE_CLIENT_ID": "id",
            "SALESFORCE_CLIENT_SECRET": "secret",
        },
    )

    assert result.returncode != 0
    assert "syncapp.E005" in result.stderr
    assert "client secret would be sent in clear text" in result.stderr
    assert "Use its https:// address" in result.stderr


@pytest.mark.parametrize(
    ("login_url", "refused"),
    [
        ("http://login.salesforce.com", True),
        ("http://10.0.0.5:8443", True),
        ("http://localhost.example.com", True),
        ("http://[fe80::1]:8443", True),
        ("https://login.salesforce.com", False),
        ("https://mycompany.my.salesforce.com:8443", False),
        ("http://127.0.0.1:8443", False),
        ("http://127.8.9.10", False),
        ("http://localhost:8443", False),
        ("http://LOCALHOST", False),
        ("http://[::1]:8443", False),
    ],
)
def test_plain_http_is_allowed_to_loopback_only(settings, login_url, refused):
    settings.SALESFORCE_LOGIN_URL = login_url

    ids = [error.id for error in check_salesforce_settings()]

    assert ("syncapp.E005" in ids) is refused
