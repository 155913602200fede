"""Your settings (`/settings/...`): profile, password, sessions and API tokens. Each page is a
form that calls one service; the REST API's `/api/v1/me` calls do the same (docs/web.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.avatars import avatar_too_large
from accounts.payloads import profile_payload
from accounts.selectors import token_list_active
from accounts.services import token_revoke_own, user_password_change
from accounts.sessions import (
    session_is_current,
    session_keep,
    session_list,
    session_revoke,
    session_revoke_all,
)
from chat.services.people import avatar_remove, avatar_set, profile_update
from parley.errors import NotFound, ParleyError

from ..csp import csp
from ..forms import PasswordChangeForm, PictureForm, ProfileForm


def _profile_page(request, *, form=None, picture_form=None, status: int = 200):
    user = request.user
    initial = {
        "display_name": user.shown_name,
        "status_emoji": user.status_emoji,
        "status_text": user.status_text,
        "time_zone": user.time_zone,
    }
    context = {
        "form": form or ProfileForm(initial=initial),
        "picture_form": picture_form or PictureForm(),
        "section": "profile",
        "me": profile_payload(user),
    }
    return render(request, "web/settings_profile.html", context, status=status)


@csp
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    if request.method != "POST":
        return _profile_page(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            profile_update(user=request.user, **form.cleaned_data)
        except ParleyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, "Profile saved. Everyone who shares a room with you sees it now."
            )
            return redirect("web:settings_profile")
    return _profile_page(request, form=form, status=400)


@csp
@login_required
@require_POST
def picture_upload(request):
    """The profile page's picture form (multipart): the same service as PUT /api/v1/me/avatar.
    A refusal (not an image, too large) is said on the form, with status 400."""
    form = PictureForm(request.POST, request.FILES)
    if getattr(request, "parley_upload_too_large", False):
        form.add_error("picture", avatar_too_large().message)
    elif form.is_valid():
        try:
            avatar_set(user=request.user, upload=form.cleaned_data["picture"])
        except ParleyError as error:
            form.add_error("picture", error.message)
        else:
            messages.success(
                request, "Picture saved. Everyone who shares a room with you sees it now."
            )
            return redirect("web:settings_profile")
    return _profile_page(request, picture_form=form, status=400)


@login_required
@require_POST
def picture_remove(request):
    try:
        avatar_remove(user=request.user)
    except ParleyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Picture removed: your initials show again.")
    return redirect("web:settings_profile")


@csp
@login_required
@sensitive_post_parameters("current_password", "new_password", "new_password_again")
@require_http_methods(["GET", "HEAD", "POST"])
def password(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_password_change(
                request=request,
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ParleyError as error:
            form.add_error(None, error.message)
        else:
            session_keep(request=request, user=user)
            messages.success(request, "Password changed. Your other sessions are signed out.")
            return redirect("web:settings_password")
    status = 400 if form.errors else 200
    context = {"form": form, "section": "password"}
    return render(request, "web/settings_password.html", context, status=status)


@csp
@login_required
def sessions(request):
    context = {
        "section": "sessions",
        "sessions": [
            (record, session_is_current(record, request))
            for record in session_list(user=request.user)
        ],
        "tokens": token_list_active(user=request.user),
    }
    return render(request, "web/settings_sessions.html", context)


@login_required
@require_POST
def session_end(request, session_id: int):
    try:
        session_revoke(user=request.user, session_id=session_id)
    except NotFound:
        messages.error(request, "That session had already ended.")
    else:
        messages.success(request, "Session signed out.")
    return redirect("web:settings_sessions")


@login_required
@require_POST
def logout_others(request):
    ended = session_revoke_all(user=request.user, keep=request.session.session_key)
    messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("web:settings_sessions")


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        token_revoke_own(user=request.user, token_id=token_id)
    except NotFound:
        messages.error(request, "That token had already been revoked.")
    else:
        messages.success(request, "Token revoked.")
    return redirect("web:settings_sessions")
