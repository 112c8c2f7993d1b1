"""The demo's mutual-aid networks: Ville de Strasbourg (its quarters, named or by postal code) and Région
Grand Est (communes of Alsace), each with the default categories and a dozen or two posts
written through the product's write path; the vetted volunteer talking with the demo resident,
and a report waiting for the moderator. Idempotent: what exists is left alone."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.actions import ensure_verified_user
from solidaire.celery import app as celery_app
from solidaire.geo.models import Commune
from solidaire.mutualaid import actions, alerts, announcements, conversations, followup, neighbourhoods, safety
from solidaire.mutualaid.models import (
    Alert,
    AlertFrequency,
    Announcement,
    Category,
    Conversation,
    Kind,
    Neighbourhood,
    Post,
    PreModeration,
    Report,
)

RESIDENT_EMAIL = "habitant@strasbourg.example"
VOLUNTEER_EMAIL = "benevole@strasbourg.example"

# Strasbourg's quarters the city names (name, latitude and longitude of a central point), and the
# posts that give one (by title): shown as "Krutenau, Strasbourg", placed around that point.
STRASBOURG_NEIGHBOURHOODS = [
    ("Krutenau", 48.5786, 7.7590),
    ("Neudorf", 48.5660, 7.7620),
    ("Robertsau", 48.5990, 7.7880),
    ("Cronenbourg", 48.5925, 7.7200),
    ("Hautepierre", 48.5915, 7.6985),
]
POST_NEIGHBOURHOODS = {
    "Je fais vos courses le samedi": "Krutenau",
    "Je peux aller à la pharmacie pour vous": "Neudorf",
    "Appels amicaux en allemand ou en français": "Robertsau",
    "Un coup de fil de temps en temps": "Cronenbourg",
    "Trajet pour un rendez-vous à l’hôpital": "Hautepierre",
    "Petites réparations à domicile": "Neudorf",
}

# (author, kind, category, title, text, urgency, availability, commune, postal code, on behalf)
STRASBOURG_POSTS = [
    (
        "Nadia",
        "request",
        "courses",
        "Courses pour la semaine",
        "Je suis à l’isolement : du pain, des légumes et du lait, je rembourse à la livraison.",
        "today",
        "En fin de journée",
        "67482",
        "67000",
        False,
    ),
    (
        "Paul",
        "offer",
        "courses",
        "Je fais vos courses le samedi",
        "Je passe au marché du boulevard de la Marne chaque samedi matin, je peux prendre une liste.",
        "whenever",
        "Samedi matin",
        "67482",
        "67000",
        False,
    ),
    (
        "Inès",
        "request",
        "medicaments",
        "Récupérer une ordonnance à la pharmacie",
        "Pour ma grand-mère qui ne peut pas se déplacer ; l’ordonnance est déjà à la pharmacie.",
        "today",
        "Avant 18 h",
        "67482",
        "67100",
        True,
    ),
    (
        "Marc",
        "offer",
        "medicaments",
        "Je peux aller à la pharmacie pour vous",
        "Je travaille à côté de la place de l’Étoile, je peux passer chercher des médicaments.",
        "week",
        "Midi ou soir",
        "67482",
        "67100",
        False,
    ),
    (
        "Lucie",
        "request",
        "appel-amical",
        "Un coup de fil de temps en temps",
        "Je vis seule depuis le début du confinement, j’aimerais discuter un peu au téléphone.",
        "week",
        "L’après-midi",
        "67482",
        "67200",
        False,
    ),
    (
        "Hugo",
        "offer",
        "appel-amical",
        "Appels amicaux en allemand ou en français",
        "Étudiant, disponible pour des appels réguliers, en français ou en allemand.",
        "whenever",
        "Tous les jours après 17 h",
        "67482",
        "67000",
        False,
    ),
    (
        "Sophie",
        "request",
        "demarches",
        "Aide pour une demande en ligne à la CAF",
        "Je n’arrive pas à remplir le formulaire en ligne, quelqu’un pourrait-il m’aider ?",
        "week",
        "Mardi ou jeudi",
        "67482",
        "67200",
        False,
    ),
    (
        "Karim",
        "offer",
        "bricolage",
        "Petites réparations à domicile",
        "Robinet qui fuit, étagère à fixer : je viens avec mes outils.",
        "whenever",
        "Le week-end",
        "67482",
        "67100",
        False,
    ),
    (
        "Élise",
        "request",
        "transport",
        "Trajet pour un rendez-vous à l’hôpital",
        "Rendez-vous à Hautepierre jeudi à 10 h pour mon père, qui ne conduit plus.",
        "week",
        "Jeudi matin",
        "67482",
        "67200",
        True,
    ),
    (
        "Thomas",
        "offer",
        "transport",
        "Je peux conduire pour des rendez-vous médicaux",
        "Voiture disponible en semaine, je peux accompagner à l’hôpital ou chez le médecin.",
        "whenever",
        "En semaine",
        "67482",
        "67000",
        False,
    ),
    (
        "Amina",
        "request",
        "garde-enfants",
        "Garde de deux enfants mercredi après-midi",
        "Je suis infirmière et de garde mercredi ; mes enfants ont 6 et 9 ans.",
        "week",
        "Mercredi 13 h – 18 h",
        "67482",
        "67100",
        False,
    ),
    (
        "Jeanne",
        "request",
        "autre",
        "Promener mon chien",
        "Je me suis cassé la jambe : quelqu’un pourrait-il sortir mon chien le soir ?",
        "today",
        "Le soir",
        "67482",
        "67000",
        False,
    ),
    (
        "Bernard",
        "request",
        "courses",
        "Un pack d’eau et des conserves",
        "Au quatrième sans ascenseur, je ne peux plus porter les packs d’eau.",
        "week",
        "Le matin",
        "67482",
        "67100",
        False,
    ),
    (
        "Camille",
        "offer",
        "appel-amical",
        "Une oreille attentive",
        "Bénévole dans une association d’écoute, je peux appeler les personnes isolées.",
        "whenever",
        "En soirée",
        "67482",
        "67200",
        False,
    ),
    (
        "Gérard",
        "request",
        "bricolage",
        "Changer une ampoule au plafond",
        "Je n’ose plus monter sur l’escabeau depuis ma chute.",
        "week",
        "N’importe quel jour",
        "67482",
        "67000",
        False,
    ),
    (
        "Léa",
        "offer",
        "demarches",
        "Aide aux démarches en ligne",
        "Je peux aider à remplir des formulaires en ligne : CAF, impôts, Ameli.",
        "whenever",
        "Le mercredi",
        "67482",
        "67100",
        False,
    ),
    (
        "Mehdi",
        "offer",
        "courses",
        "Courses en vélo cargo",
        "J’ai un vélo cargo, je peux rapporter de grosses courses dans tout Neudorf.",
        "week",
        "Le samedi",
        "67482",
        "67100",
        False,
    ),
    (
        "Odile",
        "request",
        "medicaments",
        "Aller chercher mes médicaments chaque mois",
        "Je suis sous traitement et ne peux pas me déplacer jusqu’à la pharmacie.",
        "week",
        "Début de mois",
        "67482",
        "67200",
        False,
    ),
    (
        "Sarah",
        "offer",
        "garde-enfants",
        "Garde d’enfants le soir",
        "Auxiliaire de puériculture, je peux garder des enfants de soignants le soir.",
        "whenever",
        "Après 18 h",
        "67482",
        "67000",
        False,
    ),
    (
        "Kevin",
        "offer",
        "autre",
        "Masques et gel à vendre",
        "Je vends des masques 5 € pièce, paiement d’avance par virement.",
        "today",
        "Tout de suite",
        "67482",
        "67000",
        False,
    ),
]
GRAND_EST_POSTS = [
    (
        "Claire",
        "request",
        "courses",
        "Courses à Schiltigheim",
        "Quelques courses de base pour un couple de personnes âgées.",
        "today",
        "Le matin",
        "67447",
        "",
        True,
    ),
    (
        "Louis",
        "offer",
        "courses",
        "Courses à Illkirch",
        "Je fais mes courses le mercredi, je peux en prendre pour un voisin.",
        "week",
        "Mercredi",
        "67218",
        "",
        False,
    ),
    (
        "Yasmine",
        "request",
        "demarches",
        "Déclaration d’impôts à Bischheim",
        "Besoin d’aide pour la déclaration en ligne.",
        "whenever",
        "Le soir",
        "67043",
        "",
        False,
    ),
    (
        "Julien",
        "offer",
        "bricolage",
        "Bricolage à Lingolsheim",
        "Montage de meubles, petites réparations.",
        "whenever",
        "Le week-end",
        "67267",
        "",
        False,
    ),
    (
        "Chantal",
        "request",
        "appel-amical",
        "Discuter un peu à Hoenheim",
        "Un appel par semaine me ferait du bien.",
        "week",
        "L’après-midi",
        "67204",
        "",
        False,
    ),
    (
        "Romain",
        "offer",
        "transport",
        "Trajets depuis Schiltigheim",
        "Je vais à Strasbourg tous les jours, je peux emmener quelqu’un.",
        "whenever",
        "Matin et soir",
        "67447",
        "",
        False,
    ),
    (
        "Monique",
        "request",
        "medicaments",
        "Pharmacie à Haguenau",
        "Ma mère a besoin de ses médicaments, je travaille loin cette semaine.",
        "today",
        "Avant 19 h",
        "67180",
        "",
        True,
    ),
    (
        "Pierre",
        "offer",
        "transport",
        "Trajets médicaux autour de Colmar",
        "Retraité, j’emmène volontiers à l’hôpital Pasteur ou chez le médecin.",
        "whenever",
        "En semaine",
        "68066",
        "",
        False,
    ),
    (
        "Fatima",
        "request",
        "courses",
        "Courses à Mulhouse",
        "Enceinte et alitée, j’ai besoin de quelques courses chaque semaine.",
        "week",
        "Le mardi",
        "68224",
        "",
        False,
    ),
    (
        "Nicolas",
        "offer",
        "appel-amical",
        "Appels en alsacien",
        "Je parle alsacien et j’aime discuter : appelez-moi, ou je vous appelle.",
        "whenever",
        "L’après-midi",
        "67365",
        "",
        False,
    ),
    (
        "Agnès",
        "request",
        "autre",
        "Nourrir mes chats pendant mon hospitalisation",
        "Une semaine à l’hôpital : quelqu’un pourrait-il passer nourrir mes deux chats ?",
        "week",
        "Matin ou soir",
        "67043",
        "",
        False,
    ),
    (
        "Thierry",
        "offer",
        "bricolage",
        "Petits travaux à Geispolsheim",
        "Plomberie, électricité simple, montage de meubles.",
        "whenever",
        "Le samedi",
        "67152",
        "",
        False,
    ),
]


def _author(name: str, tenant_slug: str):
    user, _created = ensure_verified_user(email=f"{name.lower()}@entraide-{tenant_slug}.example")
    if user.first_name != name:
        user.first_name = name
        user.save(update_fields=["first_name"])
    return user


def _write(collectivite, posts, moderator, *, resident=None):
    """Writes the posts this network does not have yet (by title): a demo seeded before more posts
    were added gets the new ones."""
    categories = {c.slug: c for c in Category.objects.filter(collectivite=collectivite)}
    existing = set(Post.objects.filter(collectivite=collectivite).values_list("title", flat=True))
    named = {n.name: n for n in Neighbourhood.objects.filter(collectivite=collectivite)}
    written = []
    for i, (name, kind, slug, title, text, urgency, availability, commune, postal_code, on_behalf) in enumerate(posts):
        if title in existing:
            continue
        author = resident if (resident is not None and i == 0) else _author(name, collectivite.slug)
        post = Post(
            collectivite=collectivite,
            kind=kind,
            category=categories[slug],
            title=title,
            text=text,
            urgency=urgency,
            availability=availability,
            commune=Commune.objects.get(pk=commune),
            postal_code=postal_code,
            on_behalf=on_behalf,
            ends_on=timezone.localdate() + timedelta(days=30),
            neighbourhood=named.get(POST_NEIGHBOURHOODS.get(title, "")),
        )
        written.append(actions.create_post(post=post, author=author))
    for post in written:  # the childcare posts waited for the moderator
        if post.moderation == "pending":
            actions.decide_post(post=post, moderator=moderator, approve=True)
    return written


# Requests nobody answered, for the follow-up queue: (title, hours since they were posted).
UNANSWERED = [("Récupérer une ordonnance à la pharmacie", 60), ("Aide pour une demande en ligne à la CAF", 130)]
ANNOUNCEMENT = {
    "title": "Pharmacies et banques alimentaires ouvertes ce week-end",
    "title_en": "Pharmacies and food banks open this weekend",
    "title_de": "Apotheken und Tafeln am Wochenende geöffnet",
    "text": "La pharmacie du Neudorf et la banque alimentaire de la Meinau sont ouvertes samedi de 9 h à 12 h.",
    "text_en": "The Neudorf pharmacy and the Meinau food bank are open on Saturday from 9 am to noon.",
    "text_de": "Die Apotheke in Neudorf und die Tafel in der Meinau haben am Samstag von 9 bis 12 Uhr geöffnet.",
}


def _follow_up(collectivite, admin) -> None:
    """Two requests left unanswered for days (the follow-up queue) and one pinned announcement.
    Idempotent: a request already old enough, or an existing announcement, is left alone."""
    for title, hours in UNANSWERED:
        old_enough = timezone.now() - timedelta(hours=hours)
        post = Post.objects.filter(collectivite=collectivite, title=title).first()
        if post is not None and post.created_at > old_enough and not followup.answers(post).exists():
            Post.objects.filter(pk=post.pk).update(created_at=old_enough)
    if Announcement.objects.filter(collectivite=collectivite).exists():
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # nobody chose announcements yet: nothing is e-mailed
    try:
        announcements.publish(
            announcement=Announcement(collectivite=collectivite, pinned=True, **ANNOUNCEMENT), actor=admin
        )
    finally:
        celery_app.conf.task_always_eager = previous


def _neighbourhoods(strasbourg, admin) -> None:
    """Strasbourg's quarters, through the back office's write path; those that exist are left
    alone."""
    commune = Commune.objects.get(pk="67482")
    existing = set(Neighbourhood.objects.filter(collectivite=strasbourg).values_list("name", flat=True))
    for name, latitude, longitude in STRASBOURG_NEIGHBOURHOODS:
        if name not in existing:
            neighbourhoods.save_neighbourhood(
                neighbourhood=Neighbourhood(
                    collectivite=strasbourg, commune=commune, name=name, latitude=latitude, longitude=longitude
                ),
                actor=admin,
            )


def _alert(strasbourg, volunteer) -> None:
    """The volunteer's daily digest of new requests for groceries and medicines within 5 km of
    Strasbourg (left alone when they have an alert)."""
    if Alert.objects.filter(collectivite=strasbourg, user=volunteer).exists():
        return
    alerts.save_alert(
        collectivite=strasbourg,
        user=volunteer,
        commune=Commune.objects.get(pk="67482"),
        kind=Kind.REQUEST,
        categories=Category.objects.filter(collectivite=strasbourg, slug__in=["courses", "medicaments"]),
        distance_km=5,
        frequency=AlertFrequency.DAILY,
    )


def seed_mutual_aid(
    strasbourg, grand_est, *, strasbourg_admin, grand_est_moderator, password: str
) -> list[tuple[str, str, str]]:
    """Switches both networks on with their posts; returns the (collectivité, role, e-mail) of the
    demo's resident and vetted volunteer, who sign in with `password`."""
    resident, _created = ensure_verified_user(email=RESIDENT_EMAIL, password=password)
    volunteer, _created = ensure_verified_user(email=VOLUNTEER_EMAIL, password=password)
    for user, name in ((resident, "Nadia"), (volunteer, "Victor")):
        if not user.first_name:
            user.first_name, user.commune_id = name, "67482"
            user.save(update_fields=["first_name", "commune"])
    _neighbourhoods(strasbourg, strasbourg_admin)
    for collectivite, posts, moderator, who in (
        (strasbourg, STRASBOURG_POSTS, strasbourg_admin, resident),
        (grand_est, GRAND_EST_POSTS, grand_est_moderator, None),
    ):
        titles = set(Post.objects.filter(collectivite=collectivite).values_list("title", flat=True))
        if all(post[3] in titles for post in posts):
            continue
        # Written under "sensitive categories only" so that the list is full; then first posts
        # of new people wait for a moderator, as a collectivité would usually choose.
        actions.configure(
            collectivite=collectivite, actor=moderator, enabled=True, pre_moderation=PreModeration.SENSITIVE
        )
        _write(collectivite, posts, moderator, resident=who)
        actions.configure(collectivite=collectivite, actor=moderator, pre_moderation=PreModeration.FIRST_POSTS)
    actions.vet_volunteer(collectivite=strasbourg, user=volunteer, actor=strasbourg_admin)
    _follow_up(strasbourg, strasbourg_admin)
    _alert(strasbourg, volunteer)
    return [
        (strasbourg.name, str(_("Mutual-aid member")), RESIDENT_EMAIL),
        (strasbourg.name, str(_("Vetted volunteer")), VOLUNTEER_EMAIL),
    ]


# The vetted volunteer answers two requests of Strasbourg, the demo resident's first: (title of the
# request, messages in turn — the volunteer's first, then its author's, and so on).
CONVERSATIONS = [
    (
        "Courses pour la semaine",
        [
            "Bonjour Nadia, je peux faire vos courses ce soir en rentrant du travail. Vous avez une liste ?",
            "Merci beaucoup ! Du pain, des légumes de saison et deux litres de lait.",
            "Parfait, je passe vers 19 h et je dépose le sac devant votre porte.",
        ],
    ),
    (
        "Un coup de fil de temps en temps",
        ["Bonjour Lucie, je serais ravi de vous appeler une fois par semaine. Quel jour vous arrange ?"],
    ),
]
# The resident reports an offer asking for money in advance; it waits for the moderator.
REPORTED = ("Masques et gel à vendre", "scam", "Il demande un virement d’avance pour des masques.")


def seed_mutual_aid_talk(strasbourg) -> None:
    """Conversations of the vetted volunteer (one with the demo resident) and a pending report, in
    Strasbourg's network, through the product's write paths, each committed on its own; their
    e-mails stay in memory (the demo sends nothing). Idempotent: a conversation or report that
    exists is left alone. Called after seed_mutual_aid."""
    users = get_user_model().objects
    resident, volunteer = users.get(email=RESIDENT_EMAIL), users.get(email=VOLUNTEER_EMAIL)
    posts = Post.objects.filter(collectivite=strasbourg).select_related("author")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for title, texts in CONVERSATIONS:
                post = posts.filter(title=title).first()
                if post is None or Conversation.objects.filter(post=post, person=volunteer).exists():
                    continue
                conversation = conversations.start(post=post, person=volunteer, text=texts[0])
                for i, text in enumerate(texts[1:]):
                    writer = post.author if i % 2 == 0 else volunteer
                    conversations.write(conversation=conversation, author=writer, text=text)
            title, reason, text = REPORTED
            post = posts.filter(title=title).first()
            if post is not None and not Report.objects.filter(collectivite=strasbourg, post=post).exists():
                safety.report(collectivite=strasbourg, reporter=resident, reason=reason, text=text, post=post)
    finally:
        celery_app.conf.task_always_eager = previous
