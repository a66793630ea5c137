"""The PMKS catalogues in the admin's import and export (django-import-export): catalogues by code, categories by
catalogue and code, mappings by the catalogue and code of both categories (see ``psks_portal.resources``).

Which catalogue is active is exported for information and never imported: it changes only through the admin action
(``pmks.services.catalogue_activate``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from pmks.models import Catalogue, Category, CategoryMapping
from pmks.services import CATEGORY_FIELDS
from psks_portal.resources import CodeWidget, NationalCatalogueResource


class CatalogueResource(NationalCatalogueResource):
    is_active = fields.Field(
        attribute="is_active", column_name="is_active", readonly=True, widget=widgets.BooleanWidget()
    )

    class Meta(NationalCatalogueResource.Meta):
        model = Catalogue
        import_id_fields = ["code"]
        fields = ["code", "name", "regulation", "year", "is_active"]


class CategoryResource(NationalCatalogueResource):
    catalogue = fields.Field(
        attribute="catalogue", column_name="catalogue", widget=CodeWidget(Catalogue, label=_("Katalog"))
    )

    class Meta(NationalCatalogueResource.Meta):
        model = Category
        import_id_fields = ["catalogue", "code"]
        # The fields of the shipped catalogue file (as the loader reads them) and the office's own ``bidang``.
        fields = ["catalogue", "number", *CATEGORY_FIELDS, "bidang"]

    def get_queryset(self):
        return super().get_queryset().select_related("catalogue")


def _category_field(role: str, label) -> tuple[fields.Field, fields.Field]:
    """The catalogue column (exported; read on import to find the category) and the category column of one side."""
    catalogue = fields.Field(attribute=f"{role}__catalogue__code", column_name=f"{role}_catalogue", readonly=True)
    category = fields.Field(
        attribute=role,
        column_name=role,
        widget=CodeWidget(Category, label=label, within=(f"{role}_catalogue", "catalogue__code")),
    )
    return catalogue, category


class CategoryMappingResource(NationalCatalogueResource):
    source_catalogue, source = _category_field("source", _("Kategori asal"))
    target_catalogue, target = _category_field("target", _("Kategori tujuan"))

    class Meta(NationalCatalogueResource.Meta):
        model = CategoryMapping
        import_id_fields = ["source", "target"]
        fields = ["source_catalogue", "source", "target_catalogue", "target", "min_age", "max_age", "source_note"]

    def get_queryset(self):
        return super().get_queryset().select_related("source__catalogue", "target__catalogue")
