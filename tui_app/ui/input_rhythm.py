"""When keys last arrived faster than anyone types: the second check behind the confirmation's typed count.

A person's keys come tens of milliseconds apart at the very least, each in a read of its own. Keys that come closer
together were typed by a machine: the rest of a paste after a stall, a script writing to the terminal, or a person's
keys bunched up by a stalled link. None of that is a deliberate confirmation, however long after the screen appeared
it arrives (a slow link can spread a crafted paste over seconds), so the confirmation does not take the count while
keys have come in a burst since it appeared: it asks for the code it shows instead (screens/confirm.py).
"""

from __future__ import annotations

# Closer than this, two keys were not typed one by one: fast typists and key repeat stay above ~30 ms, while keys in
# one read of the terminal come microseconds apart and a link at 1 KB/s still delivers a key every few ms.
BURST_GAP = 0.012


class InputRhythm:
    __slots__ = ("_last", "burst_at", "gap")

    def __init__(self, gap: float = BURST_GAP) -> None:
        self.gap = gap
        self._last: float | None = None
        self.burst_at = float("-inf")  # when the last key that came too close to the one before it was read

    def saw(self, when: float) -> None:
        """A key read from the terminal at `when` (Textual's event time)."""
        if self._last is not None and when - self._last < self.gap:
            self.burst_at = when
        self._last = when

    def burst_since(self, moment: float) -> bool:
        return self.burst_at >= moment


__all__ = ["BURST_GAP", "InputRhythm"]
