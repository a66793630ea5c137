"""Production static files: ``collectstatic`` with the manifest storage must succeed (vendored files reference no
missing source maps or fonts)."""

from __future__ import annotations

from django.core.management import call_command


def test_collectstatic_with_the_manifest_storage_succeeds(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/chartjs/chart.umd.min.*.js"))
