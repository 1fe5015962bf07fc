"""Password validation with Chinese messages.

Django 5.2's zh_Hans catalogue does not match the minimum-length validator's message (the
msgid changed), so the message would appear in English; this subclass words it in Chinese
(with an English translation in locale/en).
"""

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Refuse passwords shorter than ``min_length`` characters (message in the user's language)."""

    def validate(self, password, user=None):
        """Raise ``ValidationError`` (code ``password_too_short``) for a short password."""
        if len(password) < self.min_length:
            raise ValidationError(
                self.get_error_message(), code="password_too_short", params={"min_length": self.min_length}
            )

    def get_error_message(self) -> str:
        return _("密码太短，至少需要%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要%(min_length)d个字符。") % {"min_length": self.min_length}
