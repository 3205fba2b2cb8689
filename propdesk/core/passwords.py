"""The password policy's length rule, with its message in propdesk's catalog (Django's Chinese
catalog lacks the current wording of its own). The other rules are Django's (settings.py)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """At least ``min_length`` characters (10 in settings)."""

    def get_error_message(self) -> str:
        return gettext(
            "This password is too short: it must have at least %(min_length)d characters."
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return gettext("Your password must have at least %(min_length)d characters.") % {
            "min_length": self.min_length
        }
