"""`vias-tui` with no command opens the console; `--demo` runs it against a built-in fake VIAS.

The console speaks the language cli.main chose: the UI modules are imported here, after it, because Textual reads
the bindings' descriptions (wrapped in `_()`) when their classes are defined.

Textual draws on stderr. When stderr is redirected (`vias-tui 2>err.log`), the console draws on the controlling
terminal (/dev/tty) instead, and the log gets nothing but what is printed after the console closes; with no
terminal at all it refuses with one line.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tui_app.commands.options import RUN, target_from
from tui_app.commands.streams import Streams
from tui_app.i18n import _
from tui_app.problems import EXIT_OK, EXIT_USAGE, OperatorError

if TYPE_CHECKING:
    from tui_app.ui.app import ViasApp

HONOURED = RUN  # `vias-tui` with no command takes the target and run options (and --demo)


def run(args: argparse.Namespace, io: Streams) -> int:
    with _terminal(io):
        app = _run_demo(args) if args.demo else _run_console(args)
    if app.exit_note:  # after the console gave the terminal back: what was done, and how to finish it
        io.say(app.exit_note)
    return app.return_code or EXIT_OK


def _run_console(args: argparse.Namespace) -> ViasApp:
    from tui_app.credentials import auth_mode
    from tui_app.engine import DEFAULT_CONCURRENCY
    from tui_app.settings import (
        SettingsError,
        concurrency_setting,
        explicit_proxy,
        iam_endpoint,
        region_endpoints,
        selected_profile,
    )
    from tui_app.ui.app import make_app
    from tui_app.ui.context import ConsoleContext

    profile = selected_profile(args.profile)
    target, problem = None, None
    try:
        target = target_from(args)
    except SettingsError as exc:
        problem = str(exc)
    concurrency, source = concurrency_setting(args.concurrency, profile, DEFAULT_CONCURRENCY)
    region = (target.endpoint.region if target else None) or args.region or profile.region
    try:
        iam_url: str | None = iam_endpoint(None, profile, region).base_url
    except SettingsError:
        iam_url = None  # no region and no IAM endpoint: the credentials screen asks for the region
    context = ConsoleContext(
        profile=profile.name,
        target=target,
        target_problem=problem,
        timeout=args.timeout,
        concurrency=concurrency,
        concurrency_source=source,
        auth_mode=auth_mode(args.auth, profile.auth),
        iam_endpoint=iam_url,
        iam_region=region,
        iam_account=profile.iam_domain,
        iam_user=profile.iam_user,
        iam_user_id=profile.iam_user_id,
        proxy=explicit_proxy(args.proxy, profile),
        ca_bundle=args.ca_bundle or profile.ca_bundle,
        region_endpoints=region_endpoints(profile),
    )
    app = make_app(context)
    app.run()
    return app


def _run_demo(args: argparse.Namespace) -> ViasApp:
    from tui_app.demo import demo_context, demo_server
    from tui_app.fake import running_in_thread
    from tui_app.ui.app import make_app

    with running_in_thread(demo_server()) as server:
        app = make_app(demo_context(server, concurrency=args.concurrency or 4))
        app.run()
        return app


@contextlib.contextmanager
def _terminal(io: Streams) -> Iterator[None]:
    """Make sure the console has a terminal to draw on and read from (see the module docstring)."""
    if not io.interactive():
        raise OperatorError(_("the console needs a terminal on stdin; for scripts use `vias-tui delete`"), EXIT_USAGE)
    if sys.stderr.isatty():
        yield
        return
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        raise OperatorError(
            _(
                "stderr is redirected and there is no terminal (/dev/tty) to draw the console on; "
                "for scripts use `vias-tui delete`"
            ),
            EXIT_USAGE,
        ) from None
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(tty, 2)
    os.close(tty)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
