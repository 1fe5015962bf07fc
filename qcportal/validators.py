"""Password validation with Chinese messages.

Django 5.2's zh_Hans catalogue does not match the minimum-length validator's message (the
msgid changed), so the message would appear in English; this subclass words it in Chinese
(with an English translation in locale/en). The breached-password check wraps
pwned-passwords-django.
"""

from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pwned_passwords_django.validators import PwnedPasswordsValidator


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


class PwnedPasswordValidator(PwnedPasswordsValidator):
    """Refuse a password found in known data breaches (OWASP ASVS 2.1.7; issue 9 item 1).

    pwned-passwords-django asks the Pwned Passwords range API with the first five characters
    of the password's SHA-1 only (k-anonymity); when the API cannot be reached it falls back
    to Django's list of common passwords, so the check fails closed to that list, never open.
    Off when ``settings.PWNED_PASSWORDS_ENABLED`` is false (the demo on a closed network, the
    test suite, which mocks the API where it tests this). Raises ``ValidationError`` (code
    ``password_compromised``) with a Chinese message.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("error_message", gettext_lazy("该密码曾出现在公开泄露的密码库中，请换一个密码。"))
        kwargs.setdefault("help_message", gettext_lazy("不能使用曾在数据泄露中出现过的密码。"))
        super().__init__(**kwargs)

    def validate(self, password, user=None):
        """Check ``password`` (see the class docstring); no-op when the check is switched off."""
        if not getattr(settings, "PWNED_PASSWORDS_ENABLED", True):
            return
        super().validate(password, user)
