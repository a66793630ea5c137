from reporting.views import activities, completeness, dashboard, downloads, pmks_table, recaps, reports, rollups

app_name = "reporting"
urlpatterns = [
    *reports.urlpatterns,
    *activities.urlpatterns,
    *completeness.urlpatterns,
    *rollups.urlpatterns,
    *recaps.urlpatterns,
    *downloads.urlpatterns,
    *dashboard.urlpatterns,
    *pmks_table.urlpatterns,
]
