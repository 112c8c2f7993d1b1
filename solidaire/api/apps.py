from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "solidaire.api"
    verbose_name = "API"
