from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from pmks.models import Catalogue, Category, CategoryMapping
from pmks.services import catalogue_activate


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["number", "code", "name", "unit", "min_age", "max_age", "sex", "atensi_cluster", "bidang"]


@admin.register(Catalogue)
class CatalogueAdmin(SimpleHistoryAdmin):
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


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    list_display = ["source", "target", "min_age", "max_age", "source_note"]
    list_filter = ["source__catalogue"]
