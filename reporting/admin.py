"""Admin for reports, deadlines and letterheads, scoped like every other page: a staff user sees and changes only rows
of their wilayah. Reports are read-only here — their content and state change only through the portal's workflow."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from psks_portal.models import Wilayah
from psks_portal.scope import can_change, user_scope
from reporting import services
from reporting.models import Activity, Deadline, Letterhead, Report, Transition


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(_ReadOnlyInline):
    model = Transition
    fields = ["at", "action", "from_state", "to_state", "by", "comment"]
    readonly_fields = fields


class ActivityInline(_ReadOnlyInline):
    model = Activity
    fields = ["date", "kind", "place", "desa", "participants_male", "participants_female", "result"]
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["kecamatan", "period", "period_kind", "state", "due_date", "days_late", "submitted_at"]
    list_filter = ["period_kind", "state"]
    search_fields = ["kecamatan__code", "kecamatan__name", "period", "tksk_name"]
    list_select_related = ["kecamatan"]
    inlines = [ActivityInline, TransitionInline]
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False  # a report starts when its TKSK opens it (reporting.services.report_open)

    def has_change_permission(self, request, obj=None):
        return False  # content and state move only through the workflow, which keeps the history

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def _provinsi_choices(request):
    return Wilayah.objects.for_user(request.user).filter(level=Wilayah.PROVINSI)


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    """The national defaults belong to the superuser; an Admin Provinsi sets their own provinsi's deadlines."""

    list_display = ["provinsi", "period_kind", "days_after_end"]
    list_filter = ["period_kind"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("provinsi")
        if request.user.is_superuser:
            return queryset
        scope = user_scope(request.user)
        provinsi = scope.wilayah.provinsi_id if scope.wilayah else None
        return queryset.filter(Q(provinsi__isnull=True) | Q(provinsi_id=provinsi))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provinsi":
            kwargs["queryset"] = _provinsi_choices(request)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.required = not request.user.is_superuser
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return allowed
        return allowed and obj.provinsi is not None and can_change(request.user, obj.provinsi)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and (obj.provinsi is None or not can_change(request.user, obj.provinsi)):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
        self._apply(request, obj.period_kind)

    def delete_model(self, request, obj):
        kind = obj.period_kind
        super().delete_model(request, obj)
        self._apply(request, kind)

    def delete_queryset(self, request, queryset):
        kinds = set(queryset.values_list("period_kind", flat=True))
        super().delete_queryset(request, queryset)
        for kind in sorted(kinds):
            self._apply(request, kind)

    def _apply(self, request, kind: str) -> None:
        changed = services.deadlines_apply(kind=kind)
        if changed:
            messages.info(request, _("Batas waktu %(n)s laporan yang belum dikirim disesuaikan.") % {"n": changed})


@admin.register(Letterhead)
class LetterheadAdmin(SimpleHistoryAdmin):
    """Each dinas keeps its own kop surat: a provinsi's and its kabupaten/kota's for an Admin Provinsi."""

    list_display = ["wilayah", "government", "office", "city", "head_name"]
    search_fields = ["wilayah__name", "office", "government"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("wilayah")
        return queryset.filter(wilayah__in=Wilayah.objects.for_user(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "wilayah":
            kwargs["queryset"] = Wilayah.objects.for_user(request.user).filter(level__in=[1, 2])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed if obj is None else allowed and can_change(request.user, obj.wilayah)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed if obj is None else allowed and can_change(request.user, obj.wilayah)

    def save_model(self, request, obj, form, change):
        if not can_change(request.user, obj.wilayah):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
