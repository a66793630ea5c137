"""Addresses that moved into the reporting app, answered with a permanent redirect (bookmarks keep working)."""

from django.urls import path

from reporting.views.pmks_table import legacy_table

urlpatterns = [path("", legacy_table, name="legacy_pmks_table")]
