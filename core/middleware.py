"""Project-wide request hygiene that no view should have to repeat."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class RejectNulCharacters:
    """A NUL character in the querystring is a 400, before any view sees it.

    No field we filter or search on can hold one (PostgreSQL refuses them in text), and a view that echoes
    its querystring (every admin list keeps its filters in links and hidden inputs) would put a raw NUL
    into the page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            raise BadRequest("The address holds a NUL character.")
        return self.get_response(request)
