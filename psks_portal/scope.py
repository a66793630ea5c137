"""The one place that decides what a user may see and change: their wilayah and everything below it.

Every list, detail, form, admin page, import, export and background job goes through ``for_user`` (querysets) and
``can_view`` / ``can_change`` / ``get_object_for_user`` (single objects). Objects outside the scope are answered
with 404, so a user cannot even learn which records exist elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from psks_portal.models import Wilayah


@dataclass(frozen=True)
class Scope:
    """What a user reaches: ``everything`` (superuser, national Pimpinan) or ``wilayah`` and below; read-only or not."""

    everything: bool
    wilayah: Wilayah | None
    read_only: bool

    def contains(self, wilayah: Wilayah | None) -> bool:
        if wilayah is None:
            return self.everything
        if self.everything:
            return True
        return self.wilayah is not None and self.wilayah.contains(wilayah)

    @property
    def may_write(self) -> bool:
        """Writes somewhere: not read-only, and reaching at least one wilayah."""
        return not self.read_only and (self.everything or self.wilayah is not None)


NOTHING = Scope(everything=False, wilayah=None, read_only=True)


def user_scope(user) -> Scope:
    """The scope of an authenticated, active user; anonymous or inactive users reach nothing."""
    from psks_portal.models import Role

    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Scope(everything=True, wilayah=None, read_only=False)
    if not user.role:
        return NOTHING
    read_only = user.role == Role.PIMPINAN
    if user.wilayah_id is None:
        # Only a national Pimpinan has no wilayah (the model refuses it for the other roles).
        return Scope(everything=user.role == Role.PIMPINAN, wilayah=None, read_only=True)
    return Scope(everything=False, wilayah=user.wilayah, read_only=read_only)


def can_view(user, wilayah: Wilayah | None) -> bool:
    return user_scope(user).contains(wilayah)


def can_change(user, wilayah: Wilayah | None) -> bool:
    scope = user_scope(user)
    return not scope.read_only and scope.contains(wilayah)


class ScopedQuerySet(models.QuerySet):
    """A queryset for records that belong to a wilayah through ``wilayah_field`` (a FK to ``Wilayah``).

    Subclasses set ``wilayah_field`` (e.g. ``"desa"``). ``for_user`` is the only way views reach such records.
    """

    wilayah_field = "wilayah"

    def in_wilayah(self, wilayah: Wilayah | None):
        from psks_portal.models import LEVEL_FIELD

        if wilayah is None:
            return self.all()
        column = LEVEL_FIELD[wilayah.level]
        lookup = self.wilayah_field if column == "code" else f"{self.wilayah_field}__{column}"
        return self.filter(**{lookup: wilayah.code})

    def for_user(self, user):
        scope = user_scope(user)
        if scope.everything:
            return self.all()
        if scope.wilayah is None:
            return self.none()
        return self.in_wilayah(scope.wilayah)


def get_object_for_user(queryset: models.QuerySet, user, *, write: bool = False, **lookup):
    """Fetch one object through the queryset's ``for_user``; 404 when outside scope, 403 for a write by a reader."""
    try:
        obj = queryset.for_user(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if write and user_scope(user).read_only:
        raise PermissionDenied
    return obj
