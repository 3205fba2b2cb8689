from django.urls import path

from propdesk.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/wechat/", views.wechat_return, name="wechat"),
    path("logout/", views.logout, name="logout"),
    path("me/", views.me, name="me"),
    path("me/family/<int:resident_id>/remove/", views.family_remove, name="family-remove"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
]
