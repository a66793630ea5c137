from django.urls import path

from pmks import views

app_name = "pmks"
urlpatterns = [path("katalog/", views.catalogue_mapping, name="catalogue_mapping")]
