"""WSGI entry point (gunicorn modeler.wsgi; ``runserver`` uses it too)."""

import os

from django.core.wsgi import get_wsgi_application

from modeler.runtime import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
application = get_wsgi_application()
settle()
