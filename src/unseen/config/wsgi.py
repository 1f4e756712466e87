"""WSGI entry point for production servers."""

import os

from django.core.wsgi import get_wsgi_application

from unseen.private_files import restrict_process

# Before anything creates a file: the database, uploads and keys are the service account's alone.
restrict_process()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
application = get_wsgi_application()

# No key is ever created on start-up: a missing or exposed key stops the server here, with a
# message naming the variable, the file and `unseen keys init` (an unmounted volume or a mistyped
# path would otherwise start a vault that nobody has backed up).
from unseen.registry.keys import require_keys  # noqa: E402 (needs the apps loaded above)

require_keys()
