"""Loops that must stop when cancelled, even when a library swallowed the cancellation.

redis-py (8.x) can return normally from a command whose task was cancelled while it ran: the
CancelledError never reaches the caller, and a `while True` around it would go on forever
(a server's shutdown, or a test's event loop, then waits on it for good). Task.cancelling()
still counts the request, so each such loop checks it after its await.
"""

import asyncio


def stop_if_cancelled() -> None:
    """Raise CancelledError if the current task was asked to stop and is still running."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
