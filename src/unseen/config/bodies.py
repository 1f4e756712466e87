"""What a request body may be, decided before anything reads it.

A 40 MB multipart body used to be parsed (by the CSRF check, then the form) before the rate limit
could answer. `RequestBodyMiddleware` sits before sessions, CSRF, rate limits and views, and
refuses from the headers alone:

- a body longer than `UNSEEN_MAX_REQUEST_MB` (413), under /api/ one longer than
  `UNSEEN_API_MAX_BODY_MB` (a JSON body is read into memory whole), or for an upload of evidence files longer
  than `UNSEEN_FILES_PER_UPLOAD` files of `UNSEEN_FILES_MAX_MB` (they stream to disk, sealed);
- a body sent in chunks without a length (411): under WSGI Django would read it as empty, so
  nothing else could count it either;
- under /api/, a POST, PUT or PATCH whose body is not `application/json` (415): the API reads JSON
  only, and a text/plain or form body is what a foreign page can send without a CORS preflight.

Under /api/ the refusal is `{"error": code, "detail": reason}`, elsewhere a short page.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from unseen.accounts.access import is_api
from unseen.files import uploading

BODY_METHODS = {"POST", "PUT", "PATCH"}


def max_request_bytes() -> int:
    return int(settings.UNSEEN_MAX_REQUEST_MB * 1024 * 1024)


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


class RequestBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.refusal(request)
        if refusal is not None:
            status, code, detail = refusal
            if is_api(request):
                return JsonResponse({"error": code, "detail": detail}, status=status)
            return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def refusal(request: HttpRequest) -> tuple[int, str, str] | None:
        length = _declared_length(request)
        if length is None or length < 0:
            return 400, "bad_request", _("The Content-Length header is not a number.")
        limit = max_request_bytes()
        if request.path_info.startswith(uploading.UPLOAD_PATH_PREFIX):
            # Evidence files: as large as the files one upload may carry (each is checked too).
            limit = uploading.max_request_bytes()
        if length > limit:
            return (
                413,
                "too_large",
                _("The request is larger than the %(limit)s MB this server takes.")
                % {"limit": f"{limit / (1024 * 1024):g}"},
            )
        if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return (
                411,
                "length_required",
                _("Send the body with a Content-Length header, not in chunks."),
            )
        if is_api(request) and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            # A JSON body is read into memory whole; past this Django would refuse it with no
            # reason given.
            return (
                413,
                "too_large",
                _(
                    "A JSON body may be at most %(limit)s MB (UNSEEN_API_MAX_BODY_MB): send "
                    "bulk items in smaller batches."
                )
                % {"limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024):g}"},
            )
        if (
            is_api(request)
            and request.method in BODY_METHODS
            and length
            and not _is_json(request.META.get("CONTENT_TYPE", ""))
        ):
            return (
                415,
                "unsupported_media_type",
                _("The API takes JSON only: send the body as Content-Type: application/json."),
            )
        return None
