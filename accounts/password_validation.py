"""Password rules of Parley's own, beside Django's validators (AUTH_PASSWORD_VALIDATORS)."""

from django.core.exceptions import ValidationError


class NotBlankValidator:
    """A password must hold something besides white space: "            " passes Django's
    length, common-password and numeric checks, yet is as guessable as an empty one."""

    def validate(self, password: str, user=None) -> None:
        if not password.strip():
            raise ValidationError("The password must not be only spaces.", code="password_blank")

    def get_help_text(self) -> str:
        return "Your password can't be only spaces."
