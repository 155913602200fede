from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Token, User, UserSession


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "is_guest", "is_staff", "date_joined")
    list_filter = ("is_guest", "is_staff", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            "Parley",
            {"fields": ("display_name", "status_emoji", "status_text", "time_zone", "is_guest")},
        ),
    )


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "prefix")


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Browser sessions, as their users see them on /settings/sessions/. The session key stays
    out of the page: it signs its holder in."""

    list_display = ("user", "created_at", "last_seen_at", "address", "user_agent")
    # A view only: deleting a row would not end its session (the user ends it on the settings
    # page; deactivating the user ends them all).
    exclude = ("session_key",)
    readonly_fields = ("user", "created_at", "last_seen_at", "address", "user_agent")
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
