"""`unseen invite USERNAME` prints a one-time link that lets that account enrol a second factor.

The link alone goes to stdout (`LINK=$(unseen invite rita --site https://unseen.example)`);
anything else to stderr. Only a keyed hash of its code is stored; the issue is audited.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.accounts import invitations

ACTOR = "cli"


class Command(BaseCommand):
    help = (
        "Print a single-use, expiring link with which USERNAME sets up a second factor "
        "(needed by every account without one: a password alone cannot enrol)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--hours",
            type=int,
            default=invitations.DEFAULT_HOURS,
            help=f"hours until it expires (default {invitations.DEFAULT_HOURS}, at most 336)",
        )
        parser.add_argument(
            "--site",
            default="",
            help="the address people open Unseen at, e.g. https://unseen.example (else a path)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            made = invitations.issue(options["username"], by=ACTOR, hours=options["hours"])
        except invitations.InvitationRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(made.link(options["site"]))
        self.stderr.write(
            f"invitation for {options['username']}, expires {made.record.expires_at:%Y-%m-%d %H:%M} "
            "UTC. It works once; it is shown only now: hand it over in person or over a channel "
            "you trust, apart from the password."
        )
