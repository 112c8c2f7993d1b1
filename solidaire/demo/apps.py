from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "solidaire.demo"
    verbose_name = "Demo data"
