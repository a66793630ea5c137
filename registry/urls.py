from registry.views import criteria, exports, organisations, persons, tksk

app_name = "registry"

urlpatterns = [
    *persons.urlpatterns,
    *organisations.urlpatterns,
    *criteria.urlpatterns,
    *exports.urlpatterns,
    *tksk.urlpatterns,
]
