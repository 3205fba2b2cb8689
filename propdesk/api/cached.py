"""Serializers whose fields are built once per class.

DRF builds a ModelSerializer's fields for every instance: it introspects the model field by field
(``build_field``) each time, for the order and again for every nested event, clock and
attachment. Our Out serializers' fields depend on their class alone (nothing is added or dropped
per request: what a role may read is decided in the views, selectors and ``to_representation``),
so the built fields are kept per class and copied for each instance, the way DRF itself copies
declared fields.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import serializers

_M = TypeVar("_M", bound=Model)
_BUILT: dict[type, dict[str, serializers.Field[Any, Any, Any, Any]]] = {}


class CachedModelSerializer(serializers.ModelSerializer[_M]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        cls = type(self)
        built = _BUILT.get(cls)
        if built is None:
            built = _BUILT[cls] = super().get_fields()
        return copy.deepcopy(built)
