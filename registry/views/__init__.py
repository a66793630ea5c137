"""Registry views, one module per feature; each module exposes its own ``urlpatterns`` (see ``registry/urls.py``)."""
