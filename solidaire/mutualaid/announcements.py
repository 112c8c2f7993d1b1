"""The collectivité speaks to its network (issue 12, item 7): announcements written by the team (the
opening hours of pharmacies and food banks, a call for volunteers, the end of a lockdown), in
French with optional English and German (ADR 0017), pinned on /entraide/ and e-mailed once, by a
background task, to the members who asked for them; and each person's choice of what they receive.

Who receives an announcement is opt-in: nobody until they choose on the preferences page. "All"
receives every announcement of the network; "my commune" those for the whole network and those for
their commune; "none" nothing. Every e-mail carries a link, signed with django.core.signing, that
stops them in one button without signing in."""

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.emails import send_templated
from solidaire.core.errors import ActionError
from solidaire.tenants.resolution import tenant_url

from . import tasks
from .models import Announcement, AnnouncementPreference

UNSUBSCRIBE_SALT = "solidaire.mutualaid.announcements.unsubscribe"
PINNED_SHOWN = 5
FIELDS = ("title", "title_en", "title_de", "text", "text_en", "text_de", "pinned", "commune")
Choice = AnnouncementPreference.Choice


def pinned(collectivite):
    """What the network's page shows on top: the latest pinned announcements."""
    return (
        Announcement.objects.filter(collectivite=collectivite, pinned=True)
        .select_related("commune")
        .order_by("-created_at", "-pk")[:PINNED_SHOWN]
    )


def _check_commune(collectivite, commune) -> None:
    if commune is not None and not collectivite.communes.filter(pk=commune.pk).exists():
        raise ActionError(_("Choose a commune of the territory."), field="commune")


def _value(announcement, field: str):
    return announcement.commune_id if field == "commune" else getattr(announcement, field)


@transaction.atomic
def publish(*, announcement: Announcement, actor) -> Announcement:
    """Saves a new announcement (its fields from the form) and, once the transaction is committed,
    has it e-mailed to the members who asked for it."""
    _check_commune(announcement.collectivite, announcement.commune)
    announcement.author = actor
    announcement.save()
    record(
        collectivite=announcement.collectivite,
        actor=actor,
        action="mutualaid.announcement_published",
        obj=announcement,
    )
    transaction.on_commit(lambda: tasks.send_announcement.delay(announcement.pk))
    return announcement


@transaction.atomic
def change(*, announcement: Announcement, actor) -> Announcement:
    """Saves the team's changes to an announcement (unpinning it, correcting it); it is not
    e-mailed again."""
    original = Announcement.objects.select_for_update().get(pk=announcement.pk, collectivite=announcement.collectivite)
    _check_commune(announcement.collectivite, announcement.commune)
    changes = {
        field: {"from": _value(original, field), "to": _value(announcement, field)}
        for field in FIELDS
        if _value(original, field) != _value(announcement, field)
    }
    announcement.save()
    if changes:
        record(
            collectivite=announcement.collectivite,
            actor=actor,
            action="mutualaid.announcement_changed",
            obj=announcement,
            data={"fields": sorted(changes)},
        )
    return announcement


def recipients(announcement: Announcement):
    """The preferences of the active people this announcement is e-mailed to."""
    wanted = Q(choice=Choice.ALL)
    if announcement.commune_id is None:
        wanted |= Q(choice=Choice.COMMUNE)
    else:
        wanted |= Q(choice=Choice.COMMUNE, commune_id=announcement.commune_id)
    return (
        AnnouncementPreference.objects.filter(collectivite=announcement.collectivite, user__is_active=True)
        .filter(wanted)
        .select_related("user")
        .order_by("pk")
    )


def send(announcement_id: int) -> int:
    """E-mails an announcement to its recipients, each in their language, once: the announcement
    is marked sent first, so a task run again sends nothing. Returns how many were sent."""
    with transaction.atomic():
        announcement = (
            Announcement.objects.select_for_update(of=("self",))
            .select_related("collectivite", "commune")
            .filter(pk=announcement_id, sent_at__isnull=True)
            .first()
        )
        if announcement is None:
            return 0
        announcement.sent_at = timezone.now()
        announcement.save(update_fields=["sent_at"])
    collectivite = announcement.collectivite
    count = 0
    for preference in recipients(announcement).iterator(chunk_size=500):
        user = preference.user
        with translation.override(user.language):
            network = reverse("mutualaid:network")
            stop = reverse("mutualaid:announcements_unsubscribe", args=[unsubscribe_token(preference)])
        send_templated(
            to=user.email,
            template="mutualaid/email/announcement",
            language=user.language,
            collectivite=collectivite,
            context={
                "announcement": announcement,
                "network_url": tenant_url(collectivite, network),
                "unsubscribe_url": tenant_url(collectivite, stop),
            },
            unsubscribe_url=tenant_url(collectivite, stop),
        )
        count += 1
    return count


# Preferences ----------------------------------------------------------------------------------------


def preference_of(collectivite, user) -> AnnouncementPreference | None:
    return AnnouncementPreference.objects.filter(collectivite=collectivite, user=user).first()


@transaction.atomic
def set_preference(*, collectivite, user, choice: str, commune=None) -> AnnouncementPreference:
    """`user`'s choice of the announcements they receive from this network (their commune needed
    for "my commune"); audited."""
    if choice not in Choice.values:
        raise ActionError(_("Choose which announcements you receive."), field="choice")
    if choice == Choice.COMMUNE and commune is None:
        raise ActionError(_("Give your commune."), field="commune")
    _check_commune(collectivite, commune)
    preference, _created = AnnouncementPreference.objects.select_for_update().get_or_create(
        collectivite=collectivite, user=user, defaults={"choice": choice, "commune": commune}
    )
    preference.choice, preference.commune = choice, commune
    preference.save()
    record(
        collectivite=collectivite,
        actor=user,
        action="mutualaid.announcement_preference_set",
        obj=preference,
        data={"choice": choice},
    )
    return preference


def unsubscribe_token(preference: AnnouncementPreference) -> str:
    return signing.dumps({"c": preference.collectivite_id, "u": preference.user_id}, salt=UNSUBSCRIBE_SALT)


def preference_for_token(collectivite, token: str) -> AnnouncementPreference | None:
    """The preference an unsubscribe link names, on its own collectivité's host; None for a
    forged, altered or foreign link."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != collectivite.pk:
        return None
    return (
        AnnouncementPreference.objects.select_related("user")
        .filter(collectivite=collectivite, user_id=data.get("u"))
        .first()
    )


@transaction.atomic
def unsubscribe(*, preference: AnnouncementPreference) -> AnnouncementPreference:
    """The unsubscribe link's button: no more announcements by e-mail (audited as the person's)."""
    return set_preference(
        collectivite=preference.collectivite, user=preference.user, choice=Choice.NONE, commune=preference.commune
    )
