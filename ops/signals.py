"""Receivers of Django's signals: counts of wrong credentials, whichever way they came in (the
login form, the admin, the token endpoint all call `authenticate`), without touching them."""

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from parley import metrics


@receiver(user_login_failed, dispatch_uid="parley-count-login-failures")
def count_login_failure(sender, credentials, request=None, **kwargs) -> None:
    metrics.LOGIN_FAILURES.inc()
