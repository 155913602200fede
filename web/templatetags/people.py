"""`{{ user|avatar }}`: a user's avatar payload ({"initials", "color", "url"}), for
web/_avatar.html where a page lists users rather than payloads (a room's members)."""

from django import template

from accounts.models import User
from accounts.payloads import user_payload

register = template.Library()


@register.filter
def avatar(user: User) -> dict:
    return user_payload(user)["avatar"]
