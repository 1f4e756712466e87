"""The `unseen` console script: Django's management commands plus ours, one entry point."""

import os
import sys

from unseen.private_files import restrict_process


def main(argv: list[str] | None = None) -> None:
    # Before anything creates a file: the database, exports, backups and keys are ours alone.
    restrict_process()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the environment, so a bad value stops here)
    except ImproperlyConfigured as error:
        # One line naming the variable, not a traceback through Django's settings loader.
        sys.exit(f"unseen: configuration: {error}")

    execute_from_command_line(["unseen", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
