from django.urls import include, path
from rest_framework.routers import DefaultRouter

from propdesk.api import (
    auth_views,
    call_views,
    file_views,
    followup_views,
    incident_views,
    notify_views,
    report_views,
    views,
)

router = DefaultRouter()
# The routes most called first: a request is matched against the patterns in order.
router.register("work-orders", views.WorkOrderViewSet, basename="work-order")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("residents", views.ResidentViewSet, basename="resident")
router.register("teams", views.TeamViewSet, basename="team")
router.register("service-items", views.ServiceItemViewSet, basename="service-item")
router.register("notifications", notify_views.NotificationViewSet, basename="notification")
router.register("emergencies", incident_views.EmergencyViewSet, basename="emergency")
router.register("return-visits", followup_views.ReturnVisitViewSet, basename="return-visit")
router.register("suggestions", followup_views.SuggestionViewSet, basename="suggestion")
router.register("common-issues", followup_views.CommonIssueViewSet, basename="common-issue")
router.register("notices", followup_views.NoticeViewSet, basename="notice")
router.register("home-visits", followup_views.HomeVisitViewSet, basename="home-visit")
router.register("recoveries", followup_views.RecoveryViewSet, basename="recovery")

urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", auth_views.TokenLoginView.as_view(), name="api-token"),
    path(
        "staff/<int:pk>/revoke-tokens/",
        auth_views.StaffRevokeTokensView.as_view(),
        name="staff-revoke-tokens",
    ),
    path("calls/events/", call_views.CallEventView.as_view(), name="call-events"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path(
        "notifications/failed/<int:pk>/retry/",
        notify_views.FailedDeliveryRetryView.as_view(),
        name="notification-retry",
    ),
    path("satisfaction/", followup_views.SatisfactionView.as_view(), name="satisfaction"),
    path("reports/monthly/", report_views.MonthlyReportView.as_view(), name="report-monthly"),
    path("reports/monthly/pdf/", report_views.MonthlyReportPdfView.as_view(), name="report-pdf"),
    path("reports/monthly/xlsx/", report_views.MonthlyReportXlsxView.as_view(), name="report-xlsx"),
    path("reports/compare/", report_views.ComparisonView.as_view(), name="report-compare"),
    path("emergency-kinds/", incident_views.EmergencyKindsView.as_view(), name="emergency-kinds"),
    path(
        "files/attachments/<int:pk>/",
        file_views.AttachmentFileView.as_view(),
        name="file-attachment",
    ),
    path(
        "files/incident-photos/<int:pk>/",
        file_views.IncidentPhotoFileView.as_view(),
        name="file-incident-photo",
    ),
    path(
        "files/notice-photos/<int:pk>/",
        file_views.NoticePhotoFileView.as_view(),
        name="file-notice-photo",
    ),
]
