"""The criteria catalogue: every kind with its criteria, and editing a criterion after a preview of its effect.

A criterion is national; the superuser changes it for everyone. An Admin Provinsi changes its provinsi's version of
it (``CriterionOverride``), which roles held in the provinsi and its organisations are judged by; the preview counts
exactly the records whose status would change."""

from __future__ import annotations

import copy
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psks_portal import roles
from psks_portal.models import Wilayah
from registry import selectors, services
from registry.eligibility import STATUS_LABELS
from registry.history import change_rows
from registry.models import Criterion, Kind


def can_edit_criteria(user) -> bool:
    """The superuser edits the national criteria; an Admin Provinsi edits its provinsi's version of them."""
    return user.is_active and (user.is_superuser or roles.is_admin_provinsi(user))


def _provinsi(user) -> str | None:
    """Where the user's change applies: ``None`` for the national criterion (superuser), else their provinsi."""
    return None if user.is_superuser else selectors.provinsi_of(user.wilayah_id)


class CriterionForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Uraian"), max_length=250)
    params_text = forms.CharField(
        label=gettext_lazy("Parameter (JSON)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy('Contoh rentang usia: {"min": 18, "max": 45}'),
    )
    source = forms.CharField(label=gettext_lazy("Sumber"), max_length=250, required=False)
    note = forms.CharField(label=gettext_lazy("Catatan"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Berlaku"), required=False)

    def __init__(self, *args, criterion: Criterion, current: Criterion, **kwargs):
        initial = {
            "label": current.label,
            "params_text": json.dumps(current.params, ensure_ascii=False),
            "source": current.source,
            "note": current.note,
            "is_active": current.is_active,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.criterion = criterion

    def clean_params_text(self) -> dict:
        try:
            value = json.loads(self.cleaned_data["params_text"] or "{}")
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Parameter bukan JSON yang sah: %(e)s") % {"e": exc.msg}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_('Parameter harus berupa objek JSON, mis. {"min": 18}.'))
        if self.criterion.type == "age_range":
            low, high = value.get("min"), value.get("max")
            if any(v is not None and (not isinstance(v, int) or v < 0 or v > 120) for v in (low, high)):
                raise forms.ValidationError(_("Batas usia harus bilangan bulat 0–120."))
            if low is not None and high is not None and low > high:
                raise forms.ValidationError(_("Batas bawah usia tidak boleh melebihi batas atas."))
        return value

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "params": data["params_text"],
            "label": data["label"],
            "source": data["source"],
            "note": data["note"],
            "is_active": data["is_active"],
        }


@login_required
def criteria_list(request: HttpRequest) -> HttpResponse:
    kinds = Kind.objects.select_related("parent").prefetch_related("criteria").order_by("sort_order")
    editor = can_edit_criteria(request.user)
    provinsi = _provinsi(request.user) if editor else selectors.provinsi_of(request.user.wilayah_id)
    book = selectors.CriteriaBook()
    rows = [
        (kind, [(c, book.override(c, provinsi) if provinsi else None) for c in kind.criteria.all()]) for kind in kinds
    ]
    return render(
        request,
        "registry/criteria_list.html",
        {
            "rows": rows,
            "provinsi": Wilayah.objects.filter(code=provinsi).first() if provinsi else None,
            "can_edit": editor,
            "active_nav": "criteria",
        },
    )


@login_required
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_edit_criteria(request.user):
        raise PermissionDenied
    criterion = get_object_or_404(Criterion.objects.select_related("kind"), pk=pk)
    provinsi = _provinsi(request.user)
    book = selectors.CriteriaBook()
    override = book.override(criterion, provinsi) if provinsi else None
    current = book.read(criterion, provinsi)
    if request.method == "POST" and "kembalikan" in request.POST and provinsi:
        services.criterion_override_remove(criterion=criterion, provinsi=provinsi, by=request.user)
        messages.success(request, _("Provinsi Anda kembali memakai kriteria nasional."))
        return redirect("registry:criteria_list")
    form = CriterionForm(request.POST or None, criterion=criterion, current=current)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "simpan" in request.POST:
            services.criterion_save(criterion=criterion, provinsi=provinsi, values=form.values(), by=request.user)
            messages.success(request, _("Kriteria disimpan."))
            return redirect("registry:criteria_list")
        proposed = copy.copy(criterion)
        for name, value in form.values().items():
            setattr(proposed, name, value)
        preview = selectors.criterion_change_preview(request.user, criterion, proposed, provinsi=provinsi)
    return render(
        request,
        "registry/criterion_form.html",
        {
            "form": form,
            "criterion": criterion,
            "current": current,
            "override": override,
            "provinsi": Wilayah.objects.filter(code=provinsi).first() if provinsi else None,
            "preview": preview,
            "labels": STATUS_LABELS,
            "active_nav": "criteria",
            "history": change_rows(override.history.all() if override else criterion.history.all()),
        },
    )


urlpatterns = [
    path("kriteria/", criteria_list, name="criteria_list"),
    path("kriteria/<int:pk>/ubah/", criterion_edit, name="criterion_edit"),
]
