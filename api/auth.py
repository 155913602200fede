"""Who is calling: a bearer token (programs) or the Django session (the browser).

Either way the caller is a signed-up, active user; guests have no REST API. An Authorization
header that says Bearer is final: a wrong or revoked token is 401 even when a session cookie
came along. Session calls that change something must pass Django's CSRF check; token calls
need none (a browser does not attach the token by itself).
"""

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts.models import User
from accounts.services import token_authenticate
from parley.errors import Forbidden, NotAuthenticated

GUESTS_REJECTED = "Guests cannot use the REST API; sign up for an account."


class AuthenticatedRequest(HttpRequest):
    """The request of an operation with `caller_auth` or `token_auth`, for type checking: ninja
    sets `request.auth` to what the authenticator returned, the calling user."""

    auth: User


def bearer_secret(request: HttpRequest) -> str | None:
    """The token in `Authorization: Bearer <token>`, "" for an empty one, None without one."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def _signed_up(user: User) -> User:
    if user.is_guest:
        raise NotAuthenticated(GUESTS_REJECTED)
    return user


class BearerAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> User | None:
        secret = bearer_secret(request)
        if secret is None:
            return None  # not a token call; the session may still authenticate it
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = token_authenticate(secret=token) if token else None
        if user is None:
            raise NotAuthenticated("The token is unknown or revoked.")
        return _signed_up(user)


class SessionAuth(APIKeyCookie):
    # Only the OpenAPI label: the user comes from request.user, which Django's session and
    # authentication middleware set from whichever cookie SESSION_COOKIE_NAME names.
    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> None:
        # ninja checks CSRF here for every call, even ones without a session, which would
        # answer 403 where 401 is meant; authenticate() checks it once a session user is known.
        return None

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        # `key` is always None (`_get_key` above).
        user = request.user
        if not user.is_authenticated:
            return None
        _signed_up(user)
        # CsrfViewMiddleware lets safe methods (GET, HEAD, OPTIONS) through.
        if check_csrf(request) is not None:
            raise Forbidden(
                "CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header."
            )
        return user


# Token first, so a call carrying both a token and a session cookie is a token call.
caller_auth = [BearerAuth(), SessionAuth()]
token_auth = [BearerAuth()]
