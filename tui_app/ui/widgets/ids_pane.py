"""Where IDs are pasted or typed, with a live account of which are valid, repeated or skipped and why."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static, TextArea

from tui_app.ids import InputTooLarge, Plan, parse, shown

PARSE_DELAY = 0.15  # seconds of quiet typing before re-parsing
ISSUES_SHOWN = 200  # skipped/unusual lines listed beside the text; the rest are counted


class IdsPane(Horizontal):
    DEFAULT_CSS = """
    IdsPane { height: 1fr; }
    IdsPane #ids-input { width: 2fr; }
    IdsPane #plan-side { width: 1fr; min-width: 26; padding: 0 1; }
    IdsPane #plan-counts { height: auto; margin-bottom: 1; }
    IdsPane #plan-issues-scroll { height: 1fr; }
    """

    class PlanChanged(Message):
        def __init__(self, plan: Plan | None, error: str | None) -> None:
            super().__init__()
            self.plan = plan
            self.error = error

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._initial = text
        self.plan: Plan = Plan()
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        area = TextArea(self._initial, id="ids-input", show_line_numbers=True, soft_wrap=False, tab_behavior="focus")
        area.border_title = "IDs: paste or type (one per line, or , ; space separated; # comments)"
        yield area
        with Vertical(id="plan-side"):
            yield Static(id="plan-counts")
            with VerticalScroll(id="plan-issues-scroll"):
                yield Static(id="plan-issues")

    def on_mount(self) -> None:
        self.reparse()

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#ids-input", TextArea)

    def set_text(self, text: str) -> None:
        self.text_area.load_text(text)
        self.reparse()

    @on(TextArea.Changed, "#ids-input")
    def _changed(self) -> None:
        if getattr(self, "_timer", None) is not None:
            self._timer.stop()
        self._timer = self.set_timer(PARSE_DELAY, self.reparse)

    def current_plan(self) -> Plan:
        """The plan for exactly what is in the box now (no waiting for the debounce)."""
        self.reparse()
        return self.plan

    def reparse(self) -> None:
        try:
            self.plan, self.error = parse(self.text_area.text), None
        except InputTooLarge as exc:
            self.plan, self.error = Plan(), str(exc)
        self._render_plan()
        self.post_message(self.PlanChanged(self.plan, self.error))

    def _render_plan(self) -> None:
        plan = self.plan
        counts = Text()
        if self.error:
            counts.append(f"Too large: {self.error}", style="bold red")
        else:
            counts.append(f"{len(plan.valid):,} valid\n", style="bold green" if plan.valid else "dim")
            counts.append(f"{plan.duplicate_count:,} duplicate(s), sent once\n",
                          style="yellow" if plan.duplicates else "dim")
            counts.append(f"{len(plan.skipped):,} skipped, never sent\n", style="bold red" if plan.skipped else "dim")
            counts.append(f"{len(plan.warnings):,} unusual", style="yellow" if plan.warnings else "dim")
        self.query_one("#plan-counts", Static).update(counts)
        issues = Text()
        for entry in plan.skipped[:ISSUES_SHOWN]:
            issues.append(f"line {entry.line} ", style="bold red")
            issues.append(f"{shown(entry.text)!r}\n", style="red")
            issues.append(f"  {entry.reason}\n", style="dim")
        warned = list(plan.warnings.items())[: max(0, ISSUES_SHOWN - len(plan.skipped))]
        for task_id, warning in warned:
            issues.append(f"line {plan.id_lines[task_id]} ", style="bold yellow")
            issues.append(f"{task_id}\n", style="yellow")
            issues.append(f"  {warning}\n", style="dim")
        hidden = len(plan.skipped) + len(plan.warnings) - ISSUES_SHOWN
        if hidden > 0:
            issues.append(f"… and {hidden:,} more (the report lists them all)", style="dim")
        self.query_one("#plan-issues", Static).update(issues)
