"""Who is acting right now: set per request by the middleware, per command by the CLI."""

from contextvars import ContextVar

current_actor: ContextVar[str] = ContextVar("current_actor", default="system")
