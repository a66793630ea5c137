from django.urls import path

from pmks import register_export_views
from pmks.io import RECORD_PAGE
from pmks.views import catalogue, grid, register
from psks_portal.views import imports

app_name = "pmks"
urlpatterns = [
    path("katalog/", catalogue.catalogue_mapping, name="catalogue_mapping"),
    *grid.urlpatterns,
    *register.urlpatterns,
    *imports.urls("bnba", RECORD_PAGE),
    *register_export_views.urlpatterns,
]
