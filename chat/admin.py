from django.contrib import admin
from django.db.models import Q

from .models import Membership, Message, MessageEdit, Room
from .services.messages import message_delete


class HidesOthersDMs:
    """Direct messages are for their members: staff see only their own in the admin; a
    superuser (the operator, who holds the database anyway) sees every one. `dm_path` is the
    lookup from the listed model to its room."""

    dm_path = ""

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        prefix = f"{self.dm_path}__" if self.dm_path else ""
        return rows.exclude(
            Q(**{f"{prefix}kind": Room.Kind.DM})
            & ~Q(**{f"{prefix}memberships__user": request.user})
        )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Room)
class RoomAdmin(HidesOthersDMs, admin.ModelAdmin):
    list_display = ("slug", "name", "kind", "private", "owner", "last_seq", "created_at")
    list_filter = ("kind", "private")
    search_fields = ("slug", "name")
    readonly_fields = ("last_seq", "last_event_seq", "created_at")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(HidesOthersDMs, admin.ModelAdmin):
    dm_path = "room"
    list_display = ("room", "user", "joined_at")
    search_fields = ("room__slug", "user__username")


class MessageEditInline(admin.TabularInline):
    """A message's earlier bodies, oldest first: read only, as the message is."""

    model = MessageEdit
    extra = 0
    fields = ("replaced_at", "body")
    readonly_fields = ("replaced_at", "body")
    can_delete = False
    verbose_name = "earlier body"
    verbose_name_plural = "edit history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(HidesOthersDMs, admin.ModelAdmin):
    dm_path = "room"
    # Messages are written only through chat.services (seq, events, broadcast); the admin reads.
    list_display = ("room", "seq", "author", "body", "created_at", "edited_at", "deleted_at")
    list_filter = ("room",)
    search_fields = ("body",)
    readonly_fields = (
        "room",
        "seq",
        "event_seq",
        "version",
        "author",
        "body",
        "html",
        "is_action",
        "client_id",
        "created_at",
        "edited_at",
        "deleted_at",
        "thread_root",
        "in_room",
        "reply_count",
        "last_reply_at",
        "pinned_at",
        "pinned_by",
    )
    inlines = [MessageEditInline]
    actions = ["delete_bodies"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A message is deleted as its author would (a tombstone in the room's event stream,
        # the body gone), never as a row: clients resuming would keep a message that vanished.
        return False

    @admin.action(description="Delete the selected messages (their bodies are removed)")
    def delete_bodies(self, request, queryset):
        deleted = 0
        for message in queryset.filter(deleted_at__isnull=True).select_related("room"):
            message_delete(by=request.user, room=message.room, message_id=message.pk, operator=True)
            deleted += 1
        self.message_user(request, f"Deleted {deleted} message(s); their tombstones stay.")
