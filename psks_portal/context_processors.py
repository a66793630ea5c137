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
    nav = [{"url": reverse("home"), "label": _("Beranda"), "key": "home"}]
    nav.append({"url": reverse("wilayah_index"), "label": _("Wilayah"), "key": "wilayah"})
    groups: dict[str, dict] = {}
    for item in navigation.items_for(user):
        entry = {"url": reverse(item.url_name), "label": item.label, "key": item.key}
        if not item.group:
            nav.append(entry)
        elif str(item.group) in groups:
            groups[str(item.group)]["children"].append(entry)
        else:
            groups[str(item.group)] = {"label": item.group, "key": f"group-{item.key}", "children": [entry]}
            nav.append(groups[str(item.group)])
    if can_manage_accounts(user):
        nav.append({"url": reverse("user_list"), "label": _("Pengguna"), "key": "users"})
    if user.is_superuser:
        nav.append({"url": reverse("admin:index"), "label": _("Admin Django"), "key": "admin"})
    context.update({"scope": scope, "nav_items": nav})
    return context
