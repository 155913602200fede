from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat

from parley.errors import ParleyError

from .models import Attachment, FileUsage, LinkPreview, Membership, Message, MessageEdit, Room
from .services.messages import message_delete
from .services.room_admin import room_archive, room_owner_transfer, room_unarchive


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
    list_display = (
        "slug",
        "name",
        "kind",
        "private",
        "owner",
        "last_seq",
        "created_at",
        "archived_at",
    )
    list_filter = ("kind", "private", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("slug", "name")
    # A room does not become a DM or stop being one; a DM's key is its people.
    readonly_fields = ("kind", "dm_key", "last_seq", "last_event_seq", "created_at", "archived_at")
    inlines = [MembershipInline]
    actions = ["archive", "unarchive"]

    def save_model(self, request, obj, form, change):
        """A new owner is handed the room as the services do (a member, recorded in the room's
        stream for its subscribers): how an administrator manages a private room they are not
        in, or one whose owner's account is gone (docs/api.md, "Owners")."""
        heir = obj.owner if change and "owner" in form.changed_data else None
        if heir is not None:
            obj.owner_id = form.initial.get("owner")  # the plain save keeps the old owner
        super().save_model(request, obj, form, change)
        if heir is None:
            return
        try:
            room_owner_transfer(room=obj, by=request.user, username=heir.username)
        except ParleyError as error:
            self.message_user(request, error.message, messages.ERROR)

    @admin.action(description="Archive the selected rooms (read-only, history kept)")
    def archive(self, request, queryset):
        for room in queryset:
            room_archive(room=room, by=request.user)
        self.message_user(request, "Archived; members are told at once.")

    @admin.action(description="Unarchive the selected rooms")
    def unarchive(self, request, queryset):
        for room in queryset:
            room_unarchive(room=room, by=request.user)
        self.message_user(request, "Unarchived.")


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


class LinkPreviewInline(admin.TabularInline):
    """A message's link previews (chat/tasks.py makes them), removed ones too: read only."""

    model = LinkPreview
    extra = 0
    fields = ("position", "url", "title", "site_name", "image_width", "created_at", "removed_at")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "link previews"

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
    inlines = [MessageEditInline, LinkPreviewInline]
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


@admin.register(Attachment)
class AttachmentAdmin(HidesOthersDMs, admin.ModelAdmin):
    """Files: who shared what where. Staff read the listing; the bytes stay behind the download
    view, which serves members only. Deleting a row here deletes its stored bytes too."""

    dm_path = "room"
    list_display = ("name", "uploader", "room", "content_type", "size", "created_at", "posted")
    list_filter = ("content_type",)
    search_fields = ("name", "uploader__username", "room__slug")
    readonly_fields = (
        "uploader",
        "room",
        "message",
        "name",
        "content_type",
        "size",
        "file",
        "width",
        "height",
        "thumbnail",
        "thumbnail_width",
        "thumbnail_height",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    @admin.display(boolean=True)
    def posted(self, attachment: Attachment) -> bool:
        return attachment.message_id is not None


@admin.register(FileUsage)
class FileUsageAdmin(admin.ModelAdmin):
    """Each user's files against their quota (PARLEY_FILES_QUOTA), most used first."""

    list_display = ("username", "files", "usage", "quota", "share")
    search_fields = ("username",)

    def get_queryset(self, request):
        return (
            FileUsage.objects.filter(is_guest=False)
            .annotate(used=Coalesce(Sum("attachments__size"), 0), count=Count("attachments"))
            .order_by("-used", "username")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="files", ordering="count")
    def files(self, user) -> int:
        return user.count

    @admin.display(description="usage", ordering="used")
    def usage(self, user) -> str:
        return filesizeformat(user.used)

    @admin.display(description="quota")
    def quota(self, user) -> str:
        return (
            filesizeformat(settings.PARLEY_FILES_QUOTA) if settings.PARLEY_FILES_QUOTA else "none"
        )

    @admin.display(description="used")
    def share(self, user) -> str:
        quota = settings.PARLEY_FILES_QUOTA
        return f"{100 * user.used / quota:.1f} %" if quota else "-"
