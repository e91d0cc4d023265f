"""The console in Simplified Chinese in a real terminal: tmux runs `vias-tui --lang zh-CN` against the fake VIAS (its
own process) at 80x24, with and without colour. CJK characters take two cells: the confirmation must still show its
prompt, the code line and both buttons whole inside its border, also when it asks for the code; the results rows and
the footer must fit; and the run must complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import assert_no_secret
from tests.test_e2e_tmux import TOKEN_ENV, console_args, fake_process, requests_seen, task_ids  # noqa: F401
from tests.tmux import Tmux, console_in_tmux
from tui_app.ids import cells

pytestmark = pytest.mark.slow
WIDTH, HEIGHT = 80, 24
OUTCOMES = ("已删除", "部分删除", "不存在", "失败", "已跳过", "已取消", "未知", "等待中")


def assert_on_screen(screen: str) -> list[str]:
    """Every line fits the terminal; a wide character cut at the edge would push the rest out of line."""
    lines = screen.rstrip("\n").splitlines()
    assert len(lines) <= HEIGHT and all(cells(line) <= WIDTH for line in lines), screen
    return lines


def assert_box_whole(screen: str) -> list[str]:
    """The dialog's every line ends with its right border in the last column: nothing inside overflowed."""
    lines = assert_on_screen(screen)
    box = [line for line in lines if line.startswith("█")]
    assert len(box) == HEIGHT and all(cells(line) == WIDTH and line.endswith("█") for line in box), screen
    return lines


def line_with(lines: list[str], text: str) -> str:
    return next(line for line in lines if text in line)


def confirm_by_code(tmux: Tmux, count: int) -> None:
    """Type the count in one burst (as a paste that came through as keys would): the dialog asks for its code, which
    must show whole beside the prompt and the buttons; then type the code by hand."""
    tmux.run("send-keys", "-t", "vias", *str(count), "Enter")  # one write: the keys arrive together
    asked = tmux.wait_for("现在只有验证码能确认。")
    lines = assert_box_whole(asked)
    prompt = line_with(lines, "并按 Enter：")
    code = re.search(r"输入验证码 ([A-Z0-9]{4}) 并按 Enter：", prompt)
    assert code is not None and "按键成批到达" in prompt, prompt  # the reason, beside the prompt
    buttons = line_with(lines, "现在只有验证码能确认。")
    assert "[ 取消（Esc） ]" in buttons and f"[ 删除 {count} 个 ]" in buttons, buttons
    tmux.keys(*code.group(1), "Enter")


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no-colour"])
def test_chinese_console_confirms_runs_and_shows_results_at_80x24(
    fake_process: str,  # noqa: F811
    tmp_path: Path,
    no_color: bool,
) -> None:
    url = fake_process
    ids = task_ids(url, 12)
    env = {**TOKEN_ENV, **({"NO_COLOR": "1"} if no_color else {})}
    with console_in_tmux(["--lang", "zh-CN", *console_args(url)], env, (WIDTH, HEIGHT), tmp_path) as tmux:
        tmux.wait_for("就绪：粘贴 ID，然后按 ctrl+d 删除。")
        footer = assert_on_screen(tmux.wait_for("f1 帮助"))[-1]
        assert "^d 删除…" in footer and "f1 帮助" in footer and "^q 退出" in footer, footer
        tmux.paste("\n".join(ids) + "\nnot/an/id\n", tmp_path)
        tmux.wait_for("12 个有效")
        tmux.keys("C-d")
        shown = tmux.wait_for("将删除 12 个")
        lines = assert_box_whole(shown)
        prompt = line_with(lines, "输入 12 并按 Enter 删除：")
        assert "在此输入" in prompt, prompt  # the empty count box, beside the prompt
        code_line = line_with(lines, "（如被要求，改输验证码 ")
        assert re.search(r"改输验证码 [A-Z0-9]{4}）", code_line), code_line
        assert "[ 取消（Esc） ]" in code_line and "[ 删除 12 个 ]" in code_line, code_line
        assert sum(line.startswith("█ 删除 ") for line in lines) >= 3  # rows of the table, with their action
        confirm_by_code(tmux, 12)

        final = tmux.wait_for("^r 重试", timeout=60)  # the run ended: its keys are in the footer
        lines = assert_on_screen(final)
        assert "未全部删除：" in final and "已删除 " in final and "失败 " in final, final
        footer = lines[-1]
        assert "f1 帮助" in footer and "^q 退出" in footer and "^e 导出" in footer, footer
        assert "取消运行" not in footer
        rows = [line for line in lines if re.match(r"[0-9a-f]{32} ", line)]
        assert len(rows) >= 10 and all(any(word in row for word in OUTCOMES) for row in rows), final
        assert "结果      次数  HTTP 错误码" in final  # the header, its columns in line with the rows
        assert_no_secret(final)
        deletes = [r for r in requests_seen(url) if r["method"] == "DELETE"]
        assert sorted(r["task_id"] for r in deletes) == sorted(ids)
        tmux.keys("C-q")
        tmux.wait_until_closed()
