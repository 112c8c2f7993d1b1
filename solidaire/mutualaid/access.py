"""The only way a view reaches the mutual-aid network: through the request's collectivité, with
the module switched on (404 otherwise), and through what the person may read. Sensitive posts
are for moderators and vetted volunteers; posts waiting for review for their author and
moderators; another collectivité's posts are not found."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from solidaire.accounts.access import has_capability, require_capability
from solidaire.accounts.models import Membership
from solidaire.accounts.roles import Capability, capabilities_of

from . import safety
from .models import Alert, Category, Moderation, MutualAidSettings, Neighbourhood, Post, State, Volunteer


def get_network(request) -> MutualAidSettings:
    """The request's collectivité's network, switched on; 404 anywhere else."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        raise Http404
    network = MutualAidSettings.objects.filter(collectivite=tenant, enabled=True).first()
    if network is None:
        raise Http404
    return network


def is_moderator(request) -> bool:
    return has_capability(request, Capability.MODERATE)


def is_vetted(request) -> bool:
    cached = getattr(request, "_solidaire_vetted", None)
    if cached is None:
        user = request.user
        cached = user.is_authenticated and Volunteer.objects.filter(collectivite=request.tenant, user=user).exists()
        request._solidaire_vetted = cached
    return cached


@dataclass(frozen=True)
class Reader:
    """What a person may read in the network."""

    moderator: bool
    vetted: bool

    @property
    def sees_sensitive(self) -> bool:
        return self.moderator or self.vetted


def reader_for(request) -> Reader:
    return Reader(moderator=is_moderator(request), vetted=is_vetted(request))


def reader_of(collectivite, user) -> Reader:
    """`reader_for` without a request (an alert sent by a task): from the person's membership
    in the collectivité's team and their vetting there."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Reader(moderator=False, vetted=False)
    role = Membership.objects.filter(user=user, collectivite=collectivite).values_list("role", flat=True).first()
    return Reader(
        moderator=Capability.MODERATE in capabilities_of(role),
        vetted=Volunteer.objects.filter(collectivite=collectivite, user=user).exists(),
    )


def public_posts(collectivite):
    """What anyone may read of a network, signed in or not (the JSON API): open, approved, not
    sensitive, not hidden by a moderator."""
    posts = (
        Post.objects.filter(collectivite=collectivite).listed().select_related("category", "commune", "neighbourhood")
    )
    return safety.screen_posts(posts, collectivite=collectivite, user=None, moderator=False)


def listed_posts(request):
    """The open, approved posts this person may see in the network's list."""
    return listed_posts_for(request.tenant, request.user, reader_for(request))


def listed_posts_for(collectivite, user, reader: Reader):
    """`listed_posts` for a person `reader` describes, without a request (an alert sent by a
    task: `reader_of`)."""
    posts = Post.objects.filter(
        collectivite=collectivite, state=State.OPEN, moderation=Moderation.APPROVED
    ).select_related("category", "commune", "neighbourhood")
    if not reader.sees_sensitive:
        posts = posts.filter(category__sensitive=False)
    return safety.screen_posts(posts, collectivite=collectivite, user=user, moderator=reader.moderator)


def get_post_for_reader(request, pk: int) -> Post:
    """A post's public page: approved and not withdrawn (or the author's own, or a moderator's
    look), sensitive only for who may read it; 404 otherwise."""
    reader = reader_for(request)
    posts = Post.objects.filter(collectivite=request.tenant).select_related(
        "category", "commune", "neighbourhood", "author"
    )
    if not reader.moderator:
        visible = Q(moderation=Moderation.APPROVED, state__in=[State.OPEN, State.IN_PROGRESS])
        if request.user.is_authenticated:
            visible |= Q(author=request.user)
        posts = posts.filter(visible)
        if not reader.vetted:
            sensitive = Q(category__sensitive=True)
            if request.user.is_authenticated:
                sensitive &= ~Q(author=request.user)
            posts = posts.exclude(sensitive)
        # Hidden by a moderator, or by an author who blocked this person: not found.
        posts = safety.screen_posts(posts, collectivite=request.tenant, user=request.user, moderator=False)
    try:
        return posts.get(pk=pk)
    except Post.DoesNotExist as exc:
        raise Http404 from exc


def author_posts(request):
    return (
        Post.objects.filter(collectivite=request.tenant, author=request.user)
        .select_related("category", "commune", "neighbourhood")
        .order_by("-created_at", "-pk")
    )


def get_post_for_author(request, pk: int) -> Post:
    """One of the signed-in person's own posts here; 404 for anyone else's."""
    try:
        return author_posts(request).get(pk=pk)
    except Post.DoesNotExist as exc:
        raise Http404 from exc


def get_post_for_moderator(request, pk: int) -> Post:
    """A post of the request's collectivité, for someone who moderates there (403 otherwise)."""
    require_capability(request, Capability.MODERATE)
    try:
        return Post.objects.select_related("collectivite").get(pk=pk, collectivite=request.tenant)
    except Post.DoesNotExist as exc:
        raise Http404 from exc


def get_category_for_admin(request, pk: int) -> Category:
    require_capability(request, Capability.MANAGE_BRANDING)
    try:
        return Category.objects.get(pk=pk, collectivite=request.tenant)
    except Category.DoesNotExist as exc:
        raise Http404 from exc


def get_neighbourhood_for_admin(request, pk: int) -> Neighbourhood:
    """A neighbourhood of the request's collectivité, for its admins (403 otherwise)."""
    require_capability(request, Capability.MANAGE_BRANDING)
    try:
        return Neighbourhood.objects.select_related("commune", "collectivite").get(pk=pk, collectivite=request.tenant)
    except Neighbourhood.DoesNotExist as exc:
        raise Http404 from exc


def get_volunteer_for_moderator(request, pk: str) -> Volunteer:
    """A vetted volunteer of the request's collectivité, for someone who moderates there."""
    require_capability(request, Capability.MODERATE)
    try:
        return Volunteer.objects.select_related("user", "collectivite").get(pk=int(pk), collectivite=request.tenant)
    except (ValueError, Volunteer.DoesNotExist) as exc:
        raise Http404 from exc


def get_post_for_note(request, pk: int) -> Post:
    """A post of the network its author, or someone who answered it, may leave a private note
    about (mutualaid.notes says when); 404 for anyone else."""
    user = request.user
    answered = Q(conversations__person=user, conversations__follow_ups__isnull=True)
    posts = Post.objects.filter(collectivite=request.tenant).filter(Q(author=user) | answered).distinct()
    try:
        return posts.select_related("category", "commune").get(pk=pk)
    except Post.DoesNotExist as exc:
        raise Http404 from exc


def get_alert_for_owner(request, pk: int) -> Alert:
    """One of the signed-in person's alerts in this network; 404 for anyone else's."""
    try:
        return Alert.objects.get(pk=pk, collectivite=request.tenant, user=request.user)
    except Alert.DoesNotExist as exc:
        raise Http404 from exc
