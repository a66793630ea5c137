"""Placeholder replaced in this session."""

urlpatterns: list = []
