"""Link previews on a room's messages: their thumbnails, and their removal by the author."""

from django.http import HttpResponse
from ninja import Router, Status

from chat.selectors import preview_image
from chat.services.previews import preview_remove

from .auth import AuthenticatedRequest
from .rooms import room_visible
from .schemas import errors

router = Router(tags=["messages"])


@router.delete(
    "/rooms/{slug}/messages/{id}/previews/{preview_id}",
    response={204: None, **errors(400, 401, 403, 404, 409)},
)
def preview_delete(request: AuthenticatedRequest, slug: str, id: int, preview_id: int):
    """Remove a link preview from a message (its author, the room's owner or an administrator).
    It is not made again; subscribers get `message_updated`. 404 when it is already removed."""
    room = room_visible(slug=slug, user=request.auth)
    preview_remove(by=request.auth, room=room, message_id=id, preview_id=preview_id)
    return Status(204, None)


@router.get(
    "/rooms/{slug}/messages/{id}/previews/{preview_id}/image",
    response={200: None, **errors(400, 401, 404)},
    openapi_extra={
        "responses": {200: {"description": "The thumbnail", "content": {"image/jpeg": {}}}}
    },
)
def preview_image_get(request: AuthenticatedRequest, slug: str, id: int, preview_id: int):
    """A link preview's thumbnail (a JPEG Parley made from the site's image), for whoever may
    read the message; 404 alike for a room, message or preview that is not there or not
    theirs to see."""
    room = room_visible(slug=slug, user=request.auth)
    preview = preview_image(room=room, message_id=id, preview_id=preview_id, user=request.auth)
    with preview.image.open("rb") as image:
        response = HttpResponse(image.read(), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="preview.jpg"'
    # A preview's image never changes (another card is another preview): private caching only.
    response["Cache-Control"] = "private, max-age=86400"
    return response
