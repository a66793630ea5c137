"""Admin for the PMKS catalogues, their categories and mappings (with import and export)."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from pmks.models import Catalogue, Category, CategoryMapping
from pmks.resources import CatalogueResource, CategoryMappingResource, CategoryResource
from pmks.services import catalogue_activate
from psks_portal.resources import NationalCatalogueAdminMixin


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["number", "code", "name", "unit", "min_age", "max_age", "sex", "atensi_cluster", "bidang"]


@admin.register(Catalogue)
class CatalogueAdmin(NationalCatalogueAdminMixin, SimpleHistoryAdmin):
    resource_classes = [CatalogueResource]
    list_display = ["name", "year", "regulation", "is_active"]
    readonly_fields = ["is_active"]
    inlines = [CategoryInline]
    actions = ["make_active"]

    @admin.action(description="Jadikan katalog aktif (data baru dicatat dengan katalog ini)")
    def make_active(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Pilih tepat satu katalog.", messages.ERROR)
            return
        catalogue = catalogue_activate(code=queryset.get().code)
        self.message_user(request, f"{catalogue} sekarang aktif.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(NationalCatalogueAdminMixin, SimpleHistoryAdmin):
    """Every catalogue's categories as one list, for import and export (each catalogue's page lists its own)."""

    resource_classes = [CategoryResource]
    list_display = ["catalogue", "number", "code", "name", "unit", "min_age", "max_age", "sex"]
    list_filter = ["catalogue"]
    search_fields = ["code", "name"]
    list_select_related = ["catalogue"]

    def has_delete_permission(self, request, obj=None):
        # Figures refer to categories; a catalogue is never deleted either.
        return False


@admin.register(CategoryMapping)
class CategoryMappingAdmin(NationalCatalogueAdminMixin, admin.ModelAdmin):
    resource_classes = [CategoryMappingResource]
    list_display = ["source", "target", "min_age", "max_age", "source_note"]
    list_filter = ["source__catalogue"]
