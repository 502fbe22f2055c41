import gc

from django.apps import AppConfig
from django.conf import settings


class WebConfig(AppConfig):
    name = "modeler.web"
    label = "web"
    verbose_name = "ER modeler"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        thresholds = getattr(settings, "GC_THRESHOLDS", ())
        if thresholds:  # see settings.GC_THRESHOLDS
            gc.set_threshold(*thresholds)
