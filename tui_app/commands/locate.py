"""`vias-tui locate`: where are these batch tasks? The current project first, then every other project the
credentials can see (from IAM), each region's list paged within a budget. Read-only: never deletes; for what it
finds elsewhere it prints one `vias-tui delete` line per project, which asks for its own confirmation there.

Exit codes: 0 every ID found; 1 some not found (or not every project could be searched); 2 usage or input error;
3 no usable credentials, or IAM/VIAS rejected them; 130 interrupted.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui_app.commands.options import TARGET, add_globals, target_from
from tui_app.commands.streams import Streams
from tui_app.i18n import _

if TYPE_CHECKING:
    from tui_app.locate import Search, Where

HONOURED = TARGET | {"auth", "timeout", "output"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "locate",
        help=_("find batch tasks in your other projects and regions (read-only)"),
        description=_(
            "Look for the IDs in the current project, then in every other project the credentials can see (listed "
            "by IAM). Nothing is deleted; for what is found elsewhere, one delete command per project is printed."
        ),
    )
    add_globals(parser, HONOURED, on_subcommand=True)
    parser.add_argument("--ids-file", required=True, metavar="PATH", help=_("file with IDs, or - for stdin"))
    parser.add_argument(
        "--iam-endpoint", help=_("IAM's URL (default: VIAS_IAM_ENDPOINT, the profile, then https://iam.REGION...)")
    )
    parser.add_argument(
        "--pages",
        type=int,
        metavar="N",
        help=_("page budget per project: at most N pages of 200 batch tasks each (default 50)"),
    )
    parser.add_argument(
        "--others-only", action="store_true", help=_("do not look in the current project (a preview already did)")
    )
    parser.set_defaults(command="locate", honoured=HONOURED, handler=run)


def run(args: argparse.Namespace, io: Streams) -> int:
    import asyncio

    from tui_app.credentials import auth_mode, find_credentials
    from tui_app.ids import escaped, parse, read_ids_text
    from tui_app.locate import PAGE_BUDGET, Where, carried_options, locate_elsewhere
    from tui_app.problems import EXIT_AUTH, EXIT_INCOMPLETE, EXIT_OK, OperatorError
    from tui_app.sdk_credentials import ambient_secrets
    from tui_app.settings import iam_endpoint, region_endpoints, selected_profile
    from tui_app.vias.wire import tls_context

    pages = PAGE_BUDGET if args.pages is None else args.pages
    if not 1 <= pages <= 1000:
        raise OperatorError(_("--pages {pages}: give 1 to 1000 pages per project").format(pages=pages))
    target = target_from(args)
    profile = selected_profile(args.profile)
    lookup = find_credentials(target.profile, auth_mode(args.auth, profile.auth))
    credentials = lookup.credentials
    if credentials is None:
        raise OperatorError(lookup.explain_missing(target.profile), EXIT_AUTH)
    plan = parse(read_ids_text(args.ids_file, io.stdin)).without_secrets(credentials.secrets() + ambient_secrets())
    if not plan.valid:
        raise OperatorError(_("no valid IDs to look for; nothing was sent"))
    tls = tls_context(target.ca_bundle) if target.endpoint.base_url.startswith("https:") else None
    where = Where(
        target.project_id,
        credentials.auth(),
        target.http(args.timeout, tls=tls),
        iam_endpoint(args.iam_endpoint, profile, target.endpoint.region),
        region_endpoints(profile),
        home=None if args.others_only else target.endpoint,
        profile=target.profile,
        carried=carried_options(ca_bundle=args.ca_bundle, auth=args.auth, proxy=args.proxy),
    )
    io.warn(
        _("Looking for {count:,} ID(s); IAM {iam}; at most {pages} page(s) per project.").format(
            count=len(plan.valid), iam=where.iam.label, pages=pages
        )
    )
    tty = io.stderr.isatty()

    def progress(search: Search) -> None:
        if tty and search.current is not None:
            io.stderr.write(
                "\r\x1b[2K"
                + _("searching {project} ({number} of {projects}): {found:,} of {total:,} found").format(
                    project=escaped(search.current.name),
                    number=search.done + 1,
                    projects=len(search.projects),
                    found=len(search.found),
                    total=len(search.ids),
                )
            )
            io.stderr.flush()

    search = asyncio.run(locate_elsewhere(where, plan.valid, page_budget=pages, on_progress=progress))
    if tty:
        io.stderr.write("\r\x1b[2K")
    print_search(search, where, io)
    if search.rejected:
        return EXIT_AUTH
    return EXIT_OK if not search.missing and not search.failed else EXIT_INCOMPLETE


def print_search(search: Search, where: Where, io: Streams) -> None:
    from tui_app.commands.documents import in_english
    from tui_app.ids import escaped
    from tui_app.locate import why

    if search.error is not None:
        io.warn(
            _("vias-tui: IAM did not list your projects ({why}). Nothing was searched.").format(why=why(search.error))
        )
    for task_id in search.ids:
        io.say(f"{task_id}  {search.where(task_id)}")
    for project, error in search.failed:
        io.warn(
            _("  could not search {name} (project {project}): {why}").format(
                name=escaped(project.name), project=project.id, why=why(error)
            )
        )
    for project in search.partly:
        io.warn(
            _("  {name} (project {project}): only its first pages were read (raise --pages)").format(
                name=escaped(project.name), project=project.id
            )
        )
    for project in search.no_endpoint:
        io.warn(
            _(
                "  {name} (project {project}): no VIAS endpoint known for that region (set VIAS_ENDPOINT_TEMPLATE or "
                "the profile's endpoint_template)"
            ).format(name=escaped(project.name), project=project.id)
        )
    commands = search.offered(where)
    if commands:
        io.say(_("To delete them where they are (each command previews and asks for its own confirmation):"))
        for line in commands:
            io.say(f"  {line}")
    if io.json_output:
        io.document(in_english(lambda: _document(search, commands)))


def _document(search: Search, commands: list[str]) -> dict[str, object]:
    from tui_app.locate import why

    return {
        "schema_version": 1,
        "command": "locate",
        "error": None if search.error is None else why(search.error),
        "ids": [_entry(search, task_id) for task_id in search.ids],
        "projects_searched": [p.id for p in search.searched],
        "projects_failed": [{"project_id": p.id, "name": p.name, "why": why(error)} for p, error in search.failed],
        "projects_partly": [p.id for p in search.partly],
        "projects_without_endpoint": [p.id for p in search.no_endpoint],
        "stopped": search.stopped,
        "commands": commands,
    }


def _entry(search: Search, task_id: str) -> dict[str, object]:
    hit = search.found.get(task_id)
    if hit is None:
        return {"id": task_id, "found": False, "where": search.where(task_id)}
    return {
        "id": task_id,
        "found": True,
        "region": hit.project.region,
        "project_id": hit.project.id,
        "project_name": hit.project.name,
        "name": hit.name,
        "current_target": hit.project.id == search.home,
    }
