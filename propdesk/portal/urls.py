from django.urls import path

from propdesk.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
]
