from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import current_actor


class AuditActorMiddleware:
    """Names the signed-in user (or 'anonymous') as the actor of whatever this request writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        token = current_actor.set(actor)
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(token)
