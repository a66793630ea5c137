"""PMKS pages that need no wilayah: the catalogues and how the older lists map onto Permensos 08/2012."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pmks.models import Catalogue, Category, CategoryMapping


@login_required
def catalogue_mapping(request: HttpRequest) -> HttpResponse:
    """Every catalogue with its categories and, for the older ones, the Permensos 08/2012 successor(s)."""
    catalogues = list(Catalogue.objects.order_by("-is_active", "year"))
    categories = defaultdict(list)
    for category in Category.objects.order_by("number"):
        categories[category.catalogue_id].append(category)
    successors = defaultdict(list)
    for mapping in CategoryMapping.objects.select_related("target"):
        successors[mapping.source_id].append(mapping)
    rows = [(c, [(cat, successors.get(cat.pk, [])) for cat in categories[c.pk]]) for c in catalogues]
    return render(request, "pmks/catalogues.html", {"rows": rows, "active_nav": "pmks_catalogue"})
