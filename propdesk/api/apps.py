from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "propdesk.api"
    label = "api"
