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


class Neighbourhood(models.Model):
    """A part of a commune the collectivité names (a quarter, a village of a commune nouvelle):
    a post may say it instead of only the commune, and is then shown near its centre."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="neighbourhoods")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    name = models.CharField(_("name"), max_length=80)
    latitude = models.FloatField(
        _("latitude of its centre"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude of its centre"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    class Meta:
        ordering = ["commune__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "commune", "name"], name="mutualaid_neighbourhood_once")
        ]
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")

    def __str__(self):
        return self.name


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
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("neighbourhood"),
    )
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
    # When the author was told the post reaches its end date soon (once).
    expiry_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["collectivite", "state", "moderation", "-created_at"])]
        verbose_name = _("mutual-aid post")
        verbose_name_plural = _("mutual-aid posts")

    def __str__(self):
        return self.title

    @property
    def place(self) -> str:
        """What the public reads of where: "Neighbourhood, Commune", or the commune alone."""
        if self.neighbourhood_id is not None:
            return f"{self.neighbourhood.name}, {self.commune.name}"
        return self.commune.name


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


class FollowUp(models.Model):
    """What the collectivité did about a request left without an answer or stuck in progress
    (mutualaid.followup): a call, an e-mail, handing it to a social service, or a message through
    the platform's relay (then `conversation` is the one the staff member wrote in)."""

    class Method(models.TextChoices):
        CALLED = "called", _("Called the person")
        EMAILED = "emailed", _("E-mailed the person")
        SOCIAL_SERVICE = "social_service", _("Passed to a social service")
        MESSAGE = "message", _("Wrote through the platform")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="follow_ups")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    method = models.CharField(_("what was done"), max_length=20, choices=Method.choices)
    text = models.TextField(_("note"), max_length=2000, blank=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")

    def __str__(self):
        return self.get_method_display()


class Announcement(Translated, models.Model):
    """The collectivité speaks to the network (mutualaid.announcements): shown on /entraide/
    (pinned ones first) and e-mailed to the members who asked for it."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="mutual_aid_announcements")
    title = models.CharField(_("title"), max_length=150)
    title_en, title_de = translations(title)
    text = models.TextField(_("text"), max_length=4000)
    text_en, text_de = translations(text)
    pinned = models.BooleanField(_("pinned on the network’s page"), default=True)
    # Empty: the whole network; else only this commune's members.
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("only for")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    TRANSLATED = ("title", "text")

    class Meta:
        ordering = ["-pinned", "-created_at", "-pk"]
        verbose_name = _("mutual-aid announcement")
        verbose_name_plural = _("mutual-aid announcements")

    def __str__(self):
        return self.title


class AnnouncementPreference(models.Model):
    """Which announcements of a network a person receives by e-mail (none until they choose)."""

    class Choice(models.TextChoices):
        ALL = "all", _("Every announcement of the network")
        COMMUNE = "commune", _("Only those for the whole network or for my commune")
        NONE = "none", _("None")

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutual_aid_announcement_preferences"
    )
    choice = models.CharField(_("announcements by e-mail"), max_length=10, choices=Choice.choices)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("my commune")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "user"], name="mutualaid_announcement_preference_once")
        ]
        verbose_name = _("announcement preference")
        verbose_name_plural = _("announcement preferences")

    def __str__(self):
        return self.get_choice_display()


# Safety (issue 12, item 5): reports, blocks and suspensions (mutualaid.safety) -------------------


class ReportReason(models.TextChoices):
    HARASSMENT = "harassment", _("Harassment, insults or threats")
    DANGER = "danger", _("Puts someone in danger, or involves a minor or a vulnerable person unsafely")
    SCAM = "scam", _("Scam, or asks for money")
    SPAM = "spam", _("Advertising or spam")
    PERSONAL_DATA = "personal_data", _("Reveals someone’s personal details")
    OTHER = "other", _("Something else")


class ReportTarget(models.TextChoices):
    POST = "post", _("a post")
    MESSAGE = "message", _("a message")
    PERSON = "person", _("a person")


class ReportDecision(models.TextChoices):
    HIDE = "hide", _("Hide the content")
    WARN = "warn", _("Warn the person")
    SUSPEND = "suspend", _("Suspend the person")
    DISMISS = "dismiss", _("Dismiss the report")


class Report(models.Model):
    """A participant tells the moderators about a post, a message or a person (`person` is always
    who the report is about: the post's or the message's author, or the person reported). Open
    until a moderator decides; one open report per reporter and target."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="mutual_aid_reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=10, choices=ReportTarget.choices)
    # Kept when the post or message goes (its author's account erased): the decision stays on record.
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="mutual_aid_reports_about"
    )
    # "post:12", "message:5", "person:7": what one open report per reporter is counted on.
    key = models.CharField(max_length=30)
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    text = models.TextField(_("what happened"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=10, choices=ReportDecision.choices, blank=True)
    decision_note = models.TextField(_("note to the person"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "reporter", "key"],
                condition=models.Q(decision=""),
                name="mutualaid_report_open_once",
            )
        ]
        indexes = [models.Index(fields=["collectivite", "decision", "created_at"])]
        verbose_name = _("mutual-aid report")
        verbose_name_plural = _("mutual-aid reports")

    def __str__(self):
        return f"{self.get_target_display()} ({self.get_reason_display()})"

    @property
    def is_open(self) -> bool:
        return not self.decision


class Block(models.Model):
    """`blocker` no longer wants to hear from `blocked` in this network: no conversation between
    them, and `blocked` does not see `blocker`'s posts."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="+")
    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutual_aid_blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "blocker", "blocked"], name="mutualaid_block_once")
        ]
        verbose_name = _("blocked person")
        verbose_name_plural = _("blocked people")

    def __str__(self):
        return str(self.blocked)


class Suspension(models.Model):
    """A moderator's decision: `user` can no longer post or write in this collectivité's network
    until the suspension is lifted."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutual_aid_suspensions")
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "user"],
                condition=models.Q(lifted_at__isnull=True),
                name="mutualaid_suspension_active_once",
            )
        ]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")

    def __str__(self):
        return str(self.user)


# "New near me" alerts (issue 12, item 3): mutualaid.alerts -------------------------------------


class AlertFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("One e-mail per new post, as soon as it is published")
    DAILY = "daily", _("One e-mail a day with the new posts")


class Alert(models.Model):
    """A person asks to be told of new posts near a commune: of one type or both, in some
    categories or all, within a distance. Sent through the same visibility rules as the list."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutual_aid_alerts")
    # Empty: requests and offers.
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, blank=True)
    # None chosen: every category.
    categories = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("categories"))
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("near"))
    distance_km = models.PositiveSmallIntegerField(
        _("within (km)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    frequency = models.CharField(
        _("how often"), max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.DAILY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self):
        return str(self.commune)


class AlertDelivery(models.Model):
    """A post an alert told its person about: never twice, by either frequency."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "post"], name="mutualaid_alert_delivery_once")]

    def __str__(self):
        return f"{self.alert} → {self.post}"


class PrivateNote(models.Model):
    """Once a post is done, its author and each person who answered it may tell the collectivité
    how it went (mutualaid.notes): read by its moderators only, never by the other person."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="private_notes")
    # Empty once the writer's account is erased (the note stays, blanked of their names).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("your note to the collectivité"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["post", "author"], name="mutualaid_private_note_once")]
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")

    def __str__(self):
        return str(self.post)
