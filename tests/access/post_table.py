"""The declared answer of every console route to a POST (tests/access/test_post_matrix.py), in
the columns of matrix_table.py (PRINCIPALS: an rc ad oh tl tm co ld su): (answers about 锦绣花园's
object, about 滨江苑's), the second None when the route names no community. ``log``: to the login
page (refused); ``out``: signed out onto the login page (the console's 退出登录); a ``w`` after
the code: the POST changed the database (the body of post_bodies.py went through; rolled back
after the cell). A refusal (401, 403, 404, 405, log) never carries one.

A 400 is a POST let through the door and refused by the service or the form, with the page's
words (nothing changed either): a role the page is for but the action is not (a receptionist
planning an activity), or a form naming another community's row (a new emergency in 滨江苑). A
200 without ``w`` is a page that shows itself to a POST as to a GET."""

POST_ROUTES: dict[str, tuple[str, str | None]] = {
    "POST /": ("302 302 302 302 302 302 302 302 302", None),
    "POST /desk/": ("log 302 302 302 302 302 302 302 302", None),
    "POST /desk/<int:community_id>/activities/": (
        "log 400 302w 302w 403 403 403 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/<int:community_id>/activities/<int:activity_id>/": (
        "log 400 302w 302w 403 403 403 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/<int:community_id>/board/": (
        "log 200 200 200 200 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "POST /desk/<int:community_id>/calls/": (
        "log 400 400 400 403 403 403 403 400",
        "log 404 404 404 404 404 404 403 400",
    ),
    "POST /desk/<int:community_id>/calls/ringing/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/cart/": (
        "log 302w 302w 302w 403 403 400 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/<int:community_id>/concierge/": (
        "log 302w 302w 302w 403 403 302w 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/<int:community_id>/intake/": (
        "log 302w 302w 302w 403 403 403 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/<int:community_id>/intake/lookup/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/issues/": (
        "log 400 302w 302w 403 403 403 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/<int:community_id>/jobs/": (
        "log 403 200 200 200 200 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/orders/": (
        "405 405 405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405 405 405",
    ),
    "POST /desk/<int:community_id>/places/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/places/<int:place_id>/": (
        "log 200 200 200 200 200 200 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "POST /desk/<int:community_id>/places/stickers.pdf": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/queue/": (
        "log 200 200 200 200 200 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/queue/<slug:section>/": (
        "log 403 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/queue/assign/<int:order_id>/": (
        "log 403 302w 302w 302w 403 403 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/<int:community_id>/report.pdf": (
        "log 403 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "POST /desk/<int:community_id>/report.xlsx": (
        "log 403 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "POST /desk/<int:community_id>/report/": (
        "log 403 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "POST /desk/<int:community_id>/staff/<int:staff_id>/": (
        "log 403 200 200 403 200 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/suggestions/": (
        "log 302w 302w 302w 403 403 403 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/<int:community_id>/visits/": (
        "log 200 200 200 403 403 403 403 200",
        "log 404 404 404 404 404 404 403 200",
    ),
    "POST /desk/<int:community_id>/visits/new/": (
        "log 302w 302w 302w 403 403 403 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/contacts/<int:contact_id>/": (
        "log 200 200 200 404 404 404 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "POST /desk/emergencies/<int:emergency_id>/": (
        "log 302w 302w 302w 403 403 403 400 302w",
        "log 404 404 404 404 404 404 400 302w",
    ),
    "POST /desk/emergencies/<int:emergency_id>/responders/": (
        "log 200 200 200 403 403 403 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "POST /desk/emergency/": (
        "log 302w 302w 302w 403 403 403 403 302w",
        "log 400 400 400 403 403 403 403 302w",
    ),
    "POST /desk/incidents/": (
        "log 200 200 200 403 403 403 200 200",
        "log 200 200 200 403 403 403 200 200",
    ),
    "POST /desk/incidents/<int:emergency_id>/": (
        "log 302w 302w 302w 403 403 403 400 302w",
        "log 404 404 404 404 404 404 400 302w",
    ),
    "POST /desk/jobs/<int:order_id>/": (
        "log 403 302w 302w 302w 302w 404 403 302w",
        "log 404 404 404 404 404 404 403 302w",
    ),
    "POST /desk/language/": ("log 302w 302w 302w 302w 302w 302w 302w 302w", None),
    "POST /desk/live/": ("405 405 405 405 405 405 405 405 405", None),
    "POST /desk/login/": ("200 200 200 200 200 200 200 200 200", None),
    "POST /desk/logout/": ("out outw outw outw outw outw outw outw outw", None),
    "POST /desk/notifications/": (
        "log 404 404 302w 404 404 404 404 404",
        "log 404 404 404 404 404 404 404 404",
    ),
    "POST /desk/orders/<int:order_id>/": (
        "log 302w 302w 302w 302w 302w 404 400 302w",
        "log 404 404 404 404 404 404 400 302w",
    ),
    "POST /desk/orders/<int:order_id>/print/": (
        "log 200 200 200 200 200 404 200 200",
        "log 404 404 404 404 404 404 200 200",
    ),
    "POST /desk/report/compare/": ("log 403 403 403 403 403 403 200 200", None),
    "POST /health/": ("503 503 503 503 503 503 503 503 503", None),
    "POST /portal/": ("log log log log log log log log log", None),
    "POST /portal/activities/": ("log log log log log log log log log", None),
    "POST /portal/activities/<int:activity_id>/signup/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "POST /portal/login/": ("400 400 400 400 400 400 400 400 400", None),
    "POST /portal/login/wechat/": ("405 405 405 405 405 405 405 405 405", None),
    "POST /portal/logout/": ("log log log log log log log log log", None),
    "POST /portal/manifest.webmanifest": ("405 405 405 405 405 405 405 405 405", None),
    "POST /portal/me/": ("log log log log log log log log log", None),
    "POST /portal/me/family/<int:resident_id>/remove/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "POST /portal/notices/": ("log log log log log log log log log", None),
    "POST /portal/notices/<int:notice_id>/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "POST /portal/notices/<int:notice_id>/photos/<int:photo_id>/": (
        "404 404 404 404 404 404 404 404 404",
        "404 404 404 404 404 404 404 404 404",
    ),
    "POST /portal/orders/": ("log log log log log log log log log", None),
    "POST /portal/orders/<int:order_id>/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "POST /portal/orders/<int:order_id>/rate/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "POST /portal/orders/<int:order_id>/reopen/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "POST /portal/orders/<int:order_id>/urge/": (
        "log log log log log log log log log",
        "log log log log log log log log log",
    ),
    "POST /portal/report/": ("log log log log log log log log log", None),
    "POST /portal/services/": ("log log log log log log log log log", None),
    "POST /portal/sw.js": ("405 405 405 405 405 405 405 405 405", None),
    "POST /q/<str:code>/": (
        "log 302 302 302 302 302 302 302 302",
        "log 404 404 404 404 404 404 302 302",
    ),
}
