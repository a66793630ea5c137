"""The jump rule: a figure that moves much more than last month's asks the TKSK for an explanation.

One rule for the grid form (which asks for the explanation), the save (which stores it beside the figure) and the
verifier's view of a report.
"""

from __future__ import annotations

from django.conf import settings

MIN_DIFFERENCE = 5


def jump_share() -> float:
    return getattr(settings, "PMKS_JUMP_SHARE", 0.5)


def is_jump(previous: int | None, new: int | None) -> bool:
    """A change larger than the configured share of last month's figure (and at least 5), either way."""
    if previous is None or new is None:
        return False
    difference = abs(new - previous)
    return difference >= MIN_DIFFERENCE and difference > jump_share() * max(previous, 1)
