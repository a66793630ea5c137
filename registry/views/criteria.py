"""The criteria catalogue: every kind with its criteria, and editing a criterion after a preview of its effect."""

from __future__ import annotations

import copy
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psks_portal.models import Role
from registry import selectors
from registry.eligibility import STATUS_LABELS
from registry.history import change_rows
from registry.models import Criterion, Kind


def can_edit_criteria(user) -> bool:
    return user.is_superuser or (user.is_active and user.role == Role.ADMIN_PROVINSI)


class CriterionForm(forms.ModelForm):
    params_text = forms.CharField(
        label=gettext_lazy("Parameter (JSON)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy('Contoh rentang usia: {"min": 18, "max": 45}'),
    )

    class Meta:
        model = Criterion
        fields = ["label", "source", "note", "is_active"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["params_text"].initial = json.dumps(self.instance.params, ensure_ascii=False)

    def clean_params_text(self) -> dict:
        try:
            value = json.loads(self.cleaned_data["params_text"] or "{}")
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Parameter bukan JSON yang sah: %(e)s") % {"e": exc.msg}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_('Parameter harus berupa objek JSON, mis. {"min": 18}.'))
        if self.instance.type == "age_range":
            low, high = value.get("min"), value.get("max")
            if any(v is not None and (not isinstance(v, int) or v < 0 or v > 120) for v in (low, high)):
                raise forms.ValidationError(_("Batas usia harus bilangan bulat 0–120."))
            if low is not None and high is not None and low > high:
                raise forms.ValidationError(_("Batas bawah usia tidak boleh melebihi batas atas."))
        return value


@login_required
def criteria_list(request: HttpRequest) -> HttpResponse:
    kinds = Kind.objects.select_related("parent").prefetch_related("criteria").order_by("sort_order")
    return render(
        request,
        "registry/criteria_list.html",
        {"kinds": kinds, "can_edit": can_edit_criteria(request.user), "active_nav": "criteria"},
    )


@login_required
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_edit_criteria(request.user):
        raise PermissionDenied
    criterion = get_object_or_404(Criterion.objects.select_related("kind"), pk=pk)
    form = CriterionForm(request.POST or None, instance=copy.copy(criterion))
    preview = None
    if request.method == "POST" and form.is_valid():
        proposed = form.save(commit=False)
        proposed.params = form.cleaned_data["params_text"]
        if "simpan" in request.POST:
            with transaction.atomic():
                proposed._change_reason = _("Diubah oleh %(user)s") % {"user": request.user.username}
                proposed.save()
            messages.success(request, _("Kriteria disimpan."))
            return redirect("registry:criteria_list")
        preview = selectors.criterion_change_preview(request.user, criterion, proposed)
    return render(
        request,
        "registry/criterion_form.html",
        {
            "form": form,
            "criterion": criterion,
            "preview": preview,
            "labels": STATUS_LABELS,
            "active_nav": "criteria",
            "history": change_rows(criterion.history.all()),
        },
    )


urlpatterns = [
    path("kriteria/", criteria_list, name="criteria_list"),
    path("kriteria/<int:pk>/ubah/", criterion_edit, name="criterion_edit"),
]
