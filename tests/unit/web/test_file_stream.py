"""Downloads served over ASGI (web/views/files.py, FileStream): read block by block as they are
sent, not the whole file into memory first, and without Django's warning in the log."""

import asyncio
import io
import warnings

from web.views.files import FileStream


class CountingFile(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads = 0

    def read(self, size=-1):
        self.reads += 1
        return super().read(size)


def test_an_asgi_server_reads_the_file_block_by_block_without_a_warning():
    data = bytes(range(256)) * 1000  # 256,000 bytes
    source = CountingFile(data)
    response = FileStream(source, content_type="application/octet-stream")
    response.block_size = 100_000

    async def first_then_rest():
        parts = aiter(response)
        first = await anext(parts)
        reads_at_first = source.reads
        rest = [part async for part in parts]
        return first, reads_at_first, rest

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django's "must consume synchronous iterators" fails
        first, reads_at_first, rest = asyncio.run(first_then_rest())
    assert reads_at_first == 1  # one block read when the first is sent, not the whole file
    assert [len(first), *map(len, rest)] == [100_000, 100_000, 56_000]
    assert first + b"".join(rest) == data
    response.close()
    assert source.closed


def test_served_synchronously_it_is_the_file_as_ever():
    response = FileStream(io.BytesIO(b"hello"), content_type="text/plain")
    assert response["Content-Length"] == "5"
    assert b"".join(response) == b"hello"
