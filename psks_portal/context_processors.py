"""Template context shared by every page: portal name, the user's scope wilayah and navigation entries by role."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from psks_portal import navigation
from psks_portal.accounts import can_manage_accounts
from psks_portal.scope import user_scope


def portal(request) -> dict:
    user = getattr(request, "user", None)
    context = {"portal_name": settings.PORTAL_NAME, "session_idle_minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES}
    if user is None or not user.is_authenticated:
        return context
    scope = user_scope(user)
    nav = [(reverse("home"), _("Beranda"), "home")]
    nav.append((reverse("wilayah_index"), _("Wilayah"), "wilayah"))
    nav.extend((reverse(item.url_name), item.label, item.key) for item in navigation.items_for(user))
    if can_manage_accounts(user):
        nav.append((reverse("user_list"), _("Pengguna"), "users"))
    if user.is_superuser:
        nav.append((reverse("admin:index"), _("Admin Django"), "admin"))
    context.update({"scope": scope, "nav_items": nav})
    return context
