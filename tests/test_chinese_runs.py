"""The headless commands in Chinese, against the fake VIAS over TCP: a delete (its progress, problems and summary), a
dry run, a preview, a locate and a resume say everything a person reads in Chinese, and no English line is left
among them but IDs, URLs, numbers, command lines and what the service itself named (task names, job states)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from tests.helpers import (
    NO_KEYRING,
    SECRET_AK,
    SECRET_SK,
    SECRET_TOKEN,
    TOKEN_ENV,
    CliResult,
    run_cli,
    seeded_store,
    target_args,
)
from tui_app import i18n
from tui_app.domain.models import DeleteResult
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread, seed_projects
from tui_app.id_outcomes import IdProgress, success_record
from tui_app.outcomes import Outcome, OutcomeRecord, RunStatus, describe_counts

NOWHERE = "0123456789abcdef0123456789abcdef"
KEYS_ENV = {"HUAWEICLOUD_SDK_AK": SECRET_AK, "HUAWEICLOUD_SDK_SK": SECRET_SK, **NO_KEYRING}
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_URL = re.compile(r"https?://\S+")
_REQUEST_LINE = re.compile(r"(?:DELETE|GET|PUT) https?://\S+")
_WITH_DIGITS = re.compile(r"\S*\d\S*")  # IDs, dates, counts, rates, request IDs
_WORD = re.compile(r"[A-Za-z]{2,}")
_ENGLISH_START = re.compile(r"[A-Za-z][a-z]+\b")  # a word, not an acronym (ID, HTTP)
_PROGRAM = re.compile(r"^vias-tui[:：]\s*")


def _store() -> FakeStore:
    store = seeded_store(8)
    store.add_keys(SECRET_AK, SECRET_SK)
    seed_projects(store, [("cn-east-3", 4), ("ap-southeast-1", 3)], special=False)
    return store


def _service_words(store: FakeStore) -> dict[str, set[str]]:
    """Per task ID, the words the service says about it (its name, algorithm and job states): a preview's row shows
    them as the service sent them, cut to the column's width."""
    words: dict[str, set[str]] = {}
    for project in store.projects():
        for task in project.tasks.values():
            text = " ".join([task.name, task.alg_name, *task.status_info])
            words[task.id] = set(re.findall(r"[a-z]{2,}", text.lower()))
    return words


def english_lines(lines: Iterable[str], service_words: Mapping[str, set[str]]) -> list[str]:
    """The lines that are English for a person. A line is fine when it has CJK characters and does not start with
    an English word (an untranslated label such as "Target: ...，项目 ..." does), or when no English word is left
    once URLs, anything with a digit in it (IDs, dates, numbers) and, in a row that starts with a task's ID, that
    task's own words from the service are set aside. Request lines and command lines to run are fine as they are."""
    leaks = []
    for line in lines:
        text = line.strip()
        if not text or _REQUEST_LINE.fullmatch(text) or text.startswith(("vias-tui ", "printf ")):
            continue
        text = _PROGRAM.sub("", text)  # "vias-tui: " before an error
        if _ENGLISH_START.match(text):
            leaks.append(line)
            continue
        if _CJK.search(text):
            continue
        own = service_words.get(text.split()[0], set())
        words = _WORD.findall(_WITH_DIGITS.sub(" ", _URL.sub(" ", text)))
        if any(not any(said.startswith(word.lower()) for said in own) for word in words):
            leaks.append(line)
    return leaks


def _lines(*results: CliResult) -> list[str]:
    return [line for result in results for line in (result.out + result.err).splitlines()]


def _ids_file(tmp_path: Path, lines: list[str], name: str = "ids.txt") -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _delete(server: FakeVias, ids: str, *extra: str, env: dict[str, str] = TOKEN_ENV) -> CliResult:
    args = ["--lang", "zh-CN", "delete", *target_args(server), "--ids-file", ids, "--concurrency", "1", *extra]
    return run_cli(*args, env=env)


def test_the_check_finds_english_and_lets_data_through() -> None:
    """The check below is not one that passes whatever it is given."""
    task = "0a" * 16
    words = {task: {"crowd", "counting", "running"}}
    assert english_lines(["Dry run: nothing was sent."], words) == ["Dry run: nothing was sent."]
    assert english_lines(["Target: 127.0.0.1:8443，项目 0a1b2c3d (profile default)"], words) != []
    assert english_lines(["vias-tui: IAM did not list your projects (HTTP 403)."], words) != []
    assert english_lines(["[3/5] 2 deleted · 1 failed · 4.0/s"], words) != []
    assert english_lines([f"{task}  not found in this project"], words) != []
    assert english_lines([f"  {task}  crowd-counting  Crowd count   3  2 running  2026-09-09 13:37"], words) == []
    assert english_lines([f"  {task}  crowd-counting  Crowd count   3  no jobs  2026-09-09 13:37"], words) != []
    assert (
        english_lines(["  DELETE http://127.0.0.1:1/v2/p/batch-tasks/x", "已删除 2", "", "vias-tui runs"], words) == []
    )


def test_a_chinese_delete_says_its_progress_problems_and_summary_in_chinese(tmp_path: Path) -> None:
    store = _store()
    ids = list(store.tasks)
    store.tasks[ids[0]].refuse_delete = True
    store.tasks[ids[1]].fail_jobs = 1  # a partial delete
    paste = _ids_file(tmp_path, [ids[0], ids[1], ids[2], ids[3], ids[3], "bad/line", NOWHERE])
    said = _service_words(store)  # before the tasks are gone
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        result = _delete(server, paste, "--yes")
    assert english_lines(_lines(result), said) == []
    assert result.code == 1, result.err
    summary = result.out.splitlines()[0]
    assert summary.startswith("已结束但有问题，用时") and "并非全部删除" in summary
    for said in ("已删除 2", "部分删除 1", "不存在 1", "失败 1", "跳过 1 行输入，从未发送"):
        assert said in summary, summary
    assert result.out.splitlines()[1].startswith("运行日志：")
    problems = {line.split()[0] for line in result.err.splitlines() if ids[0] in line or ids[1] in line}
    assert problems == {"失败", "部分删除"}, result.err
    assert "个作业中有 1 个未删除" in result.err
    progress = [line for line in result.err.splitlines() if line.startswith("[")]
    assert progress and all("预计剩余" in line for line in progress), result.err


def test_a_dry_run_and_a_preview_in_chinese_leak_no_english(tmp_path: Path) -> None:
    store = _store()
    ids = list(store.tasks)
    paste = _ids_file(tmp_path, [*ids[:4], "c0ffee?force=true", NOWHERE])
    said = _service_words(store)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        dry = _delete(server, paste, "--dry-run")
        preview = _delete(server, paste, "--preview", "--yes")
    lines = _lines(dry, preview)
    assert len(lines) >= 20
    assert english_lines(lines, said) == []
    assert dry.code == 0 and "试运行：未发送任何请求。" in dry.out and "计划：" in dry.out
    assert preview.code == 0, preview.err
    assert preview.out.startswith("预览：本项目中找到 4/5 个；1 个不存在（区域或项目有误？）")
    header = preview.out.splitlines()[1]
    assert header.split() == ["ID", "名称", "算法", "作业", "状态", "创建时间（UTC）"]
    assert f"{NOWHERE}  本项目中不存在" in preview.out
    assert "全部 4 个已删除或原本已不存在" in preview.out and "排除 1 个，从未发送" in preview.out


def test_locate_answers_each_id_in_chinese(tmp_path: Path) -> None:
    store = _store()
    east = store.find_project(name="cn-east-3")
    assert east is not None
    elsewhere, home = next(iter(east.tasks)), next(iter(store.tasks))
    env = {**KEYS_ENV, "VIAS_ENDPOINT_TEMPLATE": "{url}/_region/{{region}}", "VIAS_IAM_ENDPOINT": "{url}"}
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        env = {key: value.format(url=server.url) for key, value in env.items()}
        paste = _ids_file(tmp_path, [elsewhere, home, NOWHERE])
        result = run_cli("--lang", "zh-CN", "locate", *target_args(server), "--ids-file", paste, env=env)
    assert english_lines(_lines(result), _service_words(store)) == []
    assert result.code == 1, result.err
    answers = dict(line.split("  ", 1) for line in result.out.splitlines() if line[:32] in (elsewhere, home, NOWHERE))
    assert answers[elsewhere].startswith(f"在 cn-east-3 中找到（项目 {east.id}，名称 ")
    assert answers[home].startswith("在当前目标中找到（项目 ")
    assert answers[NOWHERE] == "在你可见的 3 个项目中均未找到"
    assert "要在其所在位置删除它们" in result.out and "正在查找 3 个 ID" in result.err


def test_a_stopped_run_and_its_resume_in_chinese(tmp_path: Path) -> None:
    store = _store()
    paste = _ids_file(tmp_path, list(store.tasks)[:5])
    said = _service_words(store)
    with running_in_thread(FakeVias(store, FaultPlan(auth_fail_after=2))) as server:
        stopped = _delete(server, paste, "--yes")
        server.faults.auth_fail_after = None
        store.tokens.add(SECRET_TOKEN)  # the rejection revoked it: the operator got the token again
        resumed = run_cli("--lang", "zh-CN", "resume", "--last", "--yes", env=TOKEN_ENV)
    nothing = run_cli("--lang", "zh-CN", "resume", "--last", "--yes", env=TOKEN_ENV)
    assert english_lines(_lines(stopped, resumed, nothing), said) == []
    assert stopped.code == 3 and stopped.out.startswith("已停止：凭证被拒绝（HTTP 401"), stopped.out
    assert "已删除 2，已取消 3" in stopped.out and "vias-tui resume " in stopped.out
    assert resumed.code == 0, resumed.err
    assert re.search(r"^运行 \S+（.+）：5 个 ID 中有 3 个尚无最终结果；其中 0 个已发送但未收到应答", resumed.out, re.M)
    assert "全部 3 个已删除或原本已不存在" in resumed.out
    assert nothing.code == 0 and nothing.out.startswith("无需续跑：运行 ")
    journal = Path(stopped.out.splitlines()[1].removeprefix("运行日志："))
    recorded = journal.read_text(encoding="utf-8")
    assert '"note":"not sent: the credentials were rejected"' in recorded  # the journal keeps English
    assert not _CJK.search(recorded)
    assert "未发送：凭证被拒绝" in stopped.err  # and people read it in Chinese


def test_a_note_is_recorded_in_english_and_read_in_the_interface_language() -> None:
    i18n.use(i18n.CHINESE)
    stopped = IdProgress().stopped("0a" * 16, RunStatus.AUTH_FAILED, None)
    retried = success_record("0b" * 16, DeleteResult("0b" * 16, 200, total_count=1, succeed_count=1), [], True)
    assert stopped.note == "not sent: the credentials were rejected" and retried.note == "deleted on a retry"
    assert json.loads(json.dumps(stopped.to_json()))["note"] == "not sent: the credentials were rejected"
    assert stopped.describe() == "未发送：凭证被拒绝" and retried.describe() == "重试时已删除"
    assert copy.deepcopy(stopped).describe() == "未发送：凭证被拒绝"  # a copy keeps the message, not only the text
    # Read back from a journal a note is plain text: a whole message of the catalog is still translated.
    assert OutcomeRecord.from_json(retried.to_json()).describe() == "重试时已删除"
    assert Outcome.NOT_FOUND.describe() == "不存在" and str(Outcome.NOT_FOUND) == "not_found"
    counts = {Outcome.DELETED: 1200, Outcome.FAILED: 1, Outcome.UNKNOWN: 0}
    assert describe_counts(counts) == "已删除 1200，失败 1" and describe_counts(counts, " · ") == "已删除 1200 · 失败 1"
    i18n.use(i18n.ENGLISH)
    assert stopped.describe() == "not sent: the credentials were rejected"
    assert describe_counts(counts) == "1200 deleted, 1 failed" and describe_counts({}) == ""
