from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "propdesk.community"
    label = "community"
    verbose_name = _("Register")

    def ready(self) -> None:
        from propdesk.community.access import remember_roles, roles_read_with
        from propdesk.core.auth import read_with_user

        # A session's user is read with its roles (one statement less per page).
        read_with_user(
            "community.roles",
            lambda conn, users: roles_read_with(conn, f"{users}.{conn.ops.quote_name('id')}"),
            remember_roles,
        )
