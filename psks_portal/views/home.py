from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from psks_portal.accounts import can_manage_accounts
from psks_portal.models import Role
from psks_portal.scope import user_scope
from psks_portal.selectors import wilayah_overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: where the user works and what is waiting for them."""
    scope = user_scope(request.user)
    if not (scope.everything or scope.wilayah):
        # Unreachable for a valid account (the database requires a role and its wilayah); never fall back to all.
        raise PermissionDenied
    overview = wilayah_overview(scope.wilayah)
    return render(
        request,
        "portal/home.html",
        {
            "overview": overview,
            "can_manage_accounts": can_manage_accounts(request.user),
            "Role": Role,
        },
    )
