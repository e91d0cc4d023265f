"""Hatchling build hook: compile the translation catalogs (tui_app/locale/*/LC_MESSAGES/*.po) into the .mo files
gettext reads, with Babel, for every wheel (`pip install .`, `pip wheel .`) and editable install (`pip install -e .`).
The .mo files are build products, ignored by git: they are added to the wheel as artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("tui_app") / "locale"


def compile_catalogs(root: Path) -> list[Path]:
    """Compile every .po under root/tui_app/locale next to itself; the .mo paths, relative to root. Fuzzy entries
    are left out (Babel's default), so a guess nobody checked never reaches an operator."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po in sorted((root / LOCALE).glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog)
        compiled.append(mo.relative_to(root))
    return compiled


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":  # an sdist carries the .po sources; its wheel compiles them
            return
        for mo in compile_catalogs(Path(self.root)):
            build_data["artifacts"].append(mo.as_posix())
