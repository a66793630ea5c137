"""The registry catalogue in the admin's import and export (django-import-export): kinds by code, criteria by the code
of their kind and their own code (see ``psks_portal.resources``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields

from psks_portal.resources import CodeWidget, NationalCatalogueResource
from registry.models import Criterion, Kind
from registry.services import CRITERION_FIELDS, KIND_FIELDS


class KindResource(NationalCatalogueResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=CodeWidget(Kind, label=_("Jenis induk")))

    class Meta(NationalCatalogueResource.Meta):
        model = Kind
        import_id_fields = ["code"]
        # The fields of the shipped catalogue file (as the loader reads them) and those set only here.
        fields = ["code", *KIND_FIELDS, "parent", "is_local", "is_active"]


class CriterionResource(NationalCatalogueResource):
    kind = fields.Field(attribute="kind", column_name="kind", widget=CodeWidget(Kind, label=_("Jenis")))

    class Meta(NationalCatalogueResource.Meta):
        model = Criterion
        import_id_fields = ["kind", "code"]
        fields = ["kind", "code", *CRITERION_FIELDS, "is_active", "sort_order"]

    def get_queryset(self):
        return super().get_queryset().select_related("kind")
