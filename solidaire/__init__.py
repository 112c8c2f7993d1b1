"""Solidaire: matched-donation campaigns and mutual aid for French local governments."""

from .celery import app as celery_app

__all__ = ["celery_app"]
