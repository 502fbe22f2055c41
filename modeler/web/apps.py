import gc

from django.apps import AppConfig
from django.conf import settings

PYTHON_GC_THRESHOLDS = (700, 10, 10)


class WebConfig(AppConfig):
    name = "modeler.web"
    label = "web"
    verbose_name = "ER modeler"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # see settings.GC_THRESHOLDS (empty: Python's own, also after manage.py's)
        gc.set_threshold(*(getattr(settings, "GC_THRESHOLDS", ()) or PYTHON_GC_THRESHOLDS))
