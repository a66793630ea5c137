"""The report workflow: one table of legal moves and one function that enforces it.

    draft ──submit──▶ submitted ──verify──▶ verified ──accept──▶ accepted
      ▲                  │                     │                    │
      │               return                return/reopen        reopen
      │                  ▼                     ▼                    ▼
      └─────────────── revision ◀──────────────┴────────────────────┘   (revision ──submit──▶ submitted)
    draft ──not_reporting──▶ not_reporting ──reopen──▶ draft

TKSK submit; the kabupaten/kota operator verifies, returns with comments, reopens its own verification or marks a
kecamatan as not reporting; the Admin Provinsi accepts (a whole kabupaten-month at once, see ``services``), returns
a verified report or reopens an accepted one. A reason is required for every move backwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from psks_portal.models import Role
from reporting.models import State


class Action:
    SUBMIT = "submit"
    RETURN = "return"
    VERIFY = "verify"
    ACCEPT = "accept"
    REOPEN = "reopen"
    NOT_REPORTING = "not_reporting"


ACTION_LABELS = {
    Action.SUBMIT: _("Kirim laporan"),
    Action.RETURN: _("Kembalikan untuk revisi"),
    Action.VERIFY: _("Verifikasi"),
    Action.ACCEPT: _("Terima"),
    Action.REOPEN: _("Buka kembali"),
    Action.NOT_REPORTING: _("Tandai tidak melapor"),
}


@dataclass(frozen=True)
class Move:
    target: str
    roles: frozenset[str]
    needs_comment: bool = False


TKSK, OPERATOR, ADMIN = Role.TKSK, Role.OPERATOR_KABKOTA, Role.ADMIN_PROVINSI

TRANSITIONS: dict[tuple[str, str], Move] = {
    (State.DRAFT, Action.SUBMIT): Move(State.SUBMITTED, frozenset({TKSK})),
    (State.REVISION, Action.SUBMIT): Move(State.SUBMITTED, frozenset({TKSK})),
    (State.SUBMITTED, Action.VERIFY): Move(State.VERIFIED, frozenset({OPERATOR})),
    (State.SUBMITTED, Action.RETURN): Move(State.REVISION, frozenset({OPERATOR}), needs_comment=True),
    (State.VERIFIED, Action.ACCEPT): Move(State.ACCEPTED, frozenset({ADMIN})),
    (State.VERIFIED, Action.RETURN): Move(State.REVISION, frozenset({ADMIN}), needs_comment=True),
    (State.VERIFIED, Action.REOPEN): Move(State.REVISION, frozenset({OPERATOR}), needs_comment=True),
    (State.ACCEPTED, Action.REOPEN): Move(State.REVISION, frozenset({ADMIN}), needs_comment=True),
    (State.DRAFT, Action.NOT_REPORTING): Move(State.NOT_REPORTING, frozenset({OPERATOR}), needs_comment=True),
    (State.NOT_REPORTING, Action.REOPEN): Move(State.DRAFT, frozenset({OPERATOR, ADMIN}), needs_comment=True),
}


class TransitionRefused(Exception):
    """A move the table does not allow for this state and role; the message is for the user, in Indonesian."""


def role_of(user) -> str:
    """Superusers act as the role a move needs (they may do everything); others act as their role."""
    return "*" if user.is_superuser else (user.role or "")


def move_for(state: str, action: str, user) -> Move:
    """The move ``user`` may make with ``action`` from ``state``, or ``TransitionRefused`` saying why not."""
    move = TRANSITIONS.get((state, action))
    if move is None:
        raise TransitionRefused(
            _("Laporan berstatus “%(state)s” tidak dapat di-%(action)s.")
            % {"state": State(state).label, "action": str(ACTION_LABELS.get(action, action)).lower()}
        )
    role = role_of(user)
    if role != "*" and role not in move.roles:
        raise TransitionRefused(
            _("Peran Anda tidak dapat melakukan “%(action)s” pada laporan berstatus “%(state)s”.")
            % {"action": ACTION_LABELS[action], "state": State(state).label}
        )
    return move


def role_ever_may(user, action: str) -> bool:
    """Whether the user's role appears in any move of ``action`` (otherwise the action is never theirs)."""
    role = role_of(user)
    return role == "*" or any(a == action and role in m.roles for (_s, a), m in TRANSITIONS.items())


def actions_for(state: str, user) -> list[str]:
    """The actions ``user``'s role may take from ``state`` (scope is checked separately)."""
    role = role_of(user)
    return [
        action
        for (from_state, action), move in TRANSITIONS.items()
        if from_state == state and (role == "*" or role in move.roles)
    ]
