"""Admin for the registry catalogue (local kinds and criteria, with import and export) and scoped admin for records."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from psks_portal.resources import NationalCatalogueAdminMixin
from registry.models import Criterion, Kind, Organisation, Person
from registry.resources import CriterionResource, KindResource


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["code", "type", "label", "params", "source", "is_active", "sort_order"]


@admin.register(Kind)
class KindAdmin(NationalCatalogueAdminMixin, SimpleHistoryAdmin):
    """Superusers maintain the catalogue; a local kind (``is_local``) is added here without code."""

    resource_classes = [KindResource]
    list_display = ["name", "abbreviation", "subject", "psks_number", "sdm_group", "parent", "is_local", "is_active"]
    list_filter = ["subject", "sdm_group", "is_local", "is_active"]
    search_fields = ["name", "abbreviation", "aliases", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [CriterionInline]

    def has_delete_permission(self, request, obj=None):
        # Kinds are referenced by records; retire them with "aktif" instead.
        return False


@admin.register(Criterion)
class CriterionAdmin(NationalCatalogueAdminMixin, SimpleHistoryAdmin):
    """The criteria of every kind as one list, for import and export; an Admin Provinsi edits a criterion at
    /registri/kriteria/ with a preview of its effect."""

    resource_classes = [CriterionResource]
    list_display = ["kind", "code", "type", "label", "is_active"]
    list_filter = ["type", "is_active", "kind"]
    search_fields = ["code", "label", "kind__name", "kind__code"]
    list_select_related = ["kind"]


class ScopedRecordAdmin(SimpleHistoryAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Person)
class PersonAdmin(ScopedRecordAdmin):
    list_display = ["name", "masked_nik", "sex", "desa"]
    search_fields = ["name"]
    raw_id_fields = ["desa"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedRecordAdmin):
    list_display = ["name", "kind", "desa", "registration_number", "is_active"]
    search_fields = ["name", "registration_number"]
    raw_id_fields = ["desa"]
