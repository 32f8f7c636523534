"""URL configuration: the admin is the product."""

from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """A client asking for /favicon.ico (without reading the icon link) gets the icon, not a logged 404."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("syncapp/favicon.svg")  # resolved per request: the manifest may not exist at import


handler500 = "core.errors.server_error"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
]
