from django.contrib import admin

from .models import EmailPreference


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    """Turn a user's digests off or on; the rest is the job's state, shown to explain it."""

    list_display = ("user", "enabled", "last_digest_at")
    list_filter = ("enabled",)
    search_fields = ("user__username",)
    autocomplete_fields = ("user",)
    readonly_fields = ("last_digest_at", "claim", "claimed_until")
