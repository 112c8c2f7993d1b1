"""`make demo` runs collectstatic with whitenoise's manifest storage: every static file, and
every file they reference, must be found."""

from django.core.management import call_command
from django.test import override_settings


def test_static_files_collect_with_the_manifest_storage(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("solidaire/solidaire.*.css"))
    assert list(tmp_path.glob("vendor/leaflet/leaflet.*.js"))
