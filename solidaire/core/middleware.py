"""Requests refused before any view reads them."""

from django.http import HttpResponseBadRequest

API_PREFIX = "/api/"
FORM_TYPE = "application/x-www-form-urlencoded"


class RefuseNullCharacters:
    """A NUL character in a query parameter or a form value is never something a person typed:
    PostgreSQL refuses to store or even compare it (a server error wherever a view passes a
    parameter to a query). Answered 400, whatever the view. JSON bodies are the API's to refuse
    (its Text type); multipart forms' fields go through Django's form fields, which refuse it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):  # the API answers in JSON, naming the field
            return self.get_response(request)
        if request.content_type == FORM_TYPE:
            request.body  # noqa: B018 - read first, so that a view may still read the raw body after
        if _has_nul(request.GET) or (request.content_type == FORM_TYPE and _has_nul(request.POST)):
            return HttpResponseBadRequest("Null characters are not allowed.", content_type="text/plain")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
