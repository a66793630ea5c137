from django.urls import path

from pmks import register_export_views, register_import_views
from pmks.views import catalogue, grid, register

app_name = "pmks"
urlpatterns = [
    path("katalog/", catalogue.catalogue_mapping, name="catalogue_mapping"),
    *grid.urlpatterns,
    *register.urlpatterns,
    *register_import_views.urlpatterns,
    *register_export_views.urlpatterns,
]
