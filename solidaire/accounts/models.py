import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.core.phones import validate_phone

from .roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Signs in with an e-mail address; the platform operator is a superuser."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, default="fr")
    # Optional, never shown: a person may hand it to someone they talk with (mutual aid).
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    # Shown with the first name to the people of the mutual-aid network, never the last name.
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def public_name(self) -> str:
        """What other residents read of a person: their first name and commune, never more."""
        if self.first_name and self.commune_id:
            return f"{self.first_name} ({self.commune.name})"
        return self.first_name


class Membership(models.Model):
    """A person's role in one collectivité’s team. One person may work for several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["user", "collectivite"], name="one_membership_per_tenant")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.collectivite})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at=None, cancelled_at=None, expires_at__gt=timezone.now())


class InvitationBase(models.Model):
    """What every e-mailed invitation is (accounts.invitations: one mechanism for all): sent to
    an address, accepted only by someone signed in with that verified address, while neither
    accepted, cancelled nor expired. Only the token's hash is stored.

    A concrete invitation says what it invites to (its own fields), the collectivité whose site
    its link opens on (`collectivite`) and the name of its acceptance page (`accept_url_name`)."""

    accept_url_name = ""
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > timezone.now()


class Invitation(InvitationBase):
    """An e-mailed invitation to join a team, with a role."""

    accept_url_name = "accounts:accept_invitation"
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta(InvitationBase.Meta):
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.collectivite} ({self.role})"
