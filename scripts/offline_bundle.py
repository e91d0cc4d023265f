#!/usr/bin/env python3
"""Build an offline install bundle of vias-tui for one Linux platform and Python version (docs/offline-install.md).

    python3 scripts/offline_bundle.py [--platform TAG] [--python-version X.Y] [--out DIR] [--verbose]

The bundle, DIR/vias-tui-<version>-cp<XY>-<platform>.tar.gz (with a .sha256 beside it), holds `wheelhouse/` (the
vias-tui wheel, every runtime dependency's wheel for that target, and pip's wheel, so the jump host needs no index
and no python3-venv), `SHA256SUMS`, `install.sh` and `README.txt`.

Why a script of our own: pip has no bundle command, and `pip download --platform --python-version` picks wheels for
the target but evaluates dependency markers (`python_version < "3.11"`) for the Python running pip (pypa/pip#11010):
built on 3.11 for 3.10, async-timeout would be missing. So pip resolves and fetches, then the wheels' metadata is
walked with the target's markers (`packaging`; pip fetches it if this Python lacks it) to fetch what pip left out
and drop what the target never loads.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PIP_TIMEOUT = 900  # seconds for one pip run: generous for a slow link, but a hung index cannot hang us for ever
MAX_ROUNDS = 8  # fetch rounds for what pip's host-side markers left out; each round must add a wheel
ARCHES = {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x", "riscv64", "loongarch64"}
LINUX_TAG = re.compile(r"(?:manylinux_\d+_\d+|manylinux1|manylinux2010|manylinux2014|musllinux_\d+_\d+|linux)_(.+)")
TAG_EXAMPLES = "manylinux_2_28_x86_64, manylinux2014_aarch64 or musllinux_1_2_x86_64"
# Why the index could not be reached (pip's last ERROR line then only says "from versions: none").
NETWORK_REASON = re.compile(
    r"Failed to establish a new connection: [^'\")]+|Temporary failure in name resolution|Name or service not known"
    r"|Connection refused|timed out|CERTIFICATE_VERIFY_FAILED[^'\")]*|ProxyError\([^'\")]*|Network is unreachable"
)


class BundleError(Exception):
    """One line for the operator; `code` 2 for bad arguments, 1 for everything else."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    platforms: tuple[str, ...]  # for pip's --platform; none: this machine's own tags (pip's default)
    label: str  # the platform part of the bundle's name
    python_version: str  # X.Y or X.Y.Z, as given to pip
    markers: dict[str, str]  # the PEP 508 environment of the jump host

    @property
    def minor(self) -> str:
        return ".".join(self.python_version.split(".")[:2])

    def describe(self) -> str:
        return f"CPython {self.python_version} on {self.label}"

    def pip_options(self) -> list[str]:
        options = ["--only-binary=:all:", "--implementation", "cp", "--python-version", self.python_version]
        return options + [option for tag in self.platforms for option in ("--platform", tag)]


def pip_platforms(tag: str) -> tuple[str, ...]:
    """The tags a machine with platform `tag` runs, newest first. pip expands only macOS and the two oldest
    manylinux names by itself: given manylinux_2_28_x86_64 alone it would refuse a manylinux_2_17 wheel."""
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    prefix, _, arch = tag.partition("_")
    if prefix in legacy:
        tag = f"manylinux_{legacy[prefix][0]}_{legacy[prefix][1]}_{arch}"
    if match := re.fullmatch(r"(manylinux|musllinux)_(\d+)_(\d+)_(.+)", tag):
        family, major, newest, arch = match[1], int(match[2]), int(match[3]), match[4]
        oldest = 5 if family == "manylinux" and major == 2 else 0
        tags = [f"{family}_{major}_{minor}_{arch}" for minor in range(newest, oldest - 1, -1)]
        if family == "manylinux":  # older wheels carry only the old names
            tags += [f"{name}_{arch}" for name, level in reversed(legacy.items()) if (major, newest) >= level]
        return tuple(tags)
    return (tag,)


def platform_markers(tag: str) -> dict[str, str]:
    """The marker values of a Linux machine with wheel platform `tag`, or a BundleError naming the mistake. (Jump
    hosts are Linux, and install.sh is POSIX sh: macOS and Windows tags are refused rather than half served.)"""
    bad = f"unknown platform tag {tag!r}: expected a Linux tag such as {TAG_EXAMPLES} (see docs/offline-install.md)"
    match = LINUX_TAG.fullmatch(tag)
    if "-" in tag or "." in tag or not match:
        raise BundleError(bad + ("; wheel tags use underscores" if "-" in tag or "." in tag else ""), 2)
    if match.group(1) not in ARCHES:
        hint = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(match.group(1))
        raise BundleError(bad + (f"; on Linux {match.group(1)} is spelt {hint}" if hint else ""), 2)
    return {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": match[1]}


def host_platform() -> tuple[str | None, str]:
    """(the tag to give pip, the label) for this machine. On glibc Linux the manylinux level is named, so the
    bundle says which glibc it needs; elsewhere pip's own idea of this machine is used, labelled by sysconfig."""
    glibc = os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else None
    plat = sysconfig.get_platform()  # e.g. linux-x86_64, macosx-14.0-arm64, win-amd64
    if glibc and glibc.startswith("glibc ") and plat.startswith("linux-"):
        major, minor = glibc.split()[1].split(".")[:2]
        tag = f"manylinux_{major}_{minor}_{plat.removeprefix('linux-')}"
        return tag, tag
    return None, re.sub(r"[-.]", "_", plat)


def make_target(platform_tag: str | None, python_version: str | None) -> Target:
    from packaging.markers import default_environment

    env = {key: str(value) for key, value in default_environment().items()}
    version = python_version or env["python_version"]
    if not re.fullmatch(r"3\.\d+(\.\d+)?", version):
        raise BundleError(f"--python-version {version!r}: expected X.Y or X.Y.Z, e.g. 3.11", 2)
    # pip reads "3.10" as 3.10.0 and so do the markers; only this machine's own Python has a known patch level.
    full = platform.python_version() if version == env["python_version"] else version
    full = full if full.count(".") == 2 else f"{full}.0"
    env.update(python_version=".".join(version.split(".")[:2]), python_full_version=full)
    env.update(implementation_name="cpython", platform_python_implementation="CPython", implementation_version=full)
    if platform_tag is None:
        tag, label = host_platform()
    else:
        env.update(platform_markers(platform_tag), platform_release="", platform_version="")
        tag, label = platform_tag, platform_tag
    return Target(pip_platforms(tag) if tag else (), label, version, env)


def pip_failure(output: str, step: str) -> str:
    """One line: the step, then pip's own reason (a connection error when there was one)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line.removeprefix("ERROR:").strip() for line in lines if line.startswith("ERROR:")]
    network = NETWORK_REASON.findall(output)
    reason = network[-1] if network else (errors[-1] if errors else (lines[-1] if lines else "pip said nothing"))
    return f"{step}: {reason}"


@dataclass(frozen=True)
class Pip:
    """pip as a subprocess (pip has no Python API). The output is kept: shown with --verbose, read on failure."""

    verbose: bool

    def run(self, args: list[str]) -> tuple[bool, str]:
        command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
        try:
            proc = subprocess.run(
                command, capture_output=True, text=True, timeout=PIP_TIMEOUT, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise BundleError(f"pip {args[0]} took longer than {PIP_TIMEOUT} s: is the package index slow?") from None
        if self.verbose:
            sys.stderr.write(proc.stdout + proc.stderr)
        return proc.returncode == 0, proc.stdout + proc.stderr


def load_packaging(pip: Pip, scratch: Path) -> None:
    """Make `packaging` importable: this Python's own, or a wheel pip fetches (a pure wheel imports from the zip)."""
    try:
        import packaging.markers  # noqa: F401
    except ImportError:
        ok, output = pip.run(["download", "--no-deps", "--only-binary=:all:", "-d", str(scratch), "packaging"])
        wheels = sorted(scratch.glob("packaging-*.whl"))
        if not ok or not wheels:
            raise BundleError(pip_failure(output, "fetching 'packaging', which this script needs")) from None
        sys.path.insert(0, str(wheels[-1]))


@dataclass(frozen=True)
class Wheel:
    name: str  # canonical
    version: str
    path: Path
    requires: tuple[str, ...]
    requires_python: str


def read_wheel(path: Path) -> Wheel:
    from packaging.utils import canonicalize_name, parse_wheel_filename

    name, version, _build, _tags = parse_wheel_filename(path.name)
    with zipfile.ZipFile(path) as archive:
        member = next(n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        headers = Parser().parsestr(archive.read(member).decode("utf-8"), headersonly=True)
    requires = tuple(headers.get_all("Requires-Dist") or ())
    return Wheel(canonicalize_name(name), str(version), path, requires, headers.get("Requires-Python") or "")


def applies(req: Requirement, extras: frozenset[str], markers: dict[str, str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**markers, "extra": extra}) for extra in (extras or {""}))


def walk(wheels: list[Wheel], root: str, markers: dict[str, str]) -> tuple[set[str], list[str]]:
    """(the names the target needs, the requirements no wheel here satisfies), from `root` with the target's
    markers. Every version of a name that is present counts: a spare version costs space, never a missing wheel."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    by_name: dict[str, list[Wheel]] = {}
    for wheel in wheels:
        by_name.setdefault(wheel.name, []).append(wheel)
    missing: set[str] = set()
    queue: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:  # bounded: each (name, extras) pair is expanded once
        name, extras = item = queue.pop()
        if item in seen:
            continue
        seen.add(item)
        for line in (line for wheel in by_name.get(name, []) for line in wheel.requires):
            req = Requirement(line)
            if not applies(req, extras, markers):
                continue
            dep = canonicalize_name(req.name)
            if not any(req.specifier.contains(w.version, prereleases=True) for w in by_name.get(dep, [])):
                req.marker = None  # pip would skip it again by this machine's markers
                missing.add(str(req))
            queue.append((dep, frozenset(req.extras)))
    return {name for name, _ in seen}, sorted(missing)


def complete(pip: Pip, house: Path, target: Target) -> list[Wheel]:
    """Fetch what the target's markers need and pip's host-side markers skipped; drop what the target never uses."""
    before: set[str] = set()
    for _ in range(MAX_ROUNDS):
        wheels = [read_wheel(path) for path in sorted(house.glob("*.whl"))]
        needed, missing = walk(wheels, "vias-tui", target.markers)
        if not missing:
            for wheel in wheels:
                if wheel.name not in needed and wheel.name != "pip":
                    wheel.path.unlink()
            return [w for w in wheels if w.name in needed or w.name == "pip"]
        if {w.path.name for w in wheels} == before:
            raise BundleError(f"pip fetched nothing new for {', '.join(missing)} ({target.describe()})")
        before = {w.path.name for w in wheels}
        ok, output = pip.run(["download", *target.pip_options(), "-d", str(house), *missing])
        if not ok:
            raise BundleError(diagnose(pip, output, target, "downloading " + ", ".join(missing)))
    raise BundleError(f"the dependencies for {target.describe()} did not settle after {MAX_ROUNDS} rounds")


def diagnose(pip: Pip, output: str, target: Target, step: str) -> str:
    """Name the dependency that has no wheel for the target, if that is what went wrong; else pip's reason.

    pip reports a missing wheel as "No matching distribution found for X", or, when it could backtrack, as a
    conflict ("P 1.0 depends on X>=2"); a probe of each named requirement (no dependencies) tells which one has
    no wheel. The version matters: an old X may have the wheel that the X wanted lacks."""
    found = [("", req) for req in re.findall(r"No matching distribution found for (\S+)", output)]
    found += re.findall(r"^\s*(\S+) \S+ depends on ([^;\n]+?)\s*(?:;|$)", output, re.MULTILINE)
    wanted: dict[str, str] = {}
    for parent, req in found:
        wanted.setdefault(req, parent)
    with tempfile.TemporaryDirectory() as scratch:
        for req, parent in list(wanted.items())[:5]:  # a few probes, one pip run each
            ok, _ = pip.run(["download", "--no-deps", *target.pip_options(), "-d", scratch, req])
            if not ok:
                needed_by = f" (needed by {parent})" if parent else ""
                return f"{req}{needed_by} has no wheel for {target.describe()}, so it cannot go in an offline bundle"
    return pip_failure(output, step)


def build(pip: Pip, target: Target, house: Path) -> list[Wheel]:
    house.mkdir(parents=True)
    # pip's own wheel first: install.sh installs with it (no ensurepip needed), and it is the network check: every
    # index has pip, so failing here means the index cannot be reached.
    ok, output = pip.run(["download", "--no-deps", *target.pip_options(), "-d", str(house), "pip"])
    if not ok:
        raise BundleError(pip_failure(output, "cannot reach the package index (network? HTTPS_PROXY? PIP_INDEX_URL?)"))
    with tempfile.TemporaryDirectory() as built:
        ok, output = pip.run(["wheel", "--no-deps", "-w", built, str(ROOT)])
        project = sorted(Path(built).glob("vias_tui-*.whl"))
        if not ok or not project:
            raise BundleError(pip_failure(output, "building the vias-tui wheel (pip wheel . --no-deps)"))
        check_python(target, read_wheel(project[0]).requires_python)
        ok, output = pip.run(["download", *target.pip_options(), "-d", str(house), str(project[0])])
    if not ok:
        raise BundleError(diagnose(pip, output, target, "downloading the dependencies"))
    return complete(pip, house, target)


def check_python(target: Target, requires_python: str | None = None) -> None:
    """Refuse a Python vias-tui does not support: by pyproject before anything is fetched (where tomllib exists,
    3.11+), and by the built wheel's metadata."""
    from packaging.specifiers import SpecifierSet

    if requires_python is None:
        try:
            import tomllib
        except ImportError:
            return
        with (ROOT / "pyproject.toml").open("rb") as stream:
            requires_python = str(tomllib.load(stream).get("project", {}).get("requires-python", ""))
    if not SpecifierSet(requires_python).contains(target.markers["python_full_version"]):
        raise BundleError(f"vias-tui needs Python {requires_python}, not {target.python_version}", 2)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


INSTALL_SH = r"""#!/bin/sh
# Install vias-tui @VERSION@ from this bundle with no package index: check every file against SHA256SUMS, make a
# venv (pip comes from the bundle, so Debian's python3-venv is not needed), install the wheels, and link
# ~/.local/bin/vias-tui (unless VIAS_TUI_NO_LINK=1).
# Usage: sh install.sh [VENV_DIR]   (default ~/.local/share/vias-tui/venv; PYTHON=python3.X picks the Python)
set -eu
want=@PYTHON@
fail() { echo "install.sh: $*" >&2; exit 1; }
venv=${1:-"$HOME/.local/share/vias-tui/venv"}
case $venv in /*) ;; *) venv="$PWD/$venv" ;; esac
python=${PYTHON:-python3}
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
cd "$here"

command -v sha256sum >/dev/null 2>&1 || fail "sha256sum (coreutils) is not installed: cannot check the bundle"
if ! out=$(sha256sum -c SHA256SUMS 2>&1); then
    printf '%s\n' "$out" | grep -v ': OK$' >&2 || true
    fail "the bundle does not match SHA256SUMS (the lines above name the files): copy it again"
fi

command -v "$python" >/dev/null 2>&1 || fail "$python not found: install Python $want or set PYTHON=python$want"
have=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || fail "$python does not run"
[ "$have" = "$want" ] || fail "this bundle is for Python $want but $python is Python $have:" \
    "set PYTHON=python$want, or build a bundle with --python-version $have"
if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ] && [ -n "$(ls -A "$venv" 2>/dev/null)" ]; then
    fail "$venv exists and is not a venv: give another directory"
fi
"$python" -m venv --clear --without-pip "$venv" || fail "could not make a venv in $venv"
"$venv/bin/python" "$here/wheelhouse/@PIP_WHEEL@/pip" install --no-index --find-links "$here/wheelhouse" \
    --disable-pip-version-check --no-cache-dir --quiet pip "vias-tui==@VERSION@" \
    || fail "pip could not install from the bundle (see above)"
"$venv/bin/vias-tui" --version >/dev/null || fail "$venv/bin/vias-tui does not start"
echo "installed vias-tui @VERSION@ in $venv"

link="$HOME/.local/bin/vias-tui"  # never over a file of the user's own
if [ "${VIAS_TUI_NO_LINK:-0}" != 1 ] && { [ ! -e "$link" ] || [ -L "$link" ]; }; then
    mkdir -p "$HOME/.local/bin" && ln -sfn "$venv/bin/vias-tui" "$link" && echo "linked $link"
    case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) echo "note: ~/.local/bin is not on PATH yet (log in again)" ;; esac
else
    echo "$link left alone (not a link, or VIAS_TUI_NO_LINK=1): run $venv/bin/vias-tui"
fi
"""


def write_bundle(stage: Path, wheels: list[Wheel], target: Target, builder: str) -> None:
    version = next(w.version for w in wheels if w.name == "vias-tui")
    pip_wheel = next(w.path.name for w in wheels if w.name == "pip")
    script = INSTALL_SH.replace("@VERSION@", version).replace("@PYTHON@", target.minor)
    (stage / "install.sh").write_text(script.replace("@PIP_WHEEL@", pip_wheel))
    (stage / "install.sh").chmod(0o755)
    listing = "".join(f"  {name}\n" for name in sorted(w.path.name for w in wheels))
    (stage / "README.txt").write_text(
        f"vias-tui {version}: offline bundle for {target.describe()}\nBuilt with {builder}.\n\n"
        "Install (no network needed; checks SHA256SUMS first):\n  sh install.sh [VENV_DIR]\n\n"
        "Or by hand:\n  sha256sum -c SHA256SUMS\n"
        f"  python{target.minor} -m venv --without-pip VENV\n"
        f"  VENV/bin/python wheelhouse/{pip_wheel}/pip install --no-index --find-links wheelhouse pip vias-tui\n\n"
        f"Wheels:\n{listing}See docs/offline-install.md in the vias-tui repository.\n"
    )
    files = sorted(path for path in stage.rglob("*") if path.is_file())
    (stage / "SHA256SUMS").write_text("".join(f"{sha256(p)}  {p.relative_to(stage).as_posix()}\n" for p in files))


def pack(stage: Path, name: str, out: Path) -> Path:
    """stage -> out/name.tar.gz (written aside, then renamed) and name.tar.gz.sha256; the builder's user and
    umask stay out of the archive."""

    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o755 if info.isdir() or info.name.endswith(".sh") else 0o644
        return info

    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"{name}.tar.gz"
    partial = out / f".{name}.tar.gz.part"
    with tarfile.open(partial, "w:gz") as tar:
        tar.add(stage, arcname=name, filter=clean)
    partial.replace(archive)
    (out / f"{name}.tar.gz.sha256").write_text(f"{sha256(archive)}  {archive.name}\n")
    return archive


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build an offline install bundle of vias-tui (one tar.gz).")
    parser.add_argument("--platform", help=f"the jump host's wheel platform tag, e.g. {TAG_EXAMPLES} (default: here)")
    parser.add_argument("--python-version", help="the jump host's Python, X.Y (default: the Python running this)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the archive goes (default: dist/)")
    parser.add_argument("--verbose", action="store_true", help="show pip's output")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, pip: Pip, scratch: Path) -> tuple[Path, int]:
    ok, version_line = pip.run(["--version"])
    if not ok:
        raise BundleError(f"pip is not available for {sys.executable}: use a venv's python (docs/install.md)")
    if args.platform is not None:
        platform_markers(args.platform)  # a bad tag is refused before anything is fetched
    load_packaging(pip, scratch / "packaging")
    target = make_target(args.platform, args.python_version)
    check_python(target)
    print(f"building an offline bundle for {target.describe()}", flush=True)
    stage = scratch / "bundle"
    wheels = build(pip, target, stage / "wheelhouse")
    version = next(w.version for w in wheels if w.name == "vias-tui")
    write_bundle(stage, wheels, target, " ".join(version_line.split()[:2]))
    name = f"vias-tui-{version}-cp{target.minor.replace('.', '')}-{target.label}"
    return pack(stage, name, args.out), len(wheels)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="vias-bundle-") as scratch:
            archive, count = run(args, Pip(args.verbose), Path(scratch))
    except BundleError as exc:
        print(f"offline_bundle: {exc}", file=sys.stderr)
        return exc.code
    except OSError as exc:
        print(f"offline_bundle: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 1
    name = archive.name.removesuffix(".tar.gz")
    print(f"wrote {archive} ({count} wheels, {archive.stat().st_size / 1e6:.1f} MB)")
    print(f"sha256 {sha256(archive)} (also in {archive.name}.sha256)")
    print(f"on the jump host: sha256sum -c {archive.name}.sha256 && tar xzf {archive.name} && sh {name}/install.sh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
