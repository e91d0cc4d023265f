"""Start-up to the console's first frame, measured from the moment the Python process was started."""

from __future__ import annotations

import time


def first_frame(process_started: float) -> float:
    from tui_app.demo import demo_context
    from tui_app.fake import FakeStore, FakeVias
    from tui_app.ui.app import make_app

    server = FakeVias(FakeStore())  # not started: the first frame needs no network
    server.port = 1
    app = make_app(demo_context(server, text=""))
    shown: list[float] = []

    def on_first_frame() -> None:
        shown.append(time.time() - process_started)
        app.exit()

    app.call_after_refresh(on_first_frame)
    app.run(headless=True, size=(120, 40))
    return shown[0]
