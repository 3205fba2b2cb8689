"""The back office greets a person by name (欢迎，唐晓婷), not by the login name in capitals
(欢迎， JXHY-HEAD.)."""

from __future__ import annotations

from tests import factories as f
from tests.conftest import backoffice_client


def test_the_back_office_greets_by_the_full_name(office) -> None:
    office.head.name = "唐晓婷"
    office.head.save(update_fields=["name"])
    html = backoffice_client(office.head).get("/admin/").content.decode()
    assert "<strong>唐晓婷</strong>" in html
    nameless = f.UserFactory(
        username="a-clerk", name="", roles=[(office.community, "receptionist")]
    )
    html = backoffice_client(nameless).get("/admin/").content.decode()
    assert "<strong>a-clerk</strong>" in html
