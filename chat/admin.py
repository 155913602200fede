from django.contrib import admin

from .models import Membership, Message, Room


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "private", "owner", "last_seq", "created_at")
    list_filter = ("private",)
    search_fields = ("slug", "name")
    readonly_fields = ("last_seq", "created_at")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("room", "user", "joined_at")
    search_fields = ("room__slug", "user__username")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    # Messages are written only through chat.services (seq, broadcast); the admin reads.
    list_display = ("room", "seq", "author", "body", "created_at")
    list_filter = ("room",)
    search_fields = ("body",)
    readonly_fields = ("room", "seq", "author", "body", "client_id", "created_at")

    def has_add_permission(self, request):
        return False
