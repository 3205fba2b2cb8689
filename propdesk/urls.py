from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from propdesk.portal import scan
from propdesk.web.views.policy_preview import policy_preview

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER

urlpatterns = [
    path("", RedirectView.as_view(url="/desk/", permanent=False)),
    # The back office's preview of a community's rule changes (issue 16), before admin's own.
    path(
        "admin/community/community/<int:community_id>/preview/",
        policy_preview,
        name="policy-preview",
    ),
    path("admin/", admin.site.urls),
    path("api/", include("propdesk.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("health/", include("propdesk.core.urls")),
    path("desk/", include("propdesk.web.urls")),
    path("portal/", include("propdesk.portal.urls")),
    path("q/<str:code>/", scan.scan, name="place-scan"),
]

handler400 = "propdesk.api.limits.bad_request_page"
handler404 = "propdesk.api.errors.not_found_page"
