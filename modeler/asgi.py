"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from modeler.runtime import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
application = get_asgi_application()
settle()
