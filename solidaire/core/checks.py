"""Start-up checks (Django's system checks: every `solidaire` command, `serve` included, runs
them first and stops on an error)."""

from django.conf import settings
from django.core import checks

# Caches that live in one process: each web process would count its own rate limits.
IN_PROCESS_CACHES = frozenset(
    {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}
)


def unshared_cache(workers: int) -> str:
    """Why `workers` web processes cannot share the configured cache ("" when they can)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if workers > 1 and backend in IN_PROCESS_CACHES:
        return (
            f"The cache ({backend}) lives in each process: {workers} web workers would each count "
            "their own rate limits."
        )
    return ""


@checks.register(checks.Tags.caches)
def rate_limits_are_shared(app_configs=None, **kwargs):
    problem = unshared_cache(settings.SOLIDAIRE_WEB_WORKERS)
    if not problem:
        return []
    return [
        checks.Error(
            problem,
            hint=(
                "Leave SOLIDAIRE_CACHE_URL empty (the database's cache table) or set it to redis://…; "
                "or serve with SOLIDAIRE_WEB_WORKERS=1."
            ),
            id="solidaire.E001",
        )
    ]
