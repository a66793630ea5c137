"""Presentation filters every template uses, so a number, a date, a hidden figure or a NIK looks the same on every
page: ``{% load portal %}`` then ``{{ n|angka }}``, ``{{ d|tanggal }}``, ``{{ value|disamarkan:hidden }}``,
``{{ nik|nik_samar }}``, ``{% catatan_penyamaran %}``, ``{% form_token %}``."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from psks_portal import disclosure, formats, submissions
from psks_portal import nik as nik_rules

register = template.Library()


@register.filter
def angka(value) -> str:
    """A count or amount as Indonesians write it (``psks_portal.formats.angka``)."""
    return formats.angka(value)


@register.filter
def tanggal(value) -> str:
    """10 Desember 2026 (``psks_portal.formats.tanggal``; a datetime in local time, with its time)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.tanggal(value)


@register.filter
def disamarkan(value, hidden=False) -> str:
    """A published figure: "—" for no data, "×" when the small-cell rule hides it, else the number."""
    return disclosure.shown(value, hidden=bool(hidden))


@register.filter
def nik_samar(value) -> str:
    """A NIK with its personal part hidden (for roles that do not need it)."""
    return nik_rules.mask(value or "")


@register.simple_tag(takes_context=True)
def form_token(context) -> str:
    """A hidden one-time token for a form that creates something (``psks_portal.submissions.once``): kept when the
    form comes back with errors, new otherwise."""
    request = context.get("request")
    posted = submissions.posted_token(request) if request is not None and request.method == "POST" else None
    token = posted or submissions.new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', submissions.FIELD, token)


@register.simple_tag
def catatan_penyamaran() -> str:
    """The one explanation of the "×" mark."""
    return disclosure.NOTE
