"""The pages' forms. They check shape only; the services decide what is allowed and say why
(ParleyError messages are added to the form as non-field errors)."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.template.defaultfilters import filesizeformat

from accounts.services import MAX_DISPLAY_NAME, MAX_STATUS_TEXT, time_zones
from chat.services.rooms import MAX_NAME, MAX_TOPIC


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LoginForm(AuthenticationForm):
    """Django's, without the autofocus on the username: "Skip to content" stays the page's first
    Tab stop (docs/web.md, "Keyboard")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)


class SignupForm(_Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text="Letters, digits and @ . + - _ only.",
    )
    display_name = forms.CharField(
        max_length=MAX_DISPLAY_NAME,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="How others see you; your username when empty.",
    )
    # Not stripped, as Django's own password fields: the password is what was typed, spaces
    # included (the validators refuse one of only spaces).
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class RoomCreateForm(_Form):
    name = forms.CharField(max_length=MAX_NAME)
    topic = forms.CharField(max_length=MAX_TOPIC, required=False)
    private = forms.BooleanField(required=False, help_text="Only people you invite can see it.")


class InviteForm(_Form):
    username = forms.CharField(max_length=150, label="Invite by username")


class MemberForm(_Form):
    """A member to remove, or to hand the room to."""

    username = forms.CharField(max_length=150)


class LeaveForm(_Form):
    # The member a private room's owner hands it to as they leave; empty for everyone else.
    new_owner = forms.CharField(max_length=150, required=False, label="Hand the room to")


class RoomSettingsForm(_Form):
    name = forms.CharField(max_length=MAX_NAME)
    topic = forms.CharField(max_length=MAX_TOPIC, required=False)
    wide_mentions = forms.BooleanField(
        required=False,
        label="@room and @here notify everyone",
        help_text="Off: they are plain text, and nobody is notified.",
    )


NOTIFY_CHOICES = [("all", "Every message"), ("mentions", "Mentions only"), ("none", "Nothing")]


class NotifyForm(_Form):
    notify = forms.ChoiceField(
        choices=[("", "The default"), *NOTIFY_CHOICES], required=False, label="Notify me about"
    )

    def __init__(self, *args, default: str = "The default", **kwargs):
        """`default`: what the blank choice says (the room's default, in words)."""
        super().__init__(*args, **kwargs)
        self.fields["notify"].choices = [("", default), *NOTIFY_CHOICES]  # type: ignore[attr-defined]


def _time_zone_choices() -> list[tuple[str, str]]:
    return [("", "Not set"), *((name, name.replace("_", " ")) for name in sorted(time_zones()))]


class ProfileForm(_Form):
    display_name = forms.CharField(
        max_length=MAX_DISPLAY_NAME,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="How others see you, in messages and member lists.",
    )
    status_emoji = forms.CharField(
        label="Status emoji",
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "size": 4}),
        help_text="One emoji, such as 🌴 or 🤒; empty for none.",
    )
    status_text = forms.CharField(
        label="Status",
        max_length=MAX_STATUS_TEXT,
        required=False,
        # Not stripped here: the service trims and counts (and says why it refuses).
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=f"What you are up to, up to {MAX_STATUS_TEXT} characters.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        choices=_time_zone_choices,
        help_text="Shown to others beside your name, so they know your local time.",
    )


class PictureForm(_Form):
    # What the file is, the service reads from its bytes (accounts/avatars.py); `accept` only
    # narrows the browser's file chooser.
    picture = forms.FileField(
        label="Image file",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.PARLEY_AVATAR_MAX_SIZE)
        self.fields[
            "picture"
        ].help_text = (
            f"A JPEG, PNG, GIF or WebP image up to {limit}, cut to a square about its centre."
        )


class PasswordChangeForm(_Form):
    # Not stripped, as Django's own password fields: the password is what was typed.
    current_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label="New password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "The two passwords differ.")
        return data
