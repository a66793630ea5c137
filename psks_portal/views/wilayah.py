from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from psks_portal import wilayah_codes as codes
from psks_portal.forms import WilayahJumpForm
from psks_portal.models import Wilayah
from psks_portal.scope import get_object_for_user, user_scope
from psks_portal.selectors import child_options, wilayah_overview


@login_required
@require_GET
def wilayah_index(request: HttpRequest) -> HttpResponse:
    """Jump to a wilayah chosen in the picker, else to the top of the user's scope (the country for national users)."""
    code = (request.GET.get("kode") or "").strip()
    if code:
        return redirect("wilayah_detail", code=codes.normalise_digits(code))
    scope = user_scope(request.user)
    if scope.wilayah is not None:
        return redirect("wilayah_detail", code=scope.wilayah.code)
    if not scope.everything:
        raise Http404
    return render(
        request,
        "wilayah/detail.html",
        {
            "overview": wilayah_overview(None),
            "wilayah": None,
            "jump_form": WilayahJumpForm(user=request.user),
        },
    )


@login_required
@require_GET
def wilayah_detail(request: HttpRequest, code: str) -> HttpResponse:
    wilayah = get_object_for_user(Wilayah.objects.all(), request.user, code=code)
    overview = wilayah_overview(wilayah)
    page = Paginator(overview.children, 50).get_page(request.GET.get("halaman"))
    history = wilayah.history.select_related("history_user").order_by("-history_date")[:10]
    return render(
        request,
        "wilayah/detail.html",
        {
            "overview": overview,
            "wilayah": wilayah,
            "page": page,
            "history": history,
            "active_nav": "wilayah",
            "jump_form": WilayahJumpForm(user=request.user, initial={"kode": wilayah}),
        },
    )


@login_required
@require_GET
def wilayah_options(request: HttpRequest) -> JsonResponse:
    """Children of ``induk`` within the user's scope, as JSON for the chained picker."""
    parent = (request.GET.get("induk") or "").strip()
    if parent and not codes.is_valid(parent):
        return JsonResponse({"error": "Kode induk tidak sah."}, status=400)
    options = child_options(request.user, parent or None)
    return JsonResponse({"options": [{"code": w.code, "label": w.label} for w in options]})


@login_required
@require_GET
def wilayah_about(request: HttpRequest) -> HttpResponse:
    """Where the wilayah data comes from and under which licence (ODbL attribution)."""
    return render(request, "wilayah/about.html", {"decree": "Kepmendagri 300.2.2-2138/2025"})
