from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from psks_portal import submissions
from psks_portal.accounts import can_manage, can_manage_accounts
from psks_portal.forms import UserFilterForm, UserForm
from psks_portal.models import User
from psks_portal.selectors import users_for_user
from psks_portal.services import user_save


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_accounts(request.user):
        raise PermissionDenied


def _get_managed_user(request: HttpRequest, pk: int) -> User:
    target = users_for_user(request.user).filter(pk=pk).first()
    if target is None:
        raise Http404
    if not can_manage(request.user, target):
        raise PermissionDenied
    return target


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    filters = UserFilterForm(request.GET or None)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {}) or {}
    users = users_for_user(request.user, search=data.get("q", ""), role=data.get("role", ""))
    page = Paginator(users, 50).get_page(request.GET.get("halaman"))
    return render(request, "users/list.html", {"page": page, "filters": filters})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    initial = {"role": request.GET.get("peran", ""), "wilayah": request.GET.get("wilayah", "")}
    if repeat := submissions.repeated(request):
        return repeat
    form = UserForm(request.POST or None, manager=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            user = user_save(user=form.save(commit=False), password=form.new_password, by=request.user)
            messages.success(
                request,
                _("Akun %(username)s dibuat. Sampaikan kata sandi awal secara langsung.") % {"username": user.username},
            )
            return reverse("user_list")

        try:
            return submissions.once(request, create)  # sent twice (double click, retry): one account
        except IntegrityError:  # the same user name taken at the same moment by another form
            form.add_error("username", _("Nama pengguna ini baru saja dipakai. Pilih yang lain."))
    return render(request, "users/form.html", {"form": form, "title": _("Tambah pengguna")})


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    target = _get_managed_user(request, pk)
    form = UserForm(request.POST or None, manager=request.user, instance=target)
    if request.method == "POST" and form.is_valid():
        user_save(user=form.save(commit=False), password=form.new_password, by=request.user)
        messages.success(request, _("Perubahan akun %(username)s disimpan.") % {"username": target.username})
        return redirect("user_list")
    history = target.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request, "users/form.html", {"form": form, "title": _("Ubah pengguna"), "target": target, "history": history}
    )
