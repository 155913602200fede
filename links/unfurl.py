"""A URL's card: what a link preview shows, fetched and read safely."""

import logging
from dataclasses import dataclass

from django.conf import settings

from .fetch import FetchRefused, fetch
from .images import ImageRefused, Thumbnail, thumbnail_make
from .opengraph import decode, opengraph_parse

logger = logging.getLogger(__name__)

HTML = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Card:
    url: str  # as the message wrote it
    title: str
    description: str
    site_name: str
    image: Thumbnail | None


def unfurl(url: str) -> Card | None:
    """The card of the page at `url`, or None when there is none to show: the page was refused
    (an address, a size, a time, a type; logged at WARNING with the reason) or has neither a
    title nor a description. An image that cannot be fetched or read leaves the card without
    one. Never raises for what a remote server does."""
    try:
        page = fetch(url, accept=HTML, max_bytes=settings.PARLEY_PREVIEW_MAX_BYTES)
    except FetchRefused as error:
        logger.warning("link preview refused for %s: %s", url[:200], error)
        return None
    graph = opengraph_parse(decode(page.body, page.charset), url=page.url)
    if not graph:
        logger.info("link preview: %s has no title or description", url[:200])
        return None
    thumbnail = None
    if graph.image:
        try:
            picture = fetch(
                graph.image, accept=("image/",), max_bytes=settings.PARLEY_PREVIEW_IMAGE_MAX_BYTES
            )
            thumbnail = thumbnail_make(picture.body)
        except (FetchRefused, ImageRefused) as error:
            logger.warning("link preview image refused for %s: %s", graph.image[:200], error)
    return Card(url, graph.title, graph.description, graph.site_name, thumbnail)
