"""`vias-tui` with no command opens the console; `--demo` runs it against a built-in fake VIAS."""

from __future__ import annotations

import argparse

from tui_app.problems import EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.demo:
        return run_demo(args)
    from tui_app.settings import Profile, SettingsError, load_profiles, resolve_target, selected_profile_name
    from tui_app.ui.app import ConsoleContext, make_app
    from tui_app.vias.endpoints import iam_endpoint_for

    profile_name = selected_profile_name(args.profile)
    target, problem = None, None
    try:
        target = resolve_target(args.profile, region=args.region, endpoint=args.endpoint,
                                project_id=args.project_id, ca_bundle=args.ca_bundle)
    except SettingsError as exc:
        problem = str(exc)
    profile = load_profiles().get(profile_name, Profile(profile_name))
    region = (target.endpoint.region if target else None) or args.region or profile.region
    context = ConsoleContext(profile=profile_name, target=target, target_problem=problem, timeout=args.timeout,
                             iam_endpoint=iam_endpoint_for(region) if region else None, iam_region=region,
                             iam_account=profile.iam_domain, iam_user=profile.iam_user)
    return make_app(context).run() or EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    from tui_app.demo import demo_context, isolate_demo_state
    from tui_app.fake import running_in_thread
    from tui_app.ui.app import make_app

    isolate_demo_state()
    from tui_app.demo import demo_server

    with running_in_thread(demo_server()) as server:
        return make_app(demo_context(server)).run() or EXIT_OK
