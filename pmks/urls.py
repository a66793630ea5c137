from django.urls import path

from pmks import grid_views, register_export_views, register_import_views, register_views, table_views, views

app_name = "pmks"
urlpatterns = [
    path("katalog/", views.catalogue_mapping, name="catalogue_mapping"),
    *grid_views.urlpatterns,
    *table_views.urlpatterns,
    *register_views.urlpatterns,
    *register_import_views.urlpatterns,
    *register_export_views.urlpatterns,
]
