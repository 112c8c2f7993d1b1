"""What the public may see of gifts: never an e-mail address; names only when not anonymous."""

from .models import STANDING_STATUSES, Gift


def recent_public_messages(registration, limit: int = 10) -> list[dict]:
    rows = (
        Gift.objects.filter(registration=registration, status__in=STANDING_STATUSES)
        .exclude(public_message="", donor_name="")
        .order_by("-confirmed_at")
        .values("donor_name", "anonymous", "public_message", "confirmed_at")[:limit]
    )
    return [
        {
            "name": "" if row["anonymous"] else row["donor_name"],
            "message": row["public_message"],
            "date": row["confirmed_at"],
        }
        for row in rows
    ]
