"""Uploaded pictures: only real JPEG, PNG or WebP images of reasonable size are accepted, then
re-encoded (which drops EXIF data such as GPS positions) and scaled down."""

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
UNREADABLE = (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError)


def validate_image(upload) -> None:
    """Model/form validator: size, real format (not the file name), pixel count, and every pixel
    readable — a truncated JPEG opens and verifies (its header is whole) and only fails when
    decoded, which normalise_image does after validation."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The picture is larger than 5 MB."), code="too_large")
    position = upload.tell() if hasattr(upload, "tell") else None
    try:
        with Image.open(upload) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
        if fmt not in ALLOWED_FORMATS:
            raise ValidationError(_("Only JPEG, PNG and WebP pictures are accepted."), code="format")
        if width * height > MAX_PIXELS:
            raise ValidationError(_("The picture has too many pixels."), code="too_many_pixels")
        upload.seek(position or 0)
        with Image.open(upload) as image:  # verify() leaves the image unusable: opened again
            image.load()
    except UNREADABLE as exc:
        raise ValidationError(_("This file is not a picture we can read (JPEG, PNG or WebP)."), code="invalid") from exc
    finally:
        if position is not None:
            upload.seek(position)


def normalise_image(upload, max_side: int = 1600) -> ContentFile:
    """Returns a re-encoded copy without metadata, at most max_side pixels wide and high."""
    upload.seek(0)
    with Image.open(upload) as image:
        fmt = image.format if image.format in ALLOWED_FORMATS else "JPEG"
        image = ImageOps.exif_transpose(image)
        image.thumbnail((max_side, max_side))
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        output = io.BytesIO()
        options = {"quality": 85, "optimize": True} if fmt in ("JPEG", "WEBP") else {"optimize": True}
        image.save(output, format=fmt, **options)
    stem = PurePath(getattr(upload, "name", "") or "picture").stem[:40] or "picture"
    return ContentFile(output.getvalue(), name=f"{stem}.{ALLOWED_FORMATS[fmt]}")
