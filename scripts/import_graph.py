"""Print tui_app's import graph between its top-level parts, layer by layer (the layers of pyproject.toml's
import-linter contract), and say whether every import points down. `--dot` prints Graphviz instead.

    python scripts/import_graph.py [--dot]

grimp (import-linter's graph builder) reads the imports; this only groups them by the contract's layers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import grimp
import tomlkit

ROOT = Path(__file__).resolve().parent.parent


def layers() -> list[list[str]]:
    """The contract's layers, top first; each a list of modules (':' independent siblings, '|' too)."""
    config = tomlkit.parse((ROOT / "pyproject.toml").read_text()).unwrap()
    contract = config["tool"]["importlinter"]["contracts"][0]
    return [[name.strip() for name in layer.replace("|", ":").split(":")] for layer in contract["layers"]]


def part_of(module: str, parts: list[str]) -> str | None:
    return next((p for p in parts if module == p or module.startswith(p + ".")), None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dot", action="store_true", help="print a Graphviz digraph")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("tui_app")
    order = layers()
    level = {part: n for n, layer in enumerate(order) for part in layer}
    edges: set[tuple[str, str]] = set()
    for module in graph.modules:
        source = part_of(module, list(level))
        for imported in graph.find_modules_directly_imported_by(module):
            target = part_of(imported, list(level))
            if source and target and source != target:
                edges.add((source, target))
    upward = sorted((a, b) for a, b in edges if level[b] < level[a])
    if args.dot:
        print("digraph tui_app {\n  rankdir=TB;")
        for a, b in sorted(edges):
            print(f'  "{a}" -> "{b}"{" [color=red]" if (a, b) in upward else ""};')
        print("}")
    else:
        for n, layer in enumerate(order):
            for part in layer:
                below = sorted(b for a, b in edges if a == part)
                print(f"{n:2}  {part:<28} -> {', '.join(below) or '(nothing of tui_app)'}")
        print(f"{len(edges)} imports between parts; {len(upward)} point up" + (f": {upward}" if upward else ""))
    return 1 if upward else 0


if __name__ == "__main__":
    raise SystemExit(main())
