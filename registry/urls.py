from registry.views import criteria, imports, organisations, persons, tksk

app_name = "registry"

urlpatterns = [
    *persons.urlpatterns,
    *organisations.urlpatterns,
    *criteria.urlpatterns,
    *imports.urlpatterns,
    *tksk.urlpatterns,
]
