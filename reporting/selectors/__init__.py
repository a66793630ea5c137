"""Reads of the reporting app: roll-ups (``rollups``), completeness (``completeness``) and what is published of
them to whom (``published``). Every figure a screen or file shows comes from here."""

from reporting.selectors.completeness import CompletenessRow, MissingReport, completeness, missing_reports
from reporting.selectors.published import (
    PmksMonth,
    PublishedTable,
    key_of,
    pmks_month,
    pmks_months,
    publish,
    publish_rollup,
    published_basis,
)
from reporting.selectors.rollups import (
    Figure,
    ReportStates,
    Rollup,
    activity_rollup,
    child_column,
    children_of,
    handed_in_states,
    last_handed_in_months,
    pmks_rollup,
    psks_rollup,
    report_states,
    report_unit,
    within,
)

__all__ = [
    "CompletenessRow",
    "Figure",
    "MissingReport",
    "PmksMonth",
    "PublishedTable",
    "ReportStates",
    "Rollup",
    "activity_rollup",
    "child_column",
    "children_of",
    "completeness",
    "handed_in_states",
    "key_of",
    "last_handed_in_months",
    "missing_reports",
    "pmks_month",
    "pmks_months",
    "pmks_rollup",
    "psks_rollup",
    "publish",
    "publish_rollup",
    "published_basis",
    "report_states",
    "report_unit",
    "within",
]
