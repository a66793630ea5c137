from django.urls import path

from pmks import grid_views, register_export_views, register_views, table_views, views
from pmks.io import RECORD_PAGE
from psks_portal.views import imports

app_name = "pmks"
urlpatterns = [
    path("katalog/", views.catalogue_mapping, name="catalogue_mapping"),
    *grid_views.urlpatterns,
    *table_views.urlpatterns,
    *register_views.urlpatterns,
    *imports.urls("bnba", RECORD_PAGE),
    *register_export_views.urlpatterns,
]
