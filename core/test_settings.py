"""Settings for the test suite: the real settings, plus inline django-q2, plain static storage, plain http."""

from __future__ import annotations

import os

# Tests never read the developer's .env secrets: give them a key of their own before settings load.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")

from core.settings import *  # noqa: F403
from core.settings import Q_CLUSTER, STORAGES

# django-q2 freezes Q_CLUSTER at import: sync mode must be set here, not with override_settings.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}

# The manifest storage 500s on every page until collectstatic ran; one test builds the real manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The test client and the browser tests' live server speak plain http (production redirects it to https).
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
