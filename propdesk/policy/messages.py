"""Messages for a person from the plain-Python policy engine, which may not import Django.

A refusal carries an English msgid, marked with ``gettext_noop`` so that ``makemessages`` takes it
into django.po (its Chinese lives there, like every other message), and the ``%(name)s`` params to
fill in. The Django side translates it into the reader's language where it becomes a form or API
error: ``propdesk.core.errors.policy_message``. ``str()`` of the error is the English text.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation (xgettext extracts ``gettext_noop("...")``); no-op here."""
    return message


class PolicyError(ValueError):
    """Refused input, with ``message`` (an English msgid) and its ``params``."""

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)
