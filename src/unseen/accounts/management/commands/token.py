"""`unseen token create USERNAME` prints a new API token alone on stdout (docs/design.md §5).

Anything else it says goes to stderr, so `TOKEN=$(unseen token create mona)` captures the token
and nothing more. Revoking and listing name tokens by their prefix, never by the token.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from unseen.accounts import tokens
from unseen.accounts.models import ApiToken
from unseen.accounts.roles import Scope

ACTOR = "cli"


class Command(BaseCommand):
    help = (
        "API tokens: `create USERNAME` prints a new token (shown once, stored only as a keyed "
        "hash), `revoke PREFIX` or `revoke --user USERNAME` ends tokens, `list` shows them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create", help="make a token for a user with a role")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for (shown by `list`)")
        create.add_argument(
            "--days",
            type=int,
            default=tokens.DEFAULT_DAYS,
            help=f"days until it expires (default {tokens.DEFAULT_DAYS}; 0: never)",
        )
        create.add_argument(
            "--scope",
            action="append",
            choices=[scope.value for scope in Scope],
            help="what the token may do (repeat for several); default: all its user's role allows",
        )
        revoke = sub.add_parser("revoke", help="end a token (by prefix) or all of a user's")
        revoke.add_argument("prefix", nargs="?", help="the 12 hex digits after `unseen_`")
        revoke.add_argument("--user", help="revoke every token of this user")
        listing = sub.add_parser("list", help="tokens with their user, dates and state")
        listing.add_argument("--user", help="only this user's tokens")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, options["operation"])(**options)
        except tokens.TokenRefused as refused:
            raise CommandError(str(refused)) from refused

    def create(self, **options: Any) -> None:
        made = tokens.create(
            options["username"],
            by=ACTOR,
            name=options["name"],
            days=options["days"] or None,
            scopes=options["scope"],
        )
        self.stdout.write(made.token)
        expires = made.record.expires_at
        self.stderr.write(
            f"token {made.record.prefix} for {options['username']}, "
            + (f"expires {expires:%Y-%m-%d}" if expires else "never expires")
            + f", scopes {', '.join(made.record.scopes)}"
            + ". It is shown only now: store it as a secret."
        )

    def revoke(self, **options: Any) -> None:
        if bool(options["prefix"]) == bool(options["user"]):
            raise CommandError("give a token prefix or --user USERNAME (one of them)")
        if options["user"]:
            count = tokens.revoke_all(options["user"], by=ACTOR)
            self.stdout.write(f"revoked {count} token(s) of {options['user']}")
            return
        record = tokens.revoke(options["prefix"], by=ACTOR)
        self.stdout.write(f"revoked token {record.prefix} of {record.user.get_username()}")

    def list(self, **options: Any) -> None:
        records = ApiToken.objects.select_related("user").order_by("created_at", "id")
        if options["user"]:
            records = records.filter(user__username=options["user"])
        now = timezone.now()
        for record in records:
            state = "active"
            if record.revoked_at:
                state = "revoked"
            elif record.expires_at and record.expires_at <= now:
                state = "expired"
            self.stdout.write(
                "\t".join(
                    [
                        record.prefix,
                        record.user.get_username(),
                        state,
                        f"made {record.created_at:%Y-%m-%d}",
                        f"expires {record.expires_at:%Y-%m-%d}" if record.expires_at else "never",
                        f"last used {record.last_used_on or '-'}",
                        "scopes " + (",".join(record.scopes) or "-"),
                        record.name,
                    ]
                )
            )
