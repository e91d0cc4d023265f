"""The interface in Chinese and English: the catalogs are complete and current, the language is chosen as documented
(--lang > VIAS_LANG > the profile's lang > the locale > English), argparse's own texts follow it, and what machines
read (JSON keys and values, exit codes, outcome names) is the same whatever the language."""

from __future__ import annotations

import argparse
import ast
import json
import re
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tests.helpers import (
    CLI_ROOT,
    NO_KEYRING,
    ROOT,
    SECRET_AK,
    SECRET_SK,
    TOKEN_ENV,
    run_cli,
    seeded_store,
    target_args,
)
from tui_app import i18n
from tui_app.domain.errors import ApiError, Transport
from tui_app.fake import FakeVias, FaultPlan, running_in_thread, seed_projects
from tui_app.i18n import LanguageError, choose_language
from tui_app.ids import cells
from tui_app.language_choice import language_for, option_value

LOCALE = ROOT / "tui_app" / "locale"
TEMPLATE = LOCALE / "vias-tui.pot"
CHINESE_PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "vias-tui.po"
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +-]?\d*(?:\.\d+)?[a-zA-Z%]")


def _catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _placeholders(text: str) -> list[str]:
    """The `{name!r:spec}` fields of a str.format message and the `%(name)s` / `%s` ones of argparse's, sorted."""
    fields = sorted(
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        for _text, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    )
    return fields + sorted(_PERCENT.findall(text))


# --- the catalogs ------------------------------------------------------------------------------------------------


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy() -> None:
    template, chinese = _catalog(TEMPLATE), _catalog(CHINESE_PO)
    assert _ids(template) == _ids(chinese), "update the .po from the template (docs/translating.md)"
    missing = [m.id for m in _messages(chinese) if not (m.string if isinstance(m.string, str) else all(m.string))]
    assert missing == []
    assert [m.id for m in _messages(chinese) if m.fuzzy] == []
    assert not chinese.fuzzy  # a fuzzy header: msgfmt would leave the catalog out


def test_translations_keep_the_placeholders_of_their_message() -> None:
    for message in _messages(_catalog(CHINESE_PO)):
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = _placeholders(sources[-1])
        for target in targets:
            assert _placeholders(target) == expected, f"{message.id!r} -> {target!r}"


def test_the_committed_template_is_current_with_the_code(tmp_path: Path) -> None:
    """A message added (or changed) in the code without updating the catalogs fails here."""
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(fresh), str(ROOT)])
    assert _ids(_catalog(fresh)) == _ids(_catalog(TEMPLATE)), "re-extract the template (docs/translating.md)"


def test_every_message_is_a_literal_where_it_is_marked() -> None:
    """Extraction sees only literal messages: `_(f"...")` or `_("a" + b)` would reach people untranslated. `_(NAME)`
    is fine for a constant marked with N_ where it is defined; N_ itself takes only literals."""
    offenders = []
    for path in (ROOT / "tui_app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")):
                continue
            first = node.args[0] if node.args else None
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            constant = isinstance(first, (ast.Name, ast.Subscript, ast.Attribute)) and node.func.id == "_"
            if not (literal or constant):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_module_hides_the_translation_function_behind_a_local_name() -> None:
    """`_, value = pair` in a function that also calls `_()` makes `_` local to it: UnboundLocalError at run time."""
    offenders = []
    for path in (ROOT / "tui_app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "tui_app.i18n"
            and any(a.name == "_" for a in node.names)
            for node in tree.body
        )
        if not imports:
            continue
        for node in ast.walk(tree):
            stored = isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
            if stored or (isinstance(node, ast.arg) and node.arg == "_"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_argparse_asks_for_nothing_the_catalog_lacks() -> None:
    """tui_app/argparse_messages.py copies the installed argparse's messages; a Python with new ones fails here."""
    asked = {message for _line, message, _comments, _context in extract_from_file("python", argparse.__file__)}
    assert asked <= _ids(_catalog(CHINESE_PO))


# --- choosing the language ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "environ", "profile", "expected"),
    [
        ("zh-CN", {"VIAS_LANG": "en", "LANG": "en_US.UTF-8"}, "en", "zh_CN"),  # the flag wins
        (None, {"VIAS_LANG": "zh", "LANG": "en_US.UTF-8"}, "en", "zh_CN"),  # then VIAS_LANG
        (None, {"LANG": "zh_CN.UTF-8"}, "en", "en"),  # then the profile
        (None, {"LANG": "en_US.UTF-8"}, "ZH_cn", "zh_CN"),
        (None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, None, "zh_CN"),  # then the locale, LC_ALL first
        (None, {"LC_ALL": "", "LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US"}, None, "zh_CN"),
        (None, {"LANG": "zh_SG.GB2312"}, None, "zh_CN"),
        (None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, None, "en"),  # LC_ALL set: it decides
        (None, {"LANG": "fr_FR.UTF-8"}, None, "en"),  # a locale without a catalog: English
        (None, {}, None, "en"),
        ("EN", {}, "zh-CN", "en"),
        ("zh_CN", {}, None, "zh_CN"),
        (None, {"VIAS_LANG": " "}, "zh-cn", "zh_CN"),  # an empty value is unset
    ],
)
def test_choose_language_precedence_and_spellings(
    flag: str | None, environ: dict[str, str], profile: str | None, expected: str
) -> None:
    assert choose_language(flag, environ, profile) == expected


@pytest.mark.parametrize(
    ("flag", "environ", "profile", "named"),
    [("fr", {}, None, "--lang"), (None, {"VIAS_LANG": "zh-TW"}, None, "VIAS_LANG"), (None, {}, "de", "lang")],
)
def test_an_unknown_language_asked_for_on_purpose_is_refused(
    flag: str | None, environ: dict[str, str], profile: str | None, named: str
) -> None:
    with pytest.raises(LanguageError, match=named):
        choose_language(flag, environ, profile)


def test_the_flag_is_found_anywhere_on_the_command_line() -> None:
    assert option_value(["runs", "--lang", "zh-CN"], "--lang") == "zh-CN"
    assert option_value(["--lang=en", "profile", "show"], "--lang") == "en"
    assert option_value(["delete", "--", "--lang", "zh"], "--lang") is None
    assert language_for(["profile", "list"], {"VIAS_LANG": "zh-CN"}) == "zh_CN"


@pytest.mark.parametrize("argv", [["--lang", "fr", "runs"], ["runs", "--lang=klingon"]])
def test_an_unknown_lang_flag_is_one_line_and_exit_2(argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and "zh-CN" in result.err and "Traceback" not in result.err


def test_an_unknown_vias_lang_is_one_line_and_exit_2() -> None:
    result = run_cli("runs", env={"VIAS_LANG": "french"})
    assert (
        result.code == 2
        and result.err.strip() == "vias-tui: VIAS_LANG is 'french'; use zh-CN (Chinese) or en (English)"
    )


# --- the command line in Chinese ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "zh-CN", "--help"],
        ["--help", "--lang", "zh-CN"],
        ["runs", "--lang", "zh-CN", "--help"],
        ["token", "login", "--help", "--lang=zh"],
        ["profile", "delete", "--lang", "zh_CN", "--help"],
        ["completion", "--lang", "zh-CN", "--help"],
    ],
)
def test_lang_anywhere_gives_chinese_help(argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.code == 0, result.err
    assert result.out.startswith("用法：vias-tui"), result.out[:200]
    assert "显示此帮助信息并退出" in result.out and "show this help" not in result.out
    assert "--lang {zh-CN,en}" in result.out  # option names stay as they are


@pytest.mark.parametrize("command", [[], ["token", "login"], ["profile", "set"], ["report"], ["completion"]])
def test_chinese_help_fits_an_80_column_terminal(command: list[str]) -> None:
    """CJK characters take two cells and Chinese has no spaces to break at: argparse's own wrapping overflows."""
    result = run_cli(*command, "--lang", "zh-CN", "--help", env={"COLUMNS": "80"})
    assert result.code == 0 and "用法" in result.out
    assert max(cells(line) for line in result.out.splitlines()) <= 80


def test_argparse_errors_are_chinese_too() -> None:
    unknown = run_cli("runs", "--lang", "zh-CN", "--no-such-option")
    assert unknown.code == 2 and "错误：无法识别的参数：--no-such-option" in unknown.err
    choice = run_cli("--lang", "zh-CN", "--auth", "password", "runs")
    assert choice.code == 2 and "无效的选择：'password'" in choice.err and "--auth" in choice.err
    missing = run_cli("--lang", "zh-CN", "profile")
    assert missing.code == 2 and "缺少必需的参数：ACTION" in missing.err


def test_vias_lang_and_the_profile_choose_chinese_and_the_flag_overrides_them() -> None:
    assert "还没有运行记录" in run_cli("runs", env={"VIAS_LANG": "zh-CN"}).out
    saved = run_cli("profile", "set", "default", "--lang", "zh-CN")
    assert saved.code == 0 and "lang=zh-CN" in saved.out
    assert "还没有运行记录" in run_cli("runs").out  # the profile's lang
    assert "No runs recorded yet" in run_cli("runs", "--lang", "en").out
    assert "No runs recorded yet" in run_cli("runs", env={"VIAS_LANG": "en"}).out
    assert "No runs recorded yet" in run_cli("runs", env={"VIAS_PROFILE": "other"}).out  # another profile


def test_a_bad_lang_in_the_profile_file_is_one_line(isolated_env: Path) -> None:
    config = isolated_env / "config" / "vias-tui"
    config.mkdir(parents=True)
    (config / "profiles.toml").write_text('[profiles.default]\nlang = "fr"\n')
    result = run_cli("runs")
    assert result.code == 2 and "'fr'" in result.err and len(result.err.strip().splitlines()) == 1


def test_operator_errors_speak_chinese() -> None:
    result = run_cli("--lang", "zh-CN", "delete", "--ids-file", "-", "--region", "mars-1", "--project-id", "p1234")
    assert result.code == 2 and "未知区域 'mars-1'" in result.err, result.err


def test_a_hint_marked_at_import_follows_the_language_switched_later() -> None:
    error = ApiError(None, transport=Transport.CONNECT_TIMEOUT)
    assert error.hint() == "Connecting timed out: the server did not act."
    i18n.use(i18n.CHINESE)
    assert error.hint() == "连接超时：服务端未执行任何操作。"
    i18n.use(i18n.ENGLISH)
    assert error.hint() == "Connecting timed out: the server did not act."


def test_the_console_modules_imported_after_the_choice_speak_it() -> None:
    """Textual reads binding descriptions when the classes are defined: the console imports its modules after
    cli.main chose the language, and then the footer and the help are in it."""
    code = (
        "from tui_app import i18n; i18n.use('zh_CN');"
        "from tui_app.ui.screens.browse import BrowseScreen;"
        "print([b.description for b in BrowseScreen.BINDINGS][:3])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=CLI_ROOT, timeout=60, check=True
    )
    assert proc.stdout.strip() == "['返回', '标记', '标记范围']"


# --- the same for machines ----------------------------------------------------------------------------------------

_VARYING = {"run_id", "journal", "started_at", "elapsed_seconds", "request_id"}


def _stable(value: Any) -> Any:
    """The document without what differs between any two runs (run IDs, paths named for them, times, request IDs)."""
    if isinstance(value, dict):
        return {key: _stable(item) for key, item in value.items() if key not in _VARYING}
    if isinstance(value, list):
        return [_stable(item) for item in value]
    return value


def _delete_document(tmp_path: Path, language: str) -> tuple[int, dict[str, Any], str]:
    store = seeded_store(6)  # the same tasks every time (a fixed seed)
    ids = list(store.tasks)
    store.tasks[ids[0]].refuse_delete = True
    lines = [*ids[:3], "0123456789abcdef0123456789abcdef"]  # refused, two deleted, one not found
    path = tmp_path / f"ids-{language}.txt"
    path.write_text("\n".join(lines) + "\n")
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        argv = ["--lang", language, "delete", *target_args(server), "--ids-file", str(path), "--yes"]
        result = run_cli(*argv, "--output", "json", "--concurrency", "1", env=TOKEN_ENV)
    return result.code, json.loads(result.out.replace(server.url, "http://fake")), result.err


def test_json_exit_codes_and_outcomes_are_the_same_in_both_languages(tmp_path: Path) -> None:
    code_en, english, err_en = _delete_document(tmp_path, "en")
    code_zh, chinese, err_zh = _delete_document(tmp_path, "zh-CN")
    assert code_en == code_zh == 1
    assert _stable(chinese) == _stable(english)
    outcomes = sorted(entry["outcome"] for entry in chinese["entries"])
    assert outcomes == ["deleted", "deleted", "failed", "not_found"]
    assert err_en != err_zh  # the words for people did change


def _locate_document(tmp_path: Path, language: str, credentials: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    store = seeded_store(5)
    store.add_keys(SECRET_AK, SECRET_SK)
    seed_projects(store, [("cn-east-3", 4), ("cn-east-3_ops", 2), ("ap-southeast-1", 3)], special=False)
    store.add_project("MOS")  # no region: no endpoint to search it at
    found = [next(iter(project.tasks)) for project in store.projects() if project.tasks]
    path = tmp_path / f"locate-{language}.txt"
    path.write_text("\n".join([*found, "0123456789abcdef0123456789abcdef"]) + "\n")
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        env = {
            **credentials,
            "VIAS_ENDPOINT_TEMPLATE": server.url + "/_region/{region}",
            "VIAS_IAM_ENDPOINT": server.url,
        }
        argv = ["--lang", language, "locate", *target_args(server), "--ids-file", str(path), "--output", "json"]
        result = run_cli(*argv, env=env)
    return result.code, json.loads(result.out.replace(server.url, "http://fake")), result.err


@pytest.mark.parametrize("credentials", ["keys", "token"])
def test_the_locate_document_is_the_same_in_both_languages(tmp_path: Path, credentials: str) -> None:
    """Found in several regions, nowhere, in a project with no endpoint; with a token, the other projects refuse it
    and each says why: the words for people are built in English for the document whatever the language."""
    env = (
        TOKEN_ENV
        if credentials == "token"
        else {**NO_KEYRING, "HUAWEICLOUD_SDK_AK": SECRET_AK, "HUAWEICLOUD_SDK_SK": SECRET_SK}
    )
    code_en, english, err_en = _locate_document(tmp_path, "en", env)
    code_zh, chinese, err_zh = _locate_document(tmp_path, "zh-CN", env)
    assert code_en == code_zh == 1
    assert chinese == english
    wheres = [entry["where"] for entry in chinese["ids"] if not entry["found"]]
    assert wheres and all(where.startswith("not found in any of") for where in wheres)
    assert chinese["projects_without_endpoint"]
    if credentials == "token":
        whys = [failed["why"] for failed in chinese["projects_failed"]]
        assert whys and all("a token is scoped to one project" in why and "request " in why for why in whys)
    else:
        assert len([entry for entry in chinese["ids"] if entry["found"]]) == 4 and chinese["commands"]
    assert err_en != err_zh and "正在查找" in err_zh


def test_profile_show_lists_the_saved_lang_and_json_keeps_english_keys() -> None:
    assert run_cli("profile", "set", "ops", "--region", "cn-north-4", "--lang", "zh").code == 0
    shown = run_cli("profile", "show", "ops", "--output", "json", "--lang", "en")
    document = json.loads(shown.out)
    assert document["values"] == {"region": "cn-north-4", "lang": "zh-CN"}
    chinese = run_cli("profile", "show", "ops", "--output", "json", "--lang", "zh-CN")
    assert json.loads(chinese.out).keys() == document.keys() and "配置 ops" in chinese.err


@pytest.mark.parametrize("content", [b"garbage", b"\xde\x12\x04\x95" + b"\x00" * 6])  # no catalog; a cut one
def test_a_broken_catalog_is_english_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    """A corrupt or truncated .mo (a failed install, a disk error) made every command die in gettext, argparse's
    own messages included."""
    import io

    from tui_app import cli

    broken = tmp_path / "locale"
    (broken / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (broken / "zh_CN" / "LC_MESSAGES" / "vias-tui.mo").write_bytes(content)
    monkeypatch.setattr(i18n, "LOCALE_DIR", broken)
    for argv, code in ((["--lang", "zh-CN", "runs"], 0), (["runs", "--bogus"], 2)):
        out, err = io.StringIO(), io.StringIO()
        with monkeypatch.context() as env:
            env.setenv("VIAS_LANG", "zh-CN")
            assert cli.main(argv, stdin=io.StringIO(), stdout=out, stderr=err) == code, err.getvalue()
        assert "Traceback" not in err.getvalue()
