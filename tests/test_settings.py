"""Profiles: written by a TOML library (any value round-trips, an operator's comments survive), atomically, with
flag > environment > profile precedence for the target, the auth mode and the concurrency."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tui_app.settings import Profile, SettingsError, concurrency_setting, load_profiles, save_profiles


def test_any_value_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "profiles.toml"
    odd = Profile(
        "prod.eu-1",
        region="cn-north-4",
        project_id="p" * 32,
        ca_bundle='/etc/ssl/😀 "quoted" \\ x.pem',
        auth="aksk",
        concurrency="32",
    )
    save_profiles({"prod.eu-1": odd}, path)
    assert load_profiles(path)["prod.eu-1"] == odd
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["profiles.toml"]  # no temporary file left behind


def test_an_operators_comments_and_unknown_keys_survive(tmp_path: Path) -> None:
    path = tmp_path / "profiles.toml"
    path.write_text(
        '# my notes: prod is the Beijing account\n[profiles.prod]\nregion = "cn-north-4"  # Beijing4\ncolour = "red"\n'
    )
    profiles = load_profiles(path)
    profiles["prod"].project_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    profiles["test"] = Profile("test", endpoint="http://127.0.0.1:8080", project_id="proj0001")
    save_profiles(profiles, path)
    text = path.read_text()
    assert "# my notes: prod is the Beijing account" in text and "# Beijing4" in text and 'colour = "red"' in text
    again = load_profiles(path)
    assert again["prod"].project_id == "0a1b2c3d4e5f60718293a4b5c6d7e8f9" and again["test"].endpoint


@pytest.mark.parametrize("content", ['profiles = "x"\n', "[profiles]\nprod = 3\n", "not = [valid\n"])
def test_files_of_the_wrong_shape_are_one_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "profiles.toml"
    path.write_text(content)
    with pytest.raises(SettingsError, match=r"profiles\.toml"):
        load_profiles(path)


def test_concurrency_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = Profile("p", concurrency="8")
    assert concurrency_setting(None, Profile("p"), 16) == (16, "default")
    assert concurrency_setting(None, profile, 16) == (8, "profile p")
    monkeypatch.setenv("VIAS_CONCURRENCY", "24")
    assert concurrency_setting(None, profile, 16) == (24, "VIAS_CONCURRENCY")
    assert concurrency_setting(4, profile, 16) == (4, "--concurrency")
    monkeypatch.setenv("VIAS_CONCURRENCY", "99")
    with pytest.raises(SettingsError, match="between 1 and 64"):
        concurrency_setting(None, profile, 16)


def test_profile_set_and_show_from_the_cli() -> None:
    saved = run_cli(
        "profile",
        "set",
        "ops",
        "--region",
        "cn-east-3",
        "--project-id",
        "proj0001",
        "--auth",
        "aksk",
        "--concurrency",
        "32",
    )
    assert saved.code == 0, saved.err
    shown = run_cli("profile", "show", "ops")
    assert "auth        aksk" in shown.out and "concurrency 32" in shown.out and "cn-east-3" in shown.out
