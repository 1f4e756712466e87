"""ASGI entry point for production servers."""

import os

from django.core.asgi import get_asgi_application

from unseen.private_files import restrict_process

# Before anything creates a file: the database, uploads and keys are the service account's alone.
restrict_process()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
application = get_asgi_application()
