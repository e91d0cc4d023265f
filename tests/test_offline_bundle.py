"""scripts/offline_bundle.py: a bundle built here installs with the index switched off; bundles for another platform
and Python hold the right wheels; bad tags, no network, no wheel, a changed file and the wrong Python each end in
one line.

The tests marked slow build real bundles from the package index (PyPI, or PIP_INDEX_URL), so they are the only
tests in the suite that leave 127.0.0.1. Without the index they skip, or fail when VIAS_REQUIRE_NETWORK=1 (read at
import: the suite's autouse fixture clears VIAS_* before each test). pip's cache is kept, so a rerun downloads
little. The rest run offline: the failure paths of the script and of the bundle's install.sh.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import ssl
import subprocess
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import ROOT, SECRET_TOKEN, assert_no_secret
from tui_app import __version__

SCRIPT = ROOT / "scripts" / "offline_bundle.py"
REQUIRE_NETWORK = os.environ.get("VIAS_REQUIRE_NETWORK") == "1"
# Kept from the caller's pip settings: where the index is, its CA and the cache. Find-links, extra indexes,
# constraints and config files are dropped, so the bundle comes from the index alone.
PIP_KEEP = ("PIP_INDEX_URL", "PIP_CERT", "PIP_CACHE_DIR", "PIP_DEFAULT_TIMEOUT")
DEAD_INDEX = "http://127.0.0.1:9/simple"  # nothing listens on the discard port


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("offline_bundle", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["offline_bundle"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


bundle_script = load_script()


def pip_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in PIP_KEEP}
    env.pop("PYTHONPATH", None)
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


def build(out: Path, *args: str, python: str = sys.executable, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, str(SCRIPT), "--out", str(out), *args],
        capture_output=True,
        text=True,
        env=pip_env(**env),
        cwd=out.parent,
        timeout=600,
    )


def run_in(
    cwd: Path, *command: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """A command as an operator runs it: from a directory of its own, not with this checkout on the path."""
    return subprocess.run(list(command), capture_output=True, text=True, env=env or pip_env(), cwd=cwd, timeout=timeout)


def install(bundle: Path, venv: Path, home: Path, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    """The bundle's install.sh with the index switched off three ways: --no-index (its own), PIP_NO_INDEX, and an
    index URL where nothing listens, so any fallback to the network fails."""
    env = pip_env(PIP_NO_INDEX="1", PIP_INDEX_URL=DEAD_INDEX, HOME=str(home), PYTHON=python)
    return run_in(bundle.parent, str(bundle / "install.sh"), str(venv), env=env, timeout=300)


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr and len(lines) == 1, proc.stderr
    assert lines[0].startswith("offline_bundle: "), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def index() -> str:
    """The package index the slow tests build from; skip (or fail, if required) when it cannot be reached."""
    url = os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple/"
    parts = urllib.parse.urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname}"  # never the user:password an index URL may carry
    context = ssl.create_default_context(cafile=os.environ.get("PIP_CERT") or None)
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/pip/", timeout=15, context=context) as answer:
            answer.read(1024)
    except (OSError, urllib.error.URLError) as exc:
        message = f"the package index {shown} cannot be reached ({type(exc).__name__}): the bundle needs it"
        if REQUIRE_NETWORK:
            pytest.fail(message + " (VIAS_REQUIRE_NETWORK=1)")
        pytest.skip(message)
    return shown


def unpack(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # 3.10.12+, 3.11.4+: refuse links and paths that leave `into`
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)  # our own archive, just built
    (bundle,) = into.iterdir()
    assert bundle.name == archive.name.removesuffix(".tar.gz")
    return bundle


def check_sums(bundle: Path) -> list[str]:
    """SHA256SUMS names every other file, with its true hash, and `sha256sum -c` agrees. Returns the wheel names."""
    listed = {}
    for line in (bundle / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest, name
    if shutil.which("sha256sum"):
        proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=bundle, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return sorted(name.removeprefix("wheelhouse/") for name in listed if name.startswith("wheelhouse/"))


def projects(wheels: list[str]) -> set[str]:
    return {re.sub(r"[-_.]+", "-", name.split("-")[0]).lower() for name in wheels}


def archive_in(out: Path, proc: subprocess.CompletedProcess[str]) -> Path:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (archive,) = out.glob("*.tar.gz")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (out / f"{archive.name}.sha256").read_text() == f"{digest}  {archive.name}\n"
    return archive


@pytest.mark.slow
def test_bundle_for_this_machine_installs_with_the_index_off(index: str, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    archive = archive_in(out, build(out))
    tag = bundle_script.host_platform()[1]
    assert archive.name == f"vias-tui-{__version__}-cp{sys.version_info[0]}{sys.version_info[1]}-{tag}.tar.gz"
    bundle = unpack(archive, tmp_path / "jump-host")
    wheels = check_sums(bundle)
    assert {"vias-tui", "pip", "textual", "httpx", "keyring", "tomlkit", "platformdirs"} <= projects(wheels)
    assert not projects(wheels) & {"pytest", "respx", "hypothesis", "mypy", "ruff"}  # not the test extra

    home, venv = tmp_path / "home", tmp_path / "venv"
    proc = install(bundle, venv, home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"installed vias-tui {__version__} in {venv}" in proc.stdout
    for command in (venv / "bin" / "vias-tui", home / ".local" / "bin" / "vias-tui"):
        run = run_in(tmp_path, str(command), "--version")
        assert run.returncode == 0 and run.stdout.strip() == f"vias-tui {__version__}", run.stdout + run.stderr
    # Exactly the bundle's wheels went in, and the package that runs is the installed one, not this checkout.
    show = (
        "import importlib.metadata as m, tui_app; print(tui_app.__file__); [print(d.name) for d in m.distributions()]"
    )
    location, *names = run_in(tmp_path, str(venv / "bin" / "python"), "-c", show).stdout.split()
    assert location.startswith(str(venv)), location
    assert {re.sub(r"[-_.]+", "-", n).lower() for n in names} == projects(wheels)
    check = run_in(tmp_path, str(venv / "bin" / "python"), "-m", "pip", "check")
    assert check.returncode == 0, check.stdout  # every requirement of every installed wheel is met

    # Again over the same venv (the upgrade path), for a user whose ~/.local/bin/vias-tui is a file of their own.
    mine = tmp_path / "other-home" / ".local" / "bin" / "vias-tui"
    mine.parent.mkdir(parents=True)
    mine.write_text("#!/bin/sh\necho mine\n")
    again = install(bundle, venv, tmp_path / "other-home")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{mine} left alone (not a link, or VIAS_TUI_NO_LINK=1)" in again.stdout
    assert mine.read_text() == "#!/bin/sh\necho mine\n"
    assert run_in(tmp_path, str(venv / "bin" / "vias-tui"), "--version").stdout.strip() == f"vias-tui {__version__}"


@pytest.mark.slow
def test_bundle_for_aarch64_and_python_3_12_downloads_only_what_that_host_runs(index: str, tmp_path: Path) -> None:
    # Built by a Python without `packaging` (a fresh venv), so the script fetches it; and for another machine.
    builder = tmp_path / "builder"
    subprocess.run([sys.executable, "-m", "venv", str(builder)], check=True, timeout=120)
    out = tmp_path / "dist"
    python = str(builder / "bin" / "python")
    proc = build(out, "--platform", "manylinux_2_28_aarch64", "--python-version", "3.12", python=python)
    archive = archive_in(out, proc)
    assert archive.name == f"vias-tui-{__version__}-cp312-manylinux_2_28_aarch64.tar.gz"
    wheels = check_sums(unpack(archive, tmp_path / "x"))
    binary = [name for name in wheels if not name.endswith("-none-any.whl")]
    assert {"cffi", "cryptography"} <= projects(binary)  # keyring -> SecretStorage -> cryptography, on Linux
    for name in binary:
        assert "aarch64" in name and "x86_64" not in name, name
        assert re.search(r"-(cp312-cp312|cp3\d+-abi3)-", name), name
    assert "importlib-metadata" not in projects(wheels)  # keyring needs it below 3.12 only; this machine runs 3.11
    assert "async-timeout" not in projects(wheels)


@pytest.mark.slow
def test_bundle_for_python_3_10_has_the_dependencies_pip_alone_leaves_out(index: str, tmp_path: Path) -> None:
    """`python_version < "3.11"` markers: pip evaluates them for the Python running it, not for --python-version."""
    out = tmp_path / "dist"
    archive = archive_in(out, build(out, "--platform", "manylinux2014_x86_64", "--python-version", "3.10"))
    bundle = unpack(archive, tmp_path / "x")
    wheels = check_sums(bundle)
    assert {"async-timeout", "exceptiongroup"} <= projects(wheels)  # vias-tui's and anyio's, below 3.11
    assert all(_glibc_at_most(name, (2, 17)) for name in wheels if "-none-any" not in name), wheels
    python310 = find_python("3.10")
    if python310 is None:
        return  # no Python 3.10 here to install it with; the contents above are the check
    proc = install(bundle, tmp_path / "venv310", tmp_path / "home", python=python310)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert run_in(tmp_path, str(tmp_path / "venv310" / "bin" / "vias-tui"), "--version").returncode == 0


def _glibc_at_most(wheel: str, level: tuple[int, int]) -> bool:
    """The wheel installs on a glibc of `level`: one of its manylinux tags needs no newer one."""
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    needed = []
    for tag in wheel.removesuffix(".whl").split("-")[-1].split("."):
        if match := re.match(r"manylinux_(\d+)_(\d+)_", tag):
            needed.append((int(match[1]), int(match[2])))
        elif tag.split("_")[0] in legacy:
            needed.append(legacy[tag.split("_")[0]])
    return any(version <= level for version in needed)


def find_python(version: str) -> str | None:
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = [shutil.which(f"python{version}"), *sorted(map(str, pyenv.glob(f"{version}.*/bin/python{version}")))]
    for candidate in filter(None, candidates):
        probe = [candidate, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"]
        try:
            if subprocess.run(probe, capture_output=True, text=True, timeout=20).stdout.strip() == version:
                return candidate
        except OSError:
            continue
    return None


@pytest.mark.slow
def test_a_dependency_with_no_wheel_for_the_platform_is_named(index: str, tmp_path: Path) -> None:
    # PyPI takes no linux_* wheels, so every project with compiled code lacks one for this tag.
    proc = build(tmp_path / "dist", "--platform", "linux_x86_64")
    assert proc.returncode == 1
    line = one_line(proc)
    named = (
        r"offline_bundle: (cryptography|cffi|httptools)\S* (\(needed by \S+\) )?"
        r"has no wheel for CPython [\d.]+ on linux_x86_64"
    )
    assert re.match(named, line), line
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_a_python_the_project_does_not_support_is_refused_before_anything_is_fetched(tmp_path: Path) -> None:
    proc = build(tmp_path / "dist", "--python-version", "3.9", PIP_INDEX_URL=DEAD_INDEX, PIP_RETRIES="0")
    assert proc.returncode == 2
    assert one_line(proc) == "offline_bundle: vias-tui needs Python >=3.10, not 3.9"


@pytest.mark.parametrize(
    ("tag", "says"),
    [
        ("manylinux_2_28_amd64", "on Linux amd64 is spelt x86_64"),
        ("linux-x86_64", "wheel tags use underscores"),
        ("manylinux_2_28", "expected a Linux tag such as manylinux_2_28_x86_64"),
        ("solaris_2_11_sparc", "expected a Linux tag"),
        ("win_amd64", "expected a Linux tag"),  # install.sh is POSIX sh: no half-served Windows bundle
        ("macosx_11_0_arm64", "expected a Linux tag"),
    ],
)
def test_an_unknown_platform_tag_is_refused_before_anything_is_fetched(tag: str, says: str, tmp_path: Path) -> None:
    proc = build(tmp_path / "dist", "--platform", tag, PIP_INDEX_URL=DEAD_INDEX, PIP_RETRIES="0")
    assert proc.returncode == 2
    line = one_line(proc)
    assert f"unknown platform tag {tag!r}" in line and says in line, line


def test_an_unreachable_index_is_one_line_without_the_index_password(tmp_path: Path) -> None:
    dead = f"http://operator:{SECRET_TOKEN}@127.0.0.1:9/simple"
    proc = build(tmp_path / "dist", PIP_INDEX_URL=dead, PIP_RETRIES="1")
    assert proc.returncode == 1
    line = one_line(proc)
    assert line.startswith("offline_bundle: cannot reach the package index"), line
    assert "Connection refused" in line or "from versions: none" in line, line
    assert_no_secret(proc.stdout + proc.stderr)


def test_a_bad_python_version_is_refused(tmp_path: Path) -> None:
    proc = build(tmp_path / "dist", "--python-version", "3", PIP_INDEX_URL=DEAD_INDEX, PIP_RETRIES="0")
    assert proc.returncode == 2
    assert one_line(proc) == "offline_bundle: --python-version '3': expected X.Y or X.Y.Z, e.g. 3.11"


def test_pip_is_given_every_older_manylinux_tag() -> None:
    # pip expands only the two oldest manylinux names: alone, manylinux_2_28 would refuse manylinux_2_17 wheels.
    tags = bundle_script.pip_platforms("manylinux_2_28_aarch64")
    assert tags[0] == "manylinux_2_28_aarch64" and {"manylinux_2_17_aarch64", "manylinux2014_aarch64"} <= set(tags)
    assert "manylinux_2_29_aarch64" not in tags and all(t.endswith("_aarch64") for t in tags)
    assert set(bundle_script.pip_platforms("manylinux2014_x86_64")) >= {"manylinux_2_17_x86_64", "manylinux1_x86_64"}
    assert "manylinux_2_18_x86_64" not in bundle_script.pip_platforms("manylinux2014_x86_64")
    assert bundle_script.pip_platforms("musllinux_1_2_aarch64")[-1] == "musllinux_1_0_aarch64"


def test_the_walk_follows_the_target_markers_and_extras() -> None:
    wheel = bundle_script.Wheel

    def make(name: str, version: str, *requires: str) -> object:
        return wheel(name, version, Path(f"{name}.whl"), requires, "")

    wheels = [
        make("vias-tui", "1", "a>=1", "old; python_version < '3.11'", "c[x]", "arm; platform_machine == 'aarch64'"),
        make("a", "1.5"),
        make("c", "2", "d>=2; extra == 'x'", "e; extra == 'y'"),
        make("d", "1"),  # too old for c[x]
    ]
    for_310 = bundle_script.make_target("manylinux_2_17_x86_64", "3.10").markers
    needed, missing = bundle_script.walk(wheels, "vias-tui", for_310)
    assert missing == ["d>=2", "old"] and needed == {"vias-tui", "a", "c", "d", "old"}
    for_312_arm = bundle_script.make_target("manylinux_2_28_aarch64", "3.12").markers
    _, missing = bundle_script.walk(wheels, "vias-tui", for_312_arm)
    assert missing == ["arm", "d>=2"]  # the jump host's CPU and Python, whatever this machine runs


def fake_bundle(tmp_path: Path, python: str) -> Path:
    """A bundle whose wheels are stand-ins: install.sh must stop before it ever gets to pip."""
    stage = tmp_path / "bundle"
    house = stage / "wheelhouse"
    house.mkdir(parents=True)
    wheels = []
    for name, file in (("vias-tui", "vias_tui-0.1.0-py3-none-any.whl"), ("pip", "pip-26.0-py3-none-any.whl")):
        (house / file).write_bytes(b"not really a wheel " + file.encode())
        wheels.append(bundle_script.Wheel(name, "0.1.0", house / file, (), ""))
    target = bundle_script.Target((), "manylinux_2_17_x86_64", python, {})
    bundle_script.write_bundle(stage, wheels, target, "pip 26.0")
    return stage


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs sha256sum")
def test_install_refuses_a_changed_file_and_names_it(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path, f"{sys.version_info[0]}.{sys.version_info[1]}")
    check_sums(bundle)  # as written, every sum holds
    with (bundle / "wheelhouse" / "vias_tui-0.1.0-py3-none-any.whl").open("ab") as wheel:
        wheel.write(b"\0")
    proc = install(bundle, tmp_path / "venv", tmp_path / "home")
    assert proc.returncode == 1
    assert "wheelhouse/vias_tui-0.1.0-py3-none-any.whl: FAILED" in proc.stderr
    assert "install.sh: the bundle does not match SHA256SUMS" in proc.stderr
    assert not (tmp_path / "venv").exists()


def test_install_refuses_another_python(tmp_path: Path) -> None:
    proc = install(fake_bundle(tmp_path, "3.99"), tmp_path / "venv", tmp_path / "home")
    assert proc.returncode == 1
    have = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert f"install.sh: this bundle is for Python 3.99 but {sys.executable} is Python {have}" in proc.stderr
    assert not (tmp_path / "venv").exists()


def test_install_never_clears_a_directory_that_is_not_a_venv(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path, f"{sys.version_info[0]}.{sys.version_info[1]}")
    precious = tmp_path / "home-by-mistake"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    proc = install(bundle, precious, tmp_path / "home")
    assert proc.returncode == 1
    assert f"install.sh: {precious} exists and is not a venv" in proc.stderr
    assert (precious / "notes.txt").read_text() == "keep me"
