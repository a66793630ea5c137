"""A form that creates something is done once, however often it arrives.

The page puts a one-time token in the form (``{% form_token %}``); ``once`` runs the creating work and records the
token with the address of what was made, in the same transaction. The same token again (a double click, a retry
after a lost answer) is answered with a redirect to that first result. Two copies arriving at the same moment: the
second one's record of the token waits on the unique index until the first commits, then fails, its transaction —
with whatever it created — is rolled back, and it is answered like a repeat. A form that did not validate records
nothing, so the corrected form can be sent with the same token.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from psks_portal.models import FormSubmission

FIELD = "token_formulir"
KEPT = timedelta(days=2)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def posted_token(request: HttpRequest) -> str | None:
    token = request.POST.get(FIELD, "")
    return token if _TOKEN.fullmatch(token) else None


def once(request: HttpRequest, work: Callable[[], str]) -> HttpResponse:
    """Run ``work`` (it creates something and returns the address to show it) at most once per form token, and
    redirect to that address. Without a token (an old page) the work simply runs. An ``IntegrityError`` that is not
    a repeat of this form is raised again for the caller to explain."""
    token = posted_token(request)
    if token is None:
        return redirect(work())
    earlier = _earlier(request, token)
    if earlier is not None:
        return redirect(earlier)
    try:
        with transaction.atomic():
            url = work()
            FormSubmission.objects.create(token=token, user=request.user, result_url=url)
    except IntegrityError:
        earlier = _earlier(request, token)
        if earlier is None:
            raise
        return redirect(earlier)
    FormSubmission.objects.filter(user=request.user, created_at__lt=timezone.now() - KEPT).delete()
    return redirect(url)


def repeated(request: HttpRequest) -> HttpResponse | None:
    """For a form already done under its token: the redirect to its result, before anything is validated again
    (a second copy must not meet its own first copy as a duplicate). ``None`` otherwise."""
    token = posted_token(request) if request.method == "POST" else None
    earlier = _earlier(request, token) if token else None
    return redirect(earlier) if earlier else None


def _earlier(request: HttpRequest, token: str) -> str | None:
    return FormSubmission.objects.filter(token=token, user=request.user).values_list("result_url", flat=True).first()
