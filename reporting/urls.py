from reporting.views import completeness, dashboard, downloads, recaps, reports, rollups

app_name = "reporting"
urlpatterns = [
    *reports.urlpatterns,
    *completeness.urlpatterns,
    *rollups.urlpatterns,
    *recaps.urlpatterns,
    *downloads.urlpatterns,
    *dashboard.urlpatterns,
]
