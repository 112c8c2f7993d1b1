"""The mutual-aid network of a collectivité: its settings (the module is off until switched on),
the categories it edits, the posts residents write and the volunteers it has vetted."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from solidaire.core.translated import Translated, translations
from solidaire.geo.models import Commune
from solidaire.tenants.models import Collectivite


class PreModeration(models.TextChoices):
    EVERYTHING = "everything", _("Every post waits for a moderator")
    FIRST_POSTS = "first_posts", _("A person’s first post waits for a moderator")
    SENSITIVE = "sensitive", _("Only posts in sensitive categories wait for a moderator")


class MutualAidSettings(models.Model):
    collectivite = models.OneToOneField(Collectivite, on_delete=models.CASCADE, related_name="mutual_aid")
    enabled = models.BooleanField(_("mutual-aid network open"), default=False)
    follow_up_hours = models.PositiveSmallIntegerField(
        _("follow up requests unanswered after (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
    )
    pre_moderation = models.CharField(
        _("pre-moderation"), max_length=20, choices=PreModeration.choices, default=PreModeration.FIRST_POSTS
    )

    class Meta:
        verbose_name = _("mutual-aid settings")
        verbose_name_plural = _("mutual-aid settings")

    def __str__(self):
        return str(self.collectivite)


class Category(Translated, models.Model):
    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="mutual_aid_categories")
    slug = models.SlugField(_("short name"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    label_en, label_de = translations(label)
    # Childcare, anything involving minors or vulnerable people: never listed publicly.
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Posts in this category are seen only by moderators and vetted volunteers."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    TRANSLATED = ("label",)

    class Meta:
        ordering = ["position", "label"]
        constraints = [models.UniqueConstraint(fields=["collectivite", "slug"], name="mutualaid_category_slug")]
        verbose_name = _("mutual-aid category")
        verbose_name_plural = _("mutual-aid categories")

    def __str__(self):
        return self.label


class Kind(models.TextChoices):
    REQUEST = "request", _("Request for help")
    OFFER = "offer", _("Offer of help")


class Urgency(models.TextChoices):
    TODAY = "today", _("Today")
    THIS_WEEK = "week", _("This week")
    WHENEVER = "whenever", _("Whenever")


class State(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


class Moderation(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PostQuerySet(models.QuerySet):
    def listed(self):
        """What the network's page may list: open, approved, not sensitive."""
        return self.filter(state=State.OPEN, moderation=Moderation.APPROVED, category__sensitive=False)


class Post(models.Model):
    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="mutual_aid_posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutual_aid_posts")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="posts", verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=2000)
    urgency = models.CharField(_("when"), max_length=10, choices=Urgency.choices, default=Urgency.WHENEVER)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    on_behalf = models.BooleanField(_("on behalf of someone else"), default=False)
    # The only position ever shown: the commune's centre moved once, at creation, by a random
    # bearing and distance (positions.py, ADR 0023). Empty when the commune has no position.
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    moderation = models.CharField(_("moderation"), max_length=10, choices=Moderation.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["collectivite", "state", "moderation", "-created_at"])]
        verbose_name = _("mutual-aid post")
        verbose_name_plural = _("mutual-aid posts")

    def __str__(self):
        return self.title


class Volunteer(models.Model):
    """A member the collectivité has vetted (checks done outside the platform): they see the
    requests of sensitive categories."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="vetted_volunteers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vettings")
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    vetted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collectivite", "user"], name="mutualaid_volunteer_once")]
        verbose_name = _("vetted volunteer")
        verbose_name_plural = _("vetted volunteers")

    def __str__(self):
        return str(self.user)


class Conversation(models.Model):
    """ "I can help" on a request, "I need this" on an offer: the post's author and the person who
    answered talk here (mutualaid.conversations), their e-mail and phone unknown to each other
    until both agreed to share them (ADR 0024)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="conversations")
    # Who answered the post; the other participant is post.author.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutual_aid_conversations"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "Share my contact details", each side's, with the phone number they chose to give.
    author_shared_at = models.DateTimeField(null=True, blank=True)
    person_shared_at = models.DateTimeField(null=True, blank=True)
    author_phone = models.CharField(max_length=20, blank=True)
    person_phone = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["post", "person"], name="mutualaid_conversation_once")]
        verbose_name = _("mutual-aid conversation")
        verbose_name_plural = _("mutual-aid conversations")

    def __str__(self):
        return str(self.post)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def contacts_shared(self) -> bool:
        return self.author_shared_at is not None and self.person_shared_at is not None


class Message(models.Model):
    class Via(models.TextChoices):
        WEB = "web", _("on the platform")
        EMAIL = "email", _("by e-mail")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    # Empty once the writer's account is deleted: the other side keeps the conversation.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="mutual_aid_messages"
    )
    text = models.TextField(max_length=4000)
    via = models.CharField(max_length=5, choices=Via.choices, default=Via.WEB)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("mutual-aid message")
        verbose_name_plural = _("mutual-aid messages")

    def __str__(self):
        return self.text[:50]
