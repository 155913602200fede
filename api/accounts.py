"""Accounts and tokens: sign up, get a token for a program, give it back."""

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from accounts.services import token_issue, token_revoke, user_create
from chat.payloads import user_payload
from parley.errors import Forbidden

from .auth import bearer_secret, token_auth
from .schemas import AccountIn, CredentialsIn, TokenOut, UserOut, errors

router = Router(tags=["accounts"])


@router.post("/accounts", auth=None, response={201: UserOut, **errors(400, 403, 409, 413)})
def account_create(request: HttpRequest, data: AccountIn):
    """Sign up. Closed (403) unless PARLEY_OPEN_SIGNUP is on."""
    if not settings.PARLEY_OPEN_SIGNUP:
        raise Forbidden("Sign-up is closed on this server; ask an administrator for an account.")
    user = user_create(
        username=data.username, password=data.password, display_name=data.display_name
    )
    return Status(201, user_payload(user))


@router.post("/auth/token", auth=None, response={200: TokenOut, **errors(400, 401, 413, 429)})
def token_create(request: HttpRequest, data: CredentialsIn):
    """A new bearer token, shown this once; send it as `Authorization: Bearer <token>`."""
    # The request goes along so that the login throttle (django-axes) sees the caller's address.
    _, secret = token_issue(
        request=request, username=data.username, password=data.password, name="api"
    )
    return {"token": secret}


@router.delete("/auth/token", auth=token_auth, response={204: None, **errors(401)})
def token_delete(request: HttpRequest):
    """Revoke the token this call was made with."""
    secret = bearer_secret(request)
    assert secret is not None  # token_auth admitted the call, so it carried a bearer token
    token_revoke(secret=secret)
    return Status(204, None)
