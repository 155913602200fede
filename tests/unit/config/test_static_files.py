"""Static files through the ASGI application: a path that tries to leave the static
directories is a 404 like any missing file, never a 500."""

import pytest
from channels.testing import HttpCommunicator


async def get(path: str) -> dict:
    from config.asgi import application

    communicator = HttpCommunicator(application, "GET", path, headers=[(b"host", b"testserver")])
    return await communicator.get_response(timeout=5)


async def test_a_missing_static_file_is_404():
    assert (await get("/static/parley/nope.js"))["status"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../etc/passwd",
        "/static/parley/../../../../etc/passwd",
        "/static//etc/passwd",
        "/static/..\\..\\x",
    ],
)
async def test_path_traversal_under_static_is_404(path):
    assert (await get(path))["status"] == 404
