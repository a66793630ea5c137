"""Transfer requests (``psks_portal.transfers``): the owning area decides the requests for its records; the requester
follows the ones they sent. Nothing here tells a requester whose record it is or where it was."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from psks_portal import roles, transfers
from psks_portal.models import TransferStatus, Wilayah


class DecisionForm(forms.Form):
    keputusan = forms.ChoiceField(choices=[("terima", gettext_lazy("Terima")), ("tolak", gettext_lazy("Tolak"))])
    alasan = forms.CharField(label=gettext_lazy("Alasan (wajib bila ditolak)"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("keputusan") == "tolak" and not (cleaned.get("alasan") or "").strip():
            self.add_error("alasan", _("Tuliskan alasan penolakan: pemohon akan membacanya."))
        return cleaned


def transfer_sent(request: HttpRequest, *, kind: str, record, desa: Wilayah) -> HttpResponse:
    """Send (or find the waiting) transfer request and tell the requester only that it was sent."""
    transfers.request_transfer(user=request.user, kind=kind, record=record, to_desa=desa)
    messages.success(
        request,
        _(
            "Permintaan pindah data dikirim kepada petugas wilayah asal. Keputusannya tampil di halaman Permintaan "
            "pindah data."
        ),
    )
    return redirect("transfer_list")


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    if not roles.may_write_somewhere(request.user):
        raise PermissionDenied
    incoming = [
        (item, transfers.record_of(item), transfers.holder(item.kind))
        for item in transfers.incoming(request.user).filter(status=TransferStatus.PENDING)[:200]
    ]
    return render(
        request,
        "transfers/list.html",
        {
            "incoming": [
                (item, holder.describe(record), holder.url(record), holder.label) for item, record, holder in incoming
            ],  # fmt: skip
            "decided": transfers.incoming(request.user).exclude(status=TransferStatus.PENDING)[:50],
            "outgoing": transfers.outgoing(request.user)[:100],
            "labels": {kind: transfers.holder(kind).label for kind in ("registri", "bnba")},
            "form": DecisionForm(),
            "active_nav": "transfers",
        },
    )


@login_required
@require_POST
def transfer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(transfers.incoming(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("transfer_list")
    try:
        transfers.decide(
            request=item, accept=form.cleaned_data["keputusan"] == "terima", by=request.user,
            note=form.cleaned_data["alasan"],
        )  # fmt: skip
    except transfers.TransferRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Permintaan diputuskan."))
    return redirect(reverse("transfer_list"))
