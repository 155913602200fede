"""chat's background jobs (jobs/): work a message causes that is done off the request path."""

from jobs import job


@job(retries=3)
def previews_make(message_id: int) -> None:
    """Unfurl the links of message `message_id` and attach their previews (link previews are
    fetched here, never in the post's transaction). Idempotent: a second run adds nothing."""
    from .services.previews import previews_refresh

    previews_refresh(message_id=message_id)
