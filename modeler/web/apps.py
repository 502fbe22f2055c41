from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "modeler.web"
    label = "web"
    verbose_name = "ER modeler"
    default_auto_field = "django.db.models.BigAutoField"
