"""Sign-up (log-in and log-out are Django's own views, wired in web/urls.py)."""

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters

from accounts.services import user_create
from parley.errors import ParleyError

from ..csp import csp
from ..forms import SignupForm


@csp
@sensitive_post_parameters("password", "password_again")
def signup(request):
    if not settings.PARLEY_OPEN_SIGNUP:
        return render(request, "web/signup_closed.html", status=404)
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
            )
        except ParleyError as error:
            form.add_error(None, error.message)
        else:
            # Named, since the login throttle is a backend too (AUTHENTICATION_BACKENDS).
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url)
    status = 400 if form.errors else 200
    return render(request, "web/signup.html", {"form": form, "next": next_url}, status=status)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)
