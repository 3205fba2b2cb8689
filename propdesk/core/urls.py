from django.urls import path

from propdesk.core import views

urlpatterns = [path("", views.health, name="health")]
