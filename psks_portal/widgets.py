"""The chained wilayah picker (provinsi → kab/kota → kecamatan → desa), filtered by the server to the user's scope."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from psks_portal.models import Wilayah
from psks_portal.scope import user_scope
from psks_portal.selectors import child_options

LEVEL_NAMES = {1: "Provinsi", 2: "Kabupaten/Kota", 3: "Kecamatan", 4: "Desa/Kelurahan"}


class WilayahPickerWidget(forms.Widget):
    """Renders one select per level; levels above the user's scope are fixed. The value is the deepest choice."""

    template_name = "widgets/wilayah_picker.html"

    def __init__(self, *, user=None, max_level: int = Wilayah.DESA, attrs=None):
        super().__init__(attrs)
        self.user = user
        self.max_level = max_level

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        code = value.code if isinstance(value, Wilayah) else (value or "")
        scope = user_scope(self.user)
        fixed = [] if scope.everything or scope.wilayah is None else scope.wilayah.lineage()
        selected = Wilayah.objects.filter(code=code).first() if code else None
        if selected is None or not scope.contains(selected):
            # An unknown or out-of-scope code is neither shown nor echoed back.
            selected, code = None, ""
        lineage = selected.lineage() if selected else fixed
        levels = []
        for level in range(1, self.max_level + 1):
            if level <= len(fixed):
                entry = fixed[level - 1]
                levels.append(
                    {
                        "level": level,
                        "name": LEVEL_NAMES[level],
                        "fixed": True,
                        "options": [entry],
                        "selected": entry.code,
                    }
                )
                continue
            # Options of a level are known once its parent is chosen; deeper levels wait for the user.
            parent_known = level == 1 or len(lineage) >= level - 1
            parent_code = lineage[level - 2].code if level > 1 and parent_known else None
            options = child_options(self.user, parent_code) if parent_known else []
            chosen = lineage[level - 1].code if len(lineage) >= level else ""
            levels.append(
                {"level": level, "name": LEVEL_NAMES[level], "fixed": False, "options": options, "selected": chosen}
            )
        context["widget"].update({"levels": levels, "code": code, "options_url": reverse("wilayah_options")})
        return context

    def value_from_datadict(self, data, files, name):
        return (data.get(name) or "").strip()


class WilayahField(forms.ModelChoiceField):
    """A wilayah chosen with the picker and validated against the user's scope (codes outside it do not exist)."""

    default_error_messages = {"invalid_choice": "Wilayah tidak ditemukan atau di luar wilayah Anda."}

    def __init__(self, *, user, max_level: int = Wilayah.DESA, **kwargs):
        kwargs.setdefault("widget", WilayahPickerWidget(user=user, max_level=max_level))
        super().__init__(queryset=Wilayah.objects.for_user(user), to_field_name="code", **kwargs)


class DesaField(WilayahField):
    """A wilayah in the user's scope that must be a desa/kelurahan (records live in a desa)."""

    def clean(self, value):
        desa = super().clean(value)
        if desa is not None and desa.level != Wilayah.DESA:
            raise ValidationError(gettext("Pilih sampai tingkat desa/kelurahan."))
        return desa
