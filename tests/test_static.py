"""The admin renders with its static files, served by WhiteNoise from the hashed, compressed manifest."""

from __future__ import annotations

import re

from django.core.management import call_command
from django.test import Client


def test_admin_login_page_renders(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b"syncapp" in response.content


def test_collectstatic_builds_the_manifest_and_whitenoise_serves_hashed_files(settings, tmp_path, db):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "static" / "staticfiles.json").exists()

    page = Client().get("/admin/login/")  # a new client: WhiteNoise scans STATIC_ROOT when it starts
    css = re.search(rb'href="(/static/syncapp/admin\.[0-9a-f]{12}\.css)"', page.content)
    assert css, "the admin page links the hashed syncapp stylesheet"
    asset = Client().get(css.group(1).decode(), headers={"accept-encoding": "gzip"})

    assert asset.status_code == 200
    assert "immutable" in asset.headers["Cache-Control"]
    assert asset.headers.get("Content-Encoding") == "gzip"


def test_pages_name_their_icon_and_favicon_ico_redirects_to_it_instead_of_a_404(client, db):
    page = client.get("/admin/login/").content.decode()
    icon = client.get("/favicon.ico")

    assert '<link rel="icon" href="/static/syncapp/favicon.svg" type="image/svg+xml">' in page
    assert icon.status_code == 301
    assert icon["Location"] == "/static/syncapp/favicon.svg"
