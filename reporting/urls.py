from reporting.views import completeness, dashboard, downloads, pmks_table, recaps, reports, rollups

app_name = "reporting"
urlpatterns = [
    *reports.urlpatterns,
    *completeness.urlpatterns,
    *rollups.urlpatterns,
    *recaps.urlpatterns,
    *downloads.urlpatterns,
    *dashboard.urlpatterns,
    *pmks_table.urlpatterns,
]
