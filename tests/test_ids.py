from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tui_app.ids import MAX_ENTRIES, InputTooLarge, id_problem, parse
from tui_app.vias.client import InvalidIdentifier, ViasClient

HEX = "0d47bbf52962414bb7ae27fb6ea24230"
HEX2 = "1d47bbf52962414bb7ae27fb6ea24231"


def test_one_per_line_with_crlf_blank_lines_and_comments() -> None:
    plan = parse(f"# ids from the ticket\r\n{HEX}\r\n\r\n  {HEX2}  # second one\r\n")
    assert plan.valid == [HEX, HEX2]
    assert not plan.skipped


@pytest.mark.parametrize("sep", [",", ";", "\t", " ", ", ", " ; "])
def test_separators(sep: str) -> None:
    assert parse(sep.join([HEX, HEX2])).valid == [HEX, HEX2]


def test_json_array_paste() -> None:
    assert parse(json.dumps([HEX, HEX2])).valid == [HEX, HEX2]
    assert parse(json.dumps([HEX, HEX2], indent=2)).valid == [HEX, HEX2]


def test_duplicates_are_counted_and_sent_once_in_first_seen_order() -> None:
    plan = parse(f"{HEX2}\n{HEX}\n{HEX2}\n{HEX2}")
    assert plan.valid == [HEX2, HEX]
    assert plan.duplicates == {HEX2: 2}
    assert plan.duplicate_count == 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("abc/def0", "'/'"),
        ("abcd?x=1", "'?'"),
        ("ab%2Fcd", "'%'"),
        ("../etc", "'.'"),
        ("abcd#frag", "'#'"),
        ('"abc def"', "whitespace"),
        ("abc\x00defg", "control"),
        ("abcdé123", "non-ASCII"),
        ("abc", "too short"),
        ("a" * 37, "too long"),
        ("abc\\defg", "'\\\\'"),
        ("abc+defg", "'+'"),
    ],
)
def test_hostile_entries_are_skipped_with_a_reason(text: str, fragment: str) -> None:
    plan = parse(text)
    assert plan.valid == []
    assert len(plan.skipped) == 1
    assert fragment in plan.skipped[0].reason
    assert plan.skipped[0].line == 1


def test_hash_inside_an_id_is_not_a_comment() -> None:
    # 'abcd#x' must not silently become the valid ID 'abcd'
    plan = parse("abcdef#x")
    assert plan.valid == [] and "'#'" in plan.skipped[0].reason


def test_unusual_but_valid_ids_get_a_warning_not_a_rejection() -> None:
    plan = parse("Task_0001\nabcd-efgh")
    assert plan.valid == ["Task_0001", "abcd-efgh"]
    assert set(plan.warnings) == {"Task_0001", "abcd-efgh"}
    assert parse(HEX).warnings == {}


def test_entries_keep_input_order_for_the_report() -> None:
    plan = parse(f"{HEX}\nbad/one\n{HEX2}")
    assert [(e.text, e.id is not None) for e in plan.entries] == [(HEX, True), ("bad/one", False), (HEX2, True)]


def test_over_the_entry_limit_is_refused_whole() -> None:
    with pytest.raises(InputTooLarge, match="split"):
        parse("\n".join(["abcd"] * (MAX_ENTRIES + 1)))


def test_binary_junk_does_not_crash() -> None:
    junk = bytes(range(256)).decode("latin-1") * 20
    plan = parse(junk)
    assert all(id_problem(i) is None for i in plan.valid)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_no_input_yields_a_valid_id_that_changes_the_url_path(text: str) -> None:
    plan = parse(text)
    for task_id in plan.valid:
        path = ViasClient.delete_path_for("proj0001", task_id)
        parts = urlsplit("https://vias.example" + path)
        assert parts.path == path and not parts.query and not parts.fragment
        assert parts.path.split("/") == ["", "v2", "proj0001", "batch-tasks", task_id]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,70}", fullmatch=True), st.text(min_size=1, max_size=40)))
@example("abcd")
@example("a" * 36)
@example("a" * 37)
@example("abc")
@example("ab-_")
@example("abcd\n")
def test_url_builder_refuses_anything_that_is_not_a_plain_id(candidate: str) -> None:
    # The oracle is the API's own rule, written out here (not the code under test): a batch-task ID is 4-36 ASCII
    # letters, digits, '-' or '_' (the list filter's ^[a-z0-9_-]{4,36}$, any case); a project ID is 4-64 of them.
    if re.fullmatch(r"[A-Za-z0-9_-]{4,36}", candidate, flags=re.ASCII):
        assert ViasClient.delete_path_for("proj0001", candidate) == f"/v2/proj0001/batch-tasks/{candidate}"
        assert id_problem(candidate) is None
    else:
        with pytest.raises(InvalidIdentifier):
            ViasClient.delete_path_for("proj0001", candidate)
        assert id_problem(candidate) is not None
    if re.fullmatch(r"[A-Za-z0-9_-]{4,64}", candidate, flags=re.ASCII):
        assert ViasClient.delete_path_for(candidate, "abcd1234").startswith(f"/v2/{candidate}/")
    else:
        with pytest.raises(InvalidIdentifier):
            ViasClient.delete_path_for(candidate, "abcd1234")
