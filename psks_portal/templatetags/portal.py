"""Presentation filters every template uses, so a number, a date, a hidden figure or a NIK looks the same on every
page: ``{% load portal %}`` then ``{{ n|angka }}``, ``{{ d|tanggal }}``, ``{{ value|disamarkan:hidden }}``,
``{{ nik|nik_samar }}``, ``{% catatan_penyamaran %}``, ``{% form_token %}``."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from psks_portal import disclosure, periods, submissions
from psks_portal import nik as nik_rules

register = template.Library()


@register.filter
def angka(value) -> str:
    """A count or amount as Indonesians write it: 1.234 (dots between thousands), 87,5 (decimal comma); "—" for
    nothing."""
    if value is None or value == "":
        return disclosure.NO_DATA
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(value)


def tanggal_text(value) -> str:
    """10 Desember 2026 (a datetime in local time, with its time: 10 Desember 2026 14.32)."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{tanggal_text(local.date())} {local:%H.%M}"
    if isinstance(value, date):
        return f"{value.day} {periods.MONTH_NAMES[value.month - 1]} {value.year}"
    return "" if value is None else str(value)


@register.filter
def tanggal(value) -> str:
    return tanggal_text(value)


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
