from django.urls import path

from propdesk.portal import (
    views,
    views_activities,
    views_notices,
    views_orders,
    views_rate,
    views_services,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/wechat/", views.wechat_return, name="wechat"),
    path("logout/", views.logout, name="logout"),
    # Rating and reopening a finished order (issue 13, item 5).
    path("orders/<int:order_id>/rate/", views_rate.order_rate, name="order-rate"),
    path("orders/<int:order_id>/reopen/", views_rate.order_reopen, name="order-reopen"),
    # The service cart (CS-1) and concierge help (CS-2).
    path("services/", views_services.services, name="services"),
    # Community activities (CS-3): the announced ones, and sign-up.
    path("activities/", views_activities.activities, name="activities"),
    path(
        "activities/<int:activity_id>/signup/",
        views_activities.activity_signup,
        name="activity-signup",
    ),
    # Notices (issue 13, item 6).
    path("notices/", views_notices.notices, name="notices"),
    path("notices/<int:notice_id>/", views_notices.notice_detail, name="notice"),
    path(
        "notices/<int:notice_id>/photos/<int:photo_id>/",
        views_notices.notice_photo,
        name="notice-photo",
    ),
    # Issue 13: report and follow (views_orders.py).
    path("report/", views_orders.report, name="report"),
    path("orders/", views_orders.orders, name="orders"),
    path("orders/<int:order_id>/", views_orders.order, name="order"),
    path("orders/<int:order_id>/urge/", views_orders.urge, name="order-urge"),
    path("me/", views.me, name="me"),
    path("me/family/<int:resident_id>/remove/", views.family_remove, name="family-remove"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
]
