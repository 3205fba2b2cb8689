"""The declared answer of every route to every principal, about their own community's object
and another community's (tests/access/test_matrix.py asks them all).

Columns (PRINCIPALS): an = anonymous, rc = receptionist, ad = administrator, oh = office head,
tl = team leader (repair), tm = team member (repair), co = concierge, all of 锦绣花园;
ld = company leadership (sees both communities of its company), su = superuser.
Each row: "METHOD route": (answers about 锦绣花园's object, answers about 滨江苑's), the second
None when the route names no community. "log" is a redirect to the login page. API writes are
sent with an empty body (so 400 = allowed through the door, refused for the missing fields).
"""

PRINCIPALS = ("an", "rc", "ad", "oh", "tl", "tm", "co", "ld", "su")

ROUTES: dict[str, tuple[str, str | None]] = {
    # "METHOD route": (
    #     "an  rc  ad  oh  tl  tm  co  ld  su"  about 锦绣花园's object (own),
    #     "an  rc  ad  oh  tl  tm  co  ld  su"  about 滨江苑's object (another community),
    # ),
    "DELETE /api/auth/token/": (
        "401 204 204 204 204 204 204 204 204",
        "401 204 204 204 204 204 204 204 204",
    ),
    "GET /": ("302 302 302 302 302 302 302 302 302", None),
    "GET /api/common-issues/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/common-issues/proposals/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/common-issues/{id}/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/communities/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/communities/{id}/": (
        "401 200 200 200 200 200 200 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/compliance/": (
        "401 403 200 200 403 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/contacts/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/contacts/{id}/": (
        "401 200 200 200 404 404 404 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/docs/": ("200 200 200 200 200 200 200 200 200", None),
    "GET /api/emergencies/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/emergencies/{id}/": (
        "401 200 200 200 200 200 200 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/emergencies/{id}/report/": (
        "401 200 200 200 403 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/emergencies/{id}/report/pdf/": (
        "401 200 200 200 403 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/emergency-kinds/": (
        "401 200 200 200 200 200 200 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/files/attachments/{id}/": (
        "401 404 404 404 404 404 404 404 404",
        "401 404 404 404 404 404 404 404 404",
    ),
    "GET /api/files/incident-photos/{id}/": (
        "401 404 404 404 404 404 404 404 404",
        "401 404 404 404 404 404 404 404 404",
    ),
    "GET /api/files/notice-photos/{id}/": (
        "401 404 404 404 404 404 404 404 404",
        "401 404 404 404 404 404 404 404 404",
    ),
    "GET /api/home-visits/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/home-visits/{id}/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/households/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/households/{id}/": (
        "401 200 200 200 200 200 200 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/notices/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/notices/board/": (
        "401 200 200 200 200 200 200 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/notices/{id}/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/notices/{id}/pdf/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/notifications/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/notifications/channels/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/notifications/failed/": (
        "401 403 403 200 403 403 403 403 200",
        "401 404 404 404 404 404 404 403 200",
    ),
    "GET /api/notifications/{id}/": (
        "401 404 404 200 404 404 404 404 404",
        "401 404 404 404 404 404 404 404 404",
    ),
    "GET /api/notifications/{id}/items/": (
        "401 404 404 200 404 404 404 404 404",
        "401 404 404 404 404 404 404 404 404",
    ),
    "GET /api/recoveries/": (
        "401 200 200 200 403 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/reports/compare/": (
        "401 403 403 403 403 403 403 200 200",
        "401 403 403 403 403 403 403 200 200",
    ),
    "GET /api/reports/monthly/": (
        "401 403 200 200 403 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/reports/monthly/pdf/": (
        "401 403 200 200 403 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/reports/monthly/xlsx/": (
        "401 403 200 200 403 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/residents/": (
        "401 200 200 200 403 403 403 200 200",
        "401 200 200 200 403 403 403 200 200",
    ),
    "GET /api/residents/{id}/": (
        "401 200 200 200 403 403 403 200 200",
        "401 404 404 404 403 403 403 200 200",
    ),
    "GET /api/return-visits/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/return-visits/call-list/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/return-visits/{id}/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/satisfaction/": (
        "401 403 200 200 403 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/schema/": ("200 200 200 200 200 200 200 200 200", None),
    "GET /api/service-items/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/service-items/{id}/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/suggestions/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/suggestions/{id}/": (
        "401 200 200 200 200 403 403 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/teams/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/teams/{id}/": (
        "401 200 200 200 200 200 200 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/work-orders/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "GET /api/work-orders/{id}/": (
        "401 200 200 200 200 200 404 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /api/work-orders/{id}/pdf/": (
        "401 200 200 200 200 200 404 200 200",
        "401 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/": ("log 302 302 302 302 302 302 302 302", None),
    "GET /desk/<int:community_id>/activities/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/activities/<int:activity_id>/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/board/": (
        "log 200 200 200 200 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    # 来电 (FD-1): the office's page of calls and the intake screen's ringing banner.
    "GET /desk/<int:community_id>/calls/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/calls/ringing/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    # CS-1, CS-2: the front desk, the office and the concierge; not teams, not leadership.
    "GET /desk/<int:community_id>/cart/": (
        "log 200 200 200 403 403 200 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/concierge/": (
        "log 200 200 200 403 403 200 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/intake/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/intake/lookup/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/issues/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/jobs/": (
        "log 403 200 200 200 200 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    # QR stickers: the office lists places and prints their stickers; every role of the community
    # opens a place's page (its open orders, as far as the role sees orders).
    "GET /desk/<int:community_id>/orders/": (
        "log 200 200 200 200 200 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/<int:community_id>/places/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/places/<int:place_id>/": (
        "log 200 200 200 200 200 200 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/<int:community_id>/places/stickers.pdf": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/queue/": (
        "log 200 200 200 200 200 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    # A queue section's own page (查看全部), asked about complaints to take (CP-1): the
    # administrators' and the head's section; the other sections are in tests/web.
    "GET /desk/<int:community_id>/queue/<slug:section>/": (
        "log 403 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/queue/assign/<int:order_id>/": (
        "log 403 302 302 302 403 403 403 302",
        "log 404 404 404 404 404 404 403 302",
    ),
    "GET /desk/<int:community_id>/report.pdf": (
        "log 403 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/<int:community_id>/report.xlsx": (
        "log 403 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/<int:community_id>/report/": (
        "log 403 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/<int:community_id>/staff/<int:staff_id>/": (
        "log 403 200 200 403 200 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/suggestions/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/visits/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/<int:community_id>/visits/new/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/contacts/<int:contact_id>/": (
        "log 200 200 200 404 404 404 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/emergencies/<int:emergency_id>/": (
        "log 200 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/emergencies/<int:emergency_id>/responders/": (
        "log 200 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/emergency/": ("log 200 200 200 403 403 403 403 200", None),
    "GET /desk/incidents/": ("log 200 200 200 403 403 403 200 200", None),
    "GET /desk/incidents/<int:emergency_id>/": (
        "log 200 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/jobs/<int:order_id>/": (
        "log 403 200 200 200 200 404 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "GET /desk/language/": ("log 405 405 405 405 405 405 405 405", None),
    "GET /desk/live/": ("401 200 200 200 200 200 200 200 200", None),
    "GET /desk/login/": ("200 200 200 200 200 200 200 200 200", None),
    "GET /desk/logout/": ("405 405 405 405 405 405 405 405 405", None),
    # The resident portal: staff are not residents (a staff login is no portal session).
    "GET /portal/": ("log log log log log log log log log", None),
    "GET /portal/login/": ("200 200 200 200 200 200 200 200 200", None),
    "GET /portal/logout/": ("405 405 405 405 405 405 405 405 405", None),
    # Rating and reopening (signed in, or with the 完工 SMS's signed link), notices: residents only.
    "GET /portal/notices/": ("log log log log log log log log log", None),
    "GET /portal/notices/<int:notice_id>/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "GET /portal/notices/<int:notice_id>/photos/<int:photo_id>/": (
        "404 404 404 404 404 404 404 404 404",
        "404 404 404 404 404 404 404 404 404",
    ),
    "GET /portal/orders/<int:order_id>/rate/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "GET /portal/orders/<int:order_id>/reopen/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    # Issue 13: report and follow. A staff login is no resident: to the portal's sign-in.
    "GET /portal/orders/": ("log log log log log log log log log", None),
    "GET /portal/orders/<int:order_id>/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "GET /portal/orders/<int:order_id>/urge/": (
        "405 405 405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405 405 405",
    ),
    "GET /portal/report/": ("log log log log log log log log log", None),
    "GET /portal/login/wechat/": ("log log log log log log log log log", None),
    "GET /portal/manifest.webmanifest": ("200 200 200 200 200 200 200 200 200", None),
    "GET /portal/me/": ("log log log log log log log log log", None),
    "GET /portal/me/family/<int:resident_id>/remove/": (
        "405 405 405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405 405 405",
    ),
    "GET /portal/sw.js": ("200 200 200 200 200 200 200 200 200", None),
    "GET /portal/activities/": ("log log log log log log log log log", None),
    "GET /portal/services/": ("log log log log log log log log log", None),
    "GET /portal/activities/<int:activity_id>/signup/": (
        "405 405 405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405 405 405",
    ),
    # A sticker's signed URL: staff of the place's community to its page (302), another
    # community's staff 404, anyone not signed in to the portal's login (then the report).
    "GET /q/<str:code>/": (
        "log 302 302 302 302 302 302 302 302",
        "log 404 404 404 404 404 404 302 302",
    ),
    "GET /desk/notifications/": ("log 200 200 200 200 200 200 200 200", None),
    "GET /desk/orders/<int:order_id>/": (
        "log 200 200 200 200 200 404 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/orders/<int:order_id>/print/": (
        "log 200 200 200 200 200 404 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "GET /desk/report/compare/": ("log 403 403 403 403 403 403 200 200", None),
    "GET /health/": ("503 503 503 503 503 503 503 503 503", None),
    "PATCH /api/emergencies/{id}/report/": (
        "401 400 400 400 403 403 403 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "PATCH /api/notifications/channels/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "POST /api/auth/token/": (
        "400 400 400 400 400 400 400 400 400",
        "400 400 400 400 400 400 400 400 400",
    ),
    # The phone system's webhook: no session or token opens it, only the community's signature.
    "POST /api/calls/events/": (
        "401 401 401 401 401 401 401 401 401",
        "401 401 401 401 401 401 401 401 401",
    ),
    "POST /api/common-issues/": (
        "401 400 400 400 400 400 400 400 400",
        "401 400 400 400 400 400 400 400 400",
    ),
    "POST /api/common-issues/{id}/drop/": (
        "401 400 400 400 400 403 403 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/contacts/": (
        "401 400 400 400 400 400 400 400 400",
        "401 400 400 400 400 400 400 400 400",
    ),
    "POST /api/contacts/{id}/keep-promise/": (
        "401 400 400 400 404 404 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/emergencies/": (
        "401 400 400 400 400 400 400 400 400",
        "401 400 400 400 400 400 400 400 400",
    ),
    "POST /api/emergencies/{id}/acknowledge/": (
        "401 403 403 403 403 403 403 403 403",
        "401 404 404 404 404 404 404 403 403",
    ),
    "POST /api/emergencies/{id}/check-in/": (
        "401 403 403 403 403 403 403 403 403",
        "401 404 404 404 404 404 404 403 403",
    ),
    "POST /api/emergencies/{id}/report/approve/": (
        "401 403 403 403 403 403 403 409 409",
        "401 404 404 404 404 404 404 409 409",
    ),
    "POST /api/emergencies/{id}/report/photos/": (
        "401 415 415 415 403 403 403 415 415",
        "401 404 404 404 404 404 404 415 415",
    ),
    "POST /api/emergencies/{id}/report/return/": (
        "401 403 403 403 403 403 403 409 409",
        "401 404 404 404 404 404 404 409 409",
    ),
    "POST /api/emergencies/{id}/report/submit/": (
        "401 403 403 400 403 403 403 403 400",
        "401 404 404 404 404 404 404 403 400",
    ),
    "POST /api/emergencies/{id}/resolve/": (
        "401 400 400 400 400 400 400 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/home-visits/": (
        "401 400 400 400 400 400 400 400 400",
        "401 400 400 400 400 400 400 400 400",
    ),
    "POST /api/home-visits/{id}/done/": (
        "401 400 400 400 400 403 403 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/home-visits/{id}/drop/": (
        "401 400 400 400 400 403 403 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/notices/": (
        "401 400 400 400 400 400 400 400 400",
        "401 400 400 400 400 400 400 400 400",
    ),
    "POST /api/notices/{id}/post/": (
        "401 415 415 415 415 403 403 415 415",
        "401 404 404 404 404 404 404 415 415",
    ),
    "POST /api/notifications/failed/{id}/retry/": (
        "401 404 404 404 404 404 404 404 404",
        "401 404 404 404 404 404 404 404 404",
    ),
    "POST /api/notifications/read-all/": (
        "401 200 200 200 200 200 200 200 200",
        "401 200 200 200 200 200 200 200 200",
    ),
    "POST /api/notifications/{id}/read/": (
        "401 404 404 200 404 404 404 404 404",
        "401 404 404 404 404 404 404 404 404",
    ),
    "POST /api/return-visits/": (
        "401 400 400 400 400 400 400 400 400",
        "401 400 400 400 400 400 400 400 400",
    ),
    "POST /api/staff/{id}/revoke-tokens/": (
        "401 403 403 200 403 403 403 403 200",
        "401 404 404 404 404 404 404 403 200",
    ),
    "POST /api/suggestions/": (
        "401 400 400 400 400 400 400 400 400",
        "401 400 400 400 400 400 400 400 400",
    ),
    "POST /api/suggestions/{id}/reply/": (
        "401 400 400 400 400 403 403 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/": (
        "401 400 400 400 400 400 400 400 400",
        "401 400 400 400 400 400 400 400 400",
    ),
    "POST /api/work-orders/{id}/accept/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/appointment/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/assign/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/attachments/": (
        "401 415 415 415 415 415 404 415 415",
        "401 404 404 404 404 404 404 415 415",
    ),
    "POST /api/work-orders/{id}/cancel/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/check-in/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/claim/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/close/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/contact-owner/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/dispatch/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    # Issue 16: the waits go through the one door of the actions (roles refused by the service).
    "POST /api/work-orders/{id}/end-wait/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/flag/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/follow-up/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    # Issue 16: 急修 marked after intake, or unmarked (roles refused by the service: 403).
    "POST /api/work-orders/{id}/mark-urgent/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/reopen/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/reply/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/resolve/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/return/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/take/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/transfer/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/unmark-urgent/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
    "POST /api/work-orders/{id}/wait/": (
        "401 400 400 400 400 400 404 400 400",
        "401 404 404 404 404 404 404 400 400",
    ),
}

# --- Residents (issue 13): the portal's routes asked by anonymous, a staff login and a resident ---
# Columns (RESIDENT_PRINCIPALS): an = anonymous, rc = the receptionist of 锦绣花园 (a staff login,
# which is no resident session), re = a resident (an owner of a 锦绣花园 household). Each row:
# (answers about the resident's own household's object, answers about another household's), the
# second None when the route names none. Every /portal/ route needs its GET row here; POST rows
# are sent with an empty body. Every staff route (the table above) answers a resident exactly as
# it answers anonymous (test_resident_matrix.py).
RESIDENT_PRINCIPALS = ("an", "rc", "re")

RESIDENT_ROUTES: dict[str, tuple[str, str | None]] = {
    "GET /portal/": ("log log 200", None),
    "GET /portal/login/": ("200 200 302", None),
    "GET /portal/login/wechat/": ("log log log", None),
    "GET /portal/logout/": ("405 405 405", None),
    "GET /portal/manifest.webmanifest": ("200 200 200", None),
    "GET /portal/me/": ("log log 200", None),
    "GET /portal/me/family/<int:resident_id>/remove/": ("405 405 405", "405 405 405"),
    "GET /portal/notices/": ("log log 200", None),
    "GET /portal/notices/<int:notice_id>/": ("log log 200", "log log 404"),
    "GET /portal/notices/<int:notice_id>/photos/<int:photo_id>/": ("404 404 404", "404 404 404"),
    "GET /portal/orders/": ("log log 200", None),
    "GET /portal/orders/<int:order_id>/": ("log log 200", "log log 404"),
    "GET /portal/orders/<int:order_id>/rate/": ("log log 200", "log log 404"),
    "GET /portal/orders/<int:order_id>/reopen/": ("log log 200", "log log 404"),
    "GET /portal/orders/<int:order_id>/urge/": ("405 405 405", "405 405 405"),
    "GET /portal/report/": ("log log 200", None),
    "GET /portal/sw.js": ("200 200 200", None),
    "GET /portal/activities/": ("log log 200", None),
    "GET /portal/services/": ("log log 200", None),
    "POST /portal/services/": ("log log 404", None),
    "GET /portal/activities/<int:activity_id>/signup/": ("405 405 405", "405 405 405"),
    "POST /portal/activities/<int:activity_id>/signup/": ("log log 404", "log log 404"),
    "POST /portal/login/": ("400 400 400", None),
    "POST /portal/logout/": ("log log log", None),
    "POST /portal/me/": ("log log 404", None),
    "POST /portal/me/family/<int:resident_id>/remove/": ("log log 302", "log log 404"),
    "POST /portal/orders/<int:order_id>/rate/": ("log log 400", "log log 404"),
    "POST /portal/orders/<int:order_id>/reopen/": ("log log 400", "log log 404"),
    "POST /portal/orders/<int:order_id>/urge/": ("log log 302", "log log 404"),
    "POST /portal/report/": ("log log 400", None),
}
