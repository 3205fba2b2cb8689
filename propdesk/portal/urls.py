from django.urls import path

from propdesk.portal import views, views_orders

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    # Issue 13: report and follow (views_orders.py).
    path("report/", views_orders.report, name="report"),
    path("orders/", views_orders.orders, name="orders"),
    path("orders/<int:order_id>/", views_orders.order, name="order"),
    path("orders/<int:order_id>/urge/", views_orders.urge, name="order-urge"),
]
