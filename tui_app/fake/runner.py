"""The fake VIAS in a background thread with its own event loop (for CLI, tmux and subprocess tests)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from tui_app.fake.server import FakeVias


@contextlib.contextmanager
def running_in_thread(server: FakeVias) -> Iterator[FakeVias]:
    """Run the fake in a background thread with its own loop (for CLI, tmux and subprocess tests)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.close()

    thread = threading.Thread(target=serve, name="fake-vias", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("fake VIAS did not start")
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
