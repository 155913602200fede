"""The caller's email notifications: read them, turn them off or on."""

from ninja import Router

from notifications.selectors import email_notifications
from notifications.services import email_notifications_set

from .auth import AuthenticatedRequest
from .schemas import EmailNotificationsIn, EmailNotificationsOut, errors

router = Router(tags=["notifications"])


@router.get("/notifications/email", response={200: EmailNotificationsOut, **errors(401)})
def email_get(request: AuthenticatedRequest):
    """Where the caller's email digests go (blank: they have no address) and whether they are on."""
    return email_notifications(user=request.auth)


@router.put("/notifications/email", response={200: EmailNotificationsOut, **errors(400, 401, 413)})
def email_put(request: AuthenticatedRequest, data: EmailNotificationsIn):
    """Turn the caller's email digests off (`false`) or on (`true`)."""
    email_notifications_set(user=request.auth, enabled=data.enabled)
    return email_notifications(user=request.auth)
