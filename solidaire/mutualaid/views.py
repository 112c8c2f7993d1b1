"""The network's pages under /entraide/: the list (and its map), a post, the one form to post,
and the author's own posts with their moves. Every page answers 404 where the network is off."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from solidaire.core.errors import ActionError

from . import actions, announcements, limits, safety, states
from .access import author_posts, get_network, get_post_for_author, get_post_for_reader, listed_posts, reader_for
from .forms import PostForm
from .models import Category, Kind, Moderation, Post, Urgency
from .search import DISTANCES_KM, PostQuery, search

PAGE_SIZE = 20


def network(request):
    get_network(request)
    query = PostQuery.from_params(request.GET)
    posts, origin = search(listed_posts(request), request.tenant.communes.all(), query)
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    categories = Category.objects.filter(collectivite=request.tenant)
    if not reader_for(request).sees_sensitive:
        categories = categories.filter(sensitive=False)
    return render(
        request,
        "mutualaid/network.html",
        {
            "page": page,
            "query": query,
            "origin": origin,
            "categories": categories,
            "kinds": Kind.choices,
            "urgencies": Urgency.choices,
            "distances": DISTANCES_KM,
            "querystring": params.urlencode(),
            "announcements": announcements.pinned(request.tenant),
        },
    )


def map_page(request):
    get_network(request)
    return render(
        request,
        "mutualaid/map.html",
        {"tiles_url": settings.SOLIDAIRE_MAP_TILES_URL, "tiles_attribution": settings.SOLIDAIRE_MAP_ATTRIBUTION},
    )


@require_GET
def markers_json(request):
    """[[post id, latitude×10⁵, longitude×10⁵, "title — place"], …] of the public list only
    (whoever asks: the answer may be cached), at each post's displaced position."""
    get_network(request)
    # Without the posts a moderator hid, and, for a person someone blocked, without that
    # author's posts (that answer is theirs only: not cached).
    blocked = safety.is_blocked_by_someone(request.tenant, request.user)
    posts = safety.screen_posts(
        Post.objects.listed().filter(collectivite=request.tenant, latitude__isnull=False),
        collectivite=request.tenant,
        user=request.user if blocked else None,
        moderator=False,
    )
    rows = posts.order_by("pk").values_list(
        "pk", "latitude", "longitude", "title", "neighbourhood__name", "commune__name"
    )[:2000]
    # The popup reads "Title — Neighbourhood, Commune": the place in words, as on the list.
    markers = [
        [pk, round(lat * 100000), round(lon * 100000), f"{title} — {', '.join(filter(None, (quarter, commune)))}"]
        for pk, lat, lon, title, quarter, commune in rows
    ]
    url = reverse("mutualaid:post", args=[0]).replace("/0/", "/{id}/")
    response = JsonResponse({"url": url, "markers": markers}, json_dumps_params={"separators": (",", ":")})
    if blocked:
        add_never_cache_headers(response)
    else:
        patch_cache_control(response, max_age=60, public=True)
    return response


def post_page(request, pk: int):
    get_network(request)
    post = get_post_for_reader(request, pk)
    own = request.user.is_authenticated and post.author_id == request.user.pk
    response = render(
        request,
        "mutualaid/post.html",
        {"post": post, "own": own, "moves": states.moves_from(post.state) if own else []},
    )
    if own or post.moderation != Moderation.APPROVED or post.category.sensitive:
        add_never_cache_headers(response)  # not for a shared cache: not everyone may see it
    return response


@login_required
def new_post(request):
    get_network(request)
    form = PostForm(request.POST or None, collectivite=request.tenant)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            if limits.spent(request.user, "post"):
                status = 429
                raise ActionError(_("You have posted many times today: wait until tomorrow."), code="rate_limited")
            post = actions.create_post(post=form.to_post(), author=request.user)
        except ActionError as exc:
            field = {"commune": "commune_text"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            if post.moderation == Moderation.PENDING:
                messages.success(request, _("Thank you! A moderator will read your post before it is shown."))
            else:
                messages.success(request, _("Thank you! Your post is online."))
            return redirect("mutualaid:my_posts")
    return render(request, "mutualaid/new_post.html", {"form": form}, status=status)


@login_required
def my_posts(request):
    get_network(request)
    posts = list(author_posts(request)[:200])
    hidden = safety.hidden_post_ids([post.pk for post in posts])
    for post in posts:
        post.moves = states.moves_from(post.state)
        post.hidden = post.pk in hidden
    return render(request, "mutualaid/my_posts.html", {"posts": posts})


MOVE_MESSAGES = {
    states.START: gettext_lazy("Your post is marked in progress: it is no longer listed."),
    states.FINISH: gettext_lazy("Your post is marked done. Thank you for helping each other!"),
    states.CLOSE: gettext_lazy("Your post is closed."),
}


@require_POST
@login_required
def move(request, pk: int):
    get_network(request)
    post = get_post_for_author(request, pk)
    action = request.POST.get("action", "")
    if action not in actions.AUTHOR_MOVES:
        raise Http404
    try:
        actions.AUTHOR_MOVES[action](post=post, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, MOVE_MESSAGES[action])
    return redirect("mutualaid:my_posts")
