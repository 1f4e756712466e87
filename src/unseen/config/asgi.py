"""ASGI entry point for production servers."""

import os

from django.core.asgi import get_asgi_application

from unseen.private_files import restrict_process

# Before anything creates a file: the database, uploads and keys are the service account's alone.
restrict_process()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
application = get_asgi_application()

# As in wsgi.py: a missing or exposed key stops start-up; none is ever created here.
from unseen.registry.keys import require_keys  # noqa: E402 (needs the apps loaded above)

require_keys()
