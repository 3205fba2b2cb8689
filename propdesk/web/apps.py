from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "propdesk.web"
    label = "web"
