"""Every change to the mutual-aid network: switching it on, writing a post, moving it between
states (mutualaid.states), moderating it, vetting a volunteer. Views, the demo and tests all go
through these functions; each is one transaction that writes its audit event."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.errors import ActionError

from . import defaults, positions, safety, states, tasks
from .models import Category, Moderation, MutualAidSettings, Post, PreModeration, State, Volunteer

SETTINGS_FIELDS = ("enabled", "follow_up_hours", "pre_moderation")


@transaction.atomic
def configure(*, collectivite, actor, **changes) -> MutualAidSettings:
    """Switches the network on or off and sets its rules; the first time, gives it the default
    categories (which the collectivité then edits)."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown mutual-aid settings: {sorted(unknown)}")
    network, _created = MutualAidSettings.objects.select_for_update().get_or_create(collectivite=collectivite)
    before = {field: getattr(network, field) for field in SETTINGS_FIELDS}
    for field, value in changes.items():
        setattr(network, field, value)
    network.full_clean(exclude=["collectivite"])
    network.save()
    if not Category.objects.filter(collectivite=collectivite).exists():
        Category.objects.bulk_create(
            Category(
                collectivite=collectivite,
                slug=slug,
                label=fr,
                label_en=en,
                label_de=de,
                sensitive=sensitive,
                position=i,
            )
            for i, (slug, fr, en, de, sensitive) in enumerate(defaults.CATEGORIES)
        )
    diff = {
        field: {"from": before[field], "to": getattr(network, field)}
        for field in SETTINGS_FIELDS
        if before[field] != getattr(network, field)
    }
    if diff:
        record(collectivite=collectivite, actor=actor, action="mutualaid.settings_changed", data={"changes": diff})
    return network


def _needs_review(network: MutualAidSettings, post: Post) -> bool:
    if network.pre_moderation == PreModeration.EVERYTHING:
        return True
    if network.pre_moderation == PreModeration.SENSITIVE:
        return post.category.sensitive
    # First posts: until a moderator has approved one of the person's posts here. Sensitive
    # requests are read only by vetted people anyway, but a first one is still reviewed.
    return not Post.objects.filter(
        collectivite=post.collectivite, author=post.author, moderation=Moderation.APPROVED
    ).exists()


@transaction.atomic
def create_post(*, post: Post, author) -> Post:
    """Writes a request or an offer (`post` not saved yet, its fields from the form): checked
    against the collectivité's network, categories and territory; placed at its displaced point;
    waiting for a moderator when the pre-moderation setting says so."""
    collectivite = post.collectivite
    network = MutualAidSettings.objects.filter(collectivite=collectivite, enabled=True).first()
    if network is None:
        raise ActionError(_("The mutual-aid network is not open here."), code="closed")
    safety.refuse_suspended(collectivite, author)
    if post.category.collectivite_id != collectivite.pk:
        raise ActionError(_("Choose one of the categories in the list."), field="category")
    if not collectivite.communes.filter(pk=post.commune_id).exists():
        raise ActionError(_("Choose a commune of the territory."), field="commune")
    if post.neighbourhood_id is not None and (
        post.neighbourhood.collectivite_id != collectivite.pk or post.neighbourhood.commune_id != post.commune_id
    ):
        raise ActionError(_("Choose a neighbourhood of the commune you gave."), field="neighbourhood")
    if post.postal_code and post.postal_code not in post.commune.postal_codes.split():
        raise ActionError(_("This postal code is not one of the commune’s."), field="postal_code")
    if post.ends_on is not None and post.ends_on < timezone.localdate():
        raise ActionError(_("The end date is already past."), field="ends_on")
    post.author = author
    post.state = State.OPEN
    post.moderation = Moderation.PENDING if _needs_review(network, post) else Moderation.APPROVED
    post.latitude, post.longitude = positions.for_post(post)
    post.save()
    record(
        collectivite=collectivite,
        actor=author,
        action="mutualaid.post_created",
        obj=post,
        data={"kind": post.kind, "category": post.category.slug, "moderation": post.moderation},
    )
    if post.moderation == Moderation.APPROVED:
        _tell_alerts(post)
    return post


def _tell_alerts(post: Post) -> None:
    """A post just listed: once committed, a task e-mails it to the alerts it matches
    (mutualaid.alerts)."""
    post_id = post.pk
    transaction.on_commit(lambda: tasks.send_alerts.delay(post_id))


def _locked(post: Post, action: str) -> tuple[Post, str]:
    """The post's row, locked, and where `action` takes it; refused when the table says no."""
    post = Post.objects.select_for_update().select_related("collectivite").get(pk=post.pk)
    state = states.target(post.state, action)
    if state is None:
        raise ActionError(_("This post cannot change that way any more."), code="state")
    return post, state


def _move(post: Post, action: str, *, actor) -> Post:
    post, state = _locked(post, action)
    post.state = state
    post.save(update_fields=["state", "updated_at"])
    record(collectivite=post.collectivite, actor=actor, action=states.EVENTS[action], obj=post)
    return post


def _by_author(post: Post, actor) -> None:
    if post.author_id != actor.pk:
        raise ActionError(_("Only the author can change this post."), code="not_author")


@transaction.atomic
def start_post(*, post: Post, actor) -> Post:
    """Someone is helping: the post leaves the list of open posts."""
    _by_author(post, actor)
    return _move(post, states.START, actor=actor)


@transaction.atomic
def finish_post(*, post: Post, actor) -> Post:
    _by_author(post, actor)
    return _move(post, states.FINISH, actor=actor)


@transaction.atomic
def close_post(*, post: Post, actor) -> Post:
    """The author withdraws the post, whatever became of it."""
    _by_author(post, actor)
    return _move(post, states.CLOSE, actor=actor)


AUTHOR_MOVES = {states.START: start_post, states.FINISH: finish_post, states.CLOSE: close_post}


@transaction.atomic
def expire_post(*, post: Post) -> Post:
    return _move(post, states.EXPIRE, actor=None)


def expire_due_posts(today: date | None = None) -> int:
    """Expires the open and in-progress posts whose end date is past, one transaction each."""
    today = today or timezone.localdate()
    due = Post.objects.filter(state__in=[State.OPEN, State.IN_PROGRESS], ends_on__lt=today).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        post = Post.objects.get(pk=pk)
        if states.target(post.state, states.EXPIRE) is not None:
            expire_post(post=post)
            count += 1
    return count


@transaction.atomic
def decide_post(*, post: Post, moderator, approve: bool) -> Post:
    """A moderator's decision on a post waiting for review."""
    post = Post.objects.select_for_update().select_related("collectivite").get(pk=post.pk)
    if post.moderation != Moderation.PENDING:
        raise ActionError(_("This post has already been reviewed."), code="decided")
    post.moderation = Moderation.APPROVED if approve else Moderation.REJECTED
    post.save(update_fields=["moderation", "updated_at"])
    action = "mutualaid.post_approved" if approve else "mutualaid.post_rejected"
    record(collectivite=post.collectivite, actor=moderator, action=action, obj=post)
    if approve and post.state == State.OPEN:
        _tell_alerts(post)
    return post


@transaction.atomic
def vet_volunteer(*, collectivite, user, actor) -> Volunteer:
    """Records that the collectivité has checked this person (outside the platform): they may
    read requests in sensitive categories."""
    volunteer, created = Volunteer.objects.get_or_create(
        collectivite=collectivite, user=user, defaults={"vetted_by": actor}
    )
    if created:
        record(collectivite=collectivite, actor=actor, action="mutualaid.volunteer_vetted", obj=volunteer)
    return volunteer


CATEGORY_FIELDS = ("label", "label_en", "label_de", "sensitive", "position")


@transaction.atomic
def save_category(*, category: Category, actor) -> Category:
    """Adds a category to a network (no pk yet: its short name made from the label) or saves the
    collectivité's changes to one; audited with what changed."""
    creating = category.pk is None
    changes = {}
    if creating:
        base = slugify(category.label)[:36] or "categorie"
        slug, n = base, 2
        while Category.objects.filter(collectivite=category.collectivite, slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        category.slug = slug
    else:
        original = Category.objects.select_for_update().get(pk=category.pk, collectivite=category.collectivite)
        changes = {
            field: {"from": getattr(original, field), "to": getattr(category, field)}
            for field in CATEGORY_FIELDS
            if getattr(original, field) != getattr(category, field)
        }
    category.save()
    if creating or changes:
        record(
            collectivite=category.collectivite,
            actor=actor,
            action="mutualaid.category_saved",
            obj=category,
            data={"changes": changes} if changes else {"slug": category.slug},
        )
    return category


@transaction.atomic
def remove_volunteer(*, volunteer: Volunteer, actor) -> None:
    """The collectivité no longer vouches for this person: sensitive requests are hidden again."""
    record(
        collectivite=volunteer.collectivite,
        actor=actor,
        action="mutualaid.volunteer_removed",
        label=str(volunteer.user),
    )
    volunteer.delete()
