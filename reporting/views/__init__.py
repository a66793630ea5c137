"""Views of the reporting app, one module per screen family; ``reporting.urls`` collects their ``urlpatterns``."""
