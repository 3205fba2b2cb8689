from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "propdesk.demo"
    label = "demo"
