"""How much one person may do in the network before waiting: posts, conversations started,
messages, reports. The rates are settings (SOLIDAIRE_MUTUAL_AID_RATES, django-ratelimit's "n/h"
or "n/d"), counted per account in the shared cache like every other limit of the project
(docs/adr/0016), so that every web and mail process counts the same budget."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited

ACTIONS = ("post", "start", "message", "report")


def spent(user, action: str) -> bool:
    """Counts one `action` against `user`'s budget; True once it is spent."""
    rate = settings.SOLIDAIRE_MUTUAL_AID_RATES[action]
    key = str(user.pk)
    return is_ratelimited(
        None, group=f"mutualaid-{action}", key=lambda _group, _request: key, rate=rate, increment=True
    )
