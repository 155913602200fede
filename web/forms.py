"""The pages' forms. They check shape only; the services decide what is allowed and say why
(ParleyError messages are added to the form as non-field errors)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.services import MAX_DISPLAY_NAME
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
