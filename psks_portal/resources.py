"""django-import-export for the national reference catalogues in the admin (registry kinds and criteria, PMKS
catalogues, categories and mappings): what every catalogue resource and admin shares.

- Rows name each other by code (natural keys), never by database id, so a file moves between installations.
- An import is checked first (a dry run in a transaction rolled back), then written whole or not at all; rows that
  change nothing are skipped and reported as such; each saved row leaves a history row (django-simple-history) with
  the user and the reason "Diimpor lewat admin".
- Text cells that a spreadsheet would run as a formula are exported with a ``'`` guard (``tabular.neutralise``), and
  the guard is taken off again on import, so an exported file imports unchanged.
- The catalogues are national: only a superuser imports them, and only where the admin lets them edit; anyone who may
  view a catalogue in the admin may export it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from psks_portal.tabular.writers import FORMULA_STARTS, neutralise

CHANGE_REASON = "Diimpor lewat admin"


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related row's code. ``within`` names a second column and the lookup it feeds when
    a code is unique only inside a parent (a PMKS category inside its catalogue)."""

    def __init__(self, model, field: str = "code", *, label: str, within: tuple[str, str] | None = None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.label, self.within = label, within

    def get_lookup_kwargs(self, value, row, **kwargs):
        lookup = {self.field: value}
        if self.within:
            column, parent_lookup = self.within
            lookup[parent_lookup] = (row or {}).get(column)
        return lookup

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            message = _("%(label)s “%(code)s” tidak terdaftar.") % {"label": self.label, "code": value}
            raise ValueError(message) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


class SafeTextWidget(widgets.CharWidget):
    """Text that a spreadsheet must not run: guarded on export, the guard removed on import."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
            return value[1:]
        return value

    def render(self, value, obj=None, **kwargs):
        return neutralise(super().render(value, obj, **kwargs))


class NationalCatalogueResource(resources.ModelResource):
    """Base of every catalogue resource: model validation per row, unchanged rows skipped, the reason on history."""

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.CharField | models.TextField) and not f.choices:
            return SafeTextWidget
        return super().widget_from_django_field(f, default)

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = CHANGE_REASON

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


class NationalCatalogueAdminMixin(ImportExportMixin):
    """Import and export buttons on a catalogue's admin list, in the two formats the portal reads (XLSX and CSV)."""

    formats = [XLSX, CSV]

    def has_import_permission(self, request):
        # National reference data, like the wilayah tree: only a superuser changes it, and never beyond what the
        # admin already lets them change (an import adds and changes rows).
        user = request.user
        return user.is_superuser and self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)
