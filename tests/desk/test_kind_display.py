"""The routed order's announcement names the kind from the enum (``telling.kind_display``),
word for word what ``WorkOrder.get_kind_display()`` gives, in each language, and the stored
value itself for a value that is no kind."""

from __future__ import annotations

import pytest
from django.utils import translation

from propdesk.desk.models import OrderKind, WorkOrder
from propdesk.desk.services.telling import kind_display


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("kind", [*OrderKind.values, "emergency", ""])
def test_kind_display_is_get_kind_display(language: str, kind: str) -> None:
    with translation.override(language):
        expected = WorkOrder(kind=kind).get_kind_display()
        assert kind_display(kind) == expected
        assert type(kind_display(kind)) is type(expected) is str
