from django.contrib.auth import views as auth_views
from django.urls import path

from propdesk.web.views import (
    board,
    emergency,
    followup,
    home,
    incidents,
    intake,
    jobs,
    notifications,
    orders,
    queues,
    reports,
)

urlpatterns = [
    path("", home.home, name="desk-home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("emergency/", emergency.emergency_new, name="emergency-new"),
    path("emergencies/<int:emergency_id>/", emergency.emergency_page, name="desk-emergency"),
    path(
        "emergencies/<int:emergency_id>/responders/",
        emergency.emergency_responders,
        name="desk-emergency-responders",
    ),
    path("notifications/", notifications.notifications, name="desk-notifications"),
    path("incidents/", incidents.incident_reports, name="desk-incident-list"),
    path("incidents/<int:emergency_id>/", incidents.incident_report, name="desk-incident"),
    path("<int:community_id>/intake/", intake.intake, name="desk-intake"),
    path("<int:community_id>/intake/lookup/", intake.intake_lookup, name="desk-intake-lookup"),
    path("<int:community_id>/board/", board.board_view, name="desk-board"),
    path("<int:community_id>/queue/", queues.queue, name="desk-queue"),
    path("<int:community_id>/queue/assign/<int:order_id>/", queues.assign, name="desk-assign"),
    path("<int:community_id>/jobs/", jobs.jobs, name="desk-jobs"),
    path("<int:community_id>/report/", reports.report_view, name="desk-report"),
    path("<int:community_id>/report.pdf", reports.report_pdf_view, name="desk-report-pdf"),
    path("<int:community_id>/report.xlsx", reports.report_xlsx_view, name="desk-report-xlsx"),
    path("report/compare/", reports.compare_view, name="desk-report-compare"),
    path(
        "<int:community_id>/staff/<int:staff_id>/",
        orders.staff_record_view,
        name="desk-staff-record",
    ),
    path("<int:community_id>/visits/", followup.visits, name="desk-visits"),
    path("<int:community_id>/visits/new/", followup.visit_new, name="desk-visit-new"),
    path("<int:community_id>/suggestions/", followup.suggestions, name="desk-suggestions"),
    path("<int:community_id>/issues/", followup.issues, name="desk-issues"),
    path("orders/<int:order_id>/", orders.order_detail, name="desk-order"),
    path("orders/<int:order_id>/print/", orders.order_print, name="desk-order-print"),
    path("jobs/<int:order_id>/", jobs.job, name="desk-job"),
]
