"""The caller's own account: profile, password, browser sessions and API tokens.

Sessions and tokens are named by `id`; one that is not the caller's answers 404 like one that
does not exist. Ending a session, logging out everywhere and revoking a token close the
sockets they opened with 4401 (docs/api.md, "What ends access").
"""

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from accounts.avatars import avatar_too_large
from accounts.payloads import profile_payload, session_payload, token_payload
from accounts.selectors import token_list_active
from accounts.services import token_hash, token_revoke_own, user_password_change
from accounts.sessions import (
    session_is_current,
    session_keep,
    session_list,
    session_revoke,
    session_revoke_all,
)
from chat.services.people import avatar_remove, avatar_set, profile_update

from .auth import AuthenticatedRequest, bearer_secret
from .schemas import (
    LoggedOutOut,
    LogoutEverywhereIn,
    PasswordChangeIn,
    ProfileIn,
    ProfileOut,
    SessionListOut,
    TokenListOut,
    errors,
)
from .uploads import FILE_FORM, upload_receive

router = Router(tags=["me"])


def _session_key(request: HttpRequest) -> str | None:
    """The session the call was made with; None for a token call."""
    if bearer_secret(request) is not None:
        return None
    return request.session.session_key


@router.get("/me", response={200: ProfileOut, **errors(401)})
def me_detail(request: AuthenticatedRequest):
    """Who you are, with your profile."""
    return profile_payload(request.auth)


@router.patch("/me", response={200: ProfileOut, **errors(400, 401, 403, 413, 429)})
def me_update(request: AuthenticatedRequest, data: ProfileIn):
    """Change your display name, status or time zone (absent fields stay). Everyone who shares
    a room with you, and every socket of yours, hears of it at once."""
    user = profile_update(user=request.auth, **data.model_dump(exclude_unset=True))
    return profile_payload(user)


@router.put(
    "/me/avatar",
    response={200: ProfileOut, **errors(400, 401, 403, 413, 429)},
    openapi_extra=FILE_FORM,
)
def me_avatar_set(request: AuthenticatedRequest):
    """Upload your picture (multipart/form-data, field `file`): a JPEG, PNG, GIF or WebP image,
    stored upright, cut to a square and without its metadata; it replaces your initials
    wherever you are shown. 200 with your profile, whose `avatar.url` is the new picture.
    400 `bad_request` for a file that is not such an image, 413 `too_large` over
    PARLEY_AVATAR_MAX_SIZE or PARLEY_IMAGE_MAX_PIXELS."""
    upload = upload_receive(
        request, limit=settings.PARLEY_AVATAR_MAX_SIZE, too_large=avatar_too_large
    )
    return profile_payload(avatar_set(user=request.auth, upload=upload))


@router.delete("/me/avatar", response={200: ProfileOut, **errors(401, 403, 429)})
def me_avatar_remove(request: AuthenticatedRequest):
    """Remove your picture: your initials show again. 200 with your profile (also when you had
    none)."""
    return profile_payload(avatar_remove(user=request.auth))


@router.post("/me/password", response={204: None, **errors(400, 401, 403, 413, 429)})
def me_password(request: AuthenticatedRequest, data: PasswordChangeIn):
    """Change your password. Every other session of yours ends (their sockets close with 4401);
    a session call stays signed in. API tokens stay."""
    user = user_password_change(
        request=request,
        user=request.auth,
        current_password=data.current_password,
        new_password=data.new_password,
    )
    if _session_key(request) is not None:
        session_keep(request=request, user=user)
    return Status(204, None)


@router.get("/me/sessions", response={200: SessionListOut, **errors(401)})
def me_sessions(request: AuthenticatedRequest):
    """Your browser sessions that are signed in, most recently seen first."""
    return {
        "sessions": [
            session_payload(record, current=session_is_current(record, request))
            for record in session_list(user=request.auth)
        ]
    }


@router.delete("/me/sessions/{id}", response={204: None, **errors(401, 403, 404)})
def me_session_end(request: AuthenticatedRequest, id: int):
    """End one of your sessions (the current one too: that is logging out)."""
    session_revoke(user=request.auth, session_id=id)
    return Status(204, None)


@router.post("/me/logout-everywhere", response={200: LoggedOutOut, **errors(400, 401, 403, 413)})
def me_logout_everywhere(request: AuthenticatedRequest, data: LogoutEverywhereIn):
    """End every session of yours, but the one making the call when `keep_current` (the
    default). API tokens are not sessions: revoke them with `DELETE /me/tokens/{id}`."""
    keep = _session_key(request) if data.keep_current else None
    return {"ended": session_revoke_all(user=request.auth, keep=keep)}


@router.get("/me/tokens", response={200: TokenListOut, **errors(401)})
def me_tokens(request: AuthenticatedRequest):
    """Your API tokens that are not revoked, newest first."""
    secret = bearer_secret(request)
    current = token_hash(secret) if secret else None
    return {
        "tokens": [
            token_payload(token, current=token.key_hash == current)
            for token in token_list_active(user=request.auth)
        ]
    }


@router.delete("/me/tokens/{id}", response={204: None, **errors(401, 403, 404)})
def me_token_revoke(request: AuthenticatedRequest, id: int):
    """Revoke one of your tokens; the sockets opened with it close with 4401."""
    token_revoke_own(user=request.auth, token_id=id)
    return Status(204, None)
