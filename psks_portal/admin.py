"""Django admin, scoped like every other page: a staff user sees and changes only rows in their wilayah."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from psks_portal.accounts import can_manage
from psks_portal.models import User, Wilayah
from psks_portal.selectors import users_for_user


@admin.register(Wilayah)
class WilayahAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "kind", "source_decree", "valid_until"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "kind", "parent", "provinsi", "kabupaten", "kecamatan"]
    fields = ["code", "name", "level", "kind", "parent", "source_decree", "valid_from", "valid_until"]
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_add_permission(self, request):
        # New codes arrive with a decree through `manage.py load_wilayah`, not by hand.
        return False

    def has_change_permission(self, request, obj=None):
        # Master data: only a superuser corrects a name or records validity; scoped viewers may look.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is not None and not Wilayah.objects.for_user(request.user).filter(pk=obj.pk).exists():
            return False
        return request.user.is_active and request.user.is_staff


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "wilayah", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    autocomplete_fields = ["wilayah"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Identitas"), {"fields": ("full_name", "email", "phone", "nip", "position")}),
        (_("Peran dan wilayah"), {"fields": ("role", "wilayah", "must_change_password")}),
        (_("Hak akses"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Waktu"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "role", "wilayah", "password1", "password2")},
        ),
    )

    def get_queryset(self, request):
        return users_for_user(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_superuser or super().has_change_permission(request)
        return request.user.is_superuser or (
            super().has_change_permission(request, obj) and can_manage(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted, so their audit trail stays readable.
        return False
