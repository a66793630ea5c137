"""Path converters shared by every app: one spelling of a period and of a kecamatan code in every URL.

``<period:p>`` gives a ``periods.Period`` (``2026M03``, ``2026Q1``, ``2026S2``, ``2026``); ``<month:p>`` only a month
(``2026M03``); ``<kecamatan_code:c>`` a kecamatan code (``32.74.01``). An id that names no period (month 13, year 1900
or 9999, ``2026-03``) does not match, so the address answers 404 instead of reaching a view. Registered once, by the
core's ``AppConfig.ready``.
"""

from __future__ import annotations

from django.urls import register_converter

from psks_portal import periods


class KecamatanCodeConverter:
    regex = r"\d{2}\.\d{2}\.\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class PeriodConverter:
    regex = r"\d{4}(?:[MQS]\d{1,2})?"

    def to_python(self, value: str) -> periods.Period:
        return periods.parse(value)  # PeriodError is a ValueError: the pattern does not match (404)

    def to_url(self, value: periods.Period | str) -> str:
        return value.id if isinstance(value, periods.Period) else periods.parse(value).id


class MonthConverter(PeriodConverter):
    regex = r"\d{4}M\d{1,2}"

    def to_python(self, value: str) -> periods.Period:
        period = super().to_python(value)
        if period.kind != periods.MONTH:
            raise ValueError(value)
        return period


def register() -> None:
    register_converter(KecamatanCodeConverter, "kecamatan_code")
    register_converter(PeriodConverter, "period")
    register_converter(MonthConverter, "month")
