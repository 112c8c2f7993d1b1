"""Issue 12, the mutual-aid network, in a real browser. On a phone, a resident of Strasbourg asks
for groceries with the one form; a neighbour filters the list by category and distance, answers
with a phone number in the message (masked until both agree to share their contact details), and
the author marks the request done. A resident reports a post, a moderator hides it from the back
office, and the reporter is told by e-mail. Every page reached is checked with axe-core."""

from django.core import mail

from solidaire.mutualaid.models import Conversation, Moderation, Post, Report, ReportDecision, State
from tests.accounts.helpers import only_mail_to, translated
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.mutualaid.helpers import category, open_network, write

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}
TITLE = "Des courses pour ce soir"
NUMBER = "06 12 34 56 78"
COLMAR = "68066"


def sign_in(page, user):
    page.goto("/comptes/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.follow(page.locator("main form button[type=submit]"))
    assert page.path != "/comptes/login/"


def main_text(page) -> str:
    return page.locator("main").inner_text()


def told(page) -> str:
    """The messages the page shows after an action (above `main`)."""
    return page.locator(".messages").inner_text()


def test_post_find_talk_done(personas, open_page):
    tenant = personas.a.tenant
    open_network(tenant)
    author = UserFactory(email="sophie.muller@example.org", first_name="Sophie")
    neighbour = UserFactory(email="karim.haddad@example.org", first_name="Karim")
    # Two posts the filters must leave out: groceries far away in Colmar, odd jobs in Strasbourg.
    write(tenant, personas.a.donor, title="Des courses à Colmar", commune=COLMAR)
    write(tenant, personas.a.donor, slug="bricolage", title="Monter une étagère")

    # The author asks for groceries for today, with the one form.
    me = open_page(personas.a, **PHONE)
    sign_in(me, author)
    me.goto("/entraide/")
    me.follow(me.get_by_role("link", name=translated("Ask for or offer help")).first)
    assert me.path == "/entraide/publier/"
    me.check("input[name=kind][value=request]")
    me.select_option("#id_category", str(category(tenant, "courses").pk))
    me.fill("#id_title", TITLE)
    me.fill("#id_text", "Je suis malade, il me faudrait du pain, du lait et des fruits.")
    me.check("input[name=urgency][value=today]")
    me.fill("#id_commune_text", "Strasbourg")
    me.follow(me.get_by_role("button", name=translated("Post"), exact=True))
    assert me.path == "/entraide/mes-annonces/"
    assert translated("Thank you! Your post is online.") in told(me)
    post = Post.objects.get(title=TITLE)
    assert (post.author, post.kind, post.urgency, post.commune_id) == (author, "request", "today", "67482")
    assert (post.moderation, post.state) == (Moderation.APPROVED, State.OPEN)

    # A neighbour, in a browser of their own, finds it with the filters and answers it. Until
    # both agree to share, nothing they see gives the author's e-mail address away.
    them = open_page(personas.a, **PHONE)
    seen = []  # the HTML of every page the neighbour reached

    def look(page):
        seen.append(page.content())

    sign_in(them, neighbour)
    them.goto("/entraide/")
    look(them)
    them.select_option("#category", "courses")
    them.fill("#near", "Strasbourg")
    them.select_option("#within", "5")
    them.follow(them.locator("form.directory-filters button[type=submit]"))
    look(them)
    assert "category=courses" in them.path and "near=Strasbourg" in them.path
    cards = them.locator("main .post-card")
    assert cards.count() == 1
    assert them.get_by_role("link", name="Des courses à Colmar").count() == 0
    assert them.get_by_role("link", name="Monter une étagère").count() == 0
    them.follow(them.get_by_role("link", name=TITLE))
    look(them)
    assert them.path == f"/entraide/{post.pk}/"
    assert them.locator("h1").inner_text() == TITLE

    them.follow(them.get_by_role("link", name=translated("I can help")))
    look(them)
    assert them.path == f"/entraide/conversations/repondre/{post.pk}/"
    them.fill("#id_text", f"Bonjour, je passe au marché ce soir. Appelez-moi au {NUMBER}.")
    them.follow(them.get_by_role("button", name=translated("Send"), exact=True))
    look(them)
    conversation = Conversation.objects.get(post=post, person=neighbour)
    assert them.path == f"/entraide/conversations/{conversation.pk}/"

    # The map of the posts loads too (no tiles here: no internet; the markers do).
    them.goto("/entraide/carte/")
    look(them)
    them.wait_for_function("document.getElementById('map-status').textContent.trim() !== ''")
    them.wait_for_selector(".leaflet-marker-icon")

    # The author reads the message: the phone number is masked, on the page and in the e-mail.
    masked = translated("[contact details hidden]")
    relayed = only_mail_to(author.email)
    assert NUMBER not in relayed.body and masked in relayed.body
    me.goto("/entraide/conversations/")
    me.follow(me.get_by_role("link", name=TITLE))
    assert me.path == f"/entraide/conversations/{conversation.pk}/"
    thread = me.locator("ol.conversation").inner_text()
    assert masked in thread and NUMBER not in thread

    # Both agree to share their contact details: the neighbour first, then the author.
    share = translated("Share my contact details")
    them.goto(f"/entraide/conversations/{conversation.pk}/")
    look(them)
    them.fill("#id_phone", NUMBER)
    them.follow(them.get_by_role("button", name=share))
    look(them)
    assert translated("Noted. Your contact details will be shown once the other person agrees too.") in told(them)
    me.follow(me.get_by_role("button", name=share))
    assert translated("You both agreed: your contact details are shown to each other.") in told(me)
    conversation.refresh_from_db()
    assert conversation.contacts_shared
    thread = me.locator("ol.conversation").inner_text()
    assert NUMBER in thread and masked not in thread
    assert me.locator(f"main a[href='tel:{NUMBER.replace(' ', '')}']").count() == 1
    assert me.locator(f"main a[href='mailto:{neighbour.email}']").count() == 1

    # The author marks the request done from "my posts": it leaves the list.
    me.goto("/entraide/mes-annonces/")
    me.follow(me.get_by_role("button", name=translated("Mark done")))
    assert me.path == "/entraide/mes-annonces/"
    assert translated("Your post is marked done. Thank you for helping each other!") in told(me)
    post.refresh_from_db()
    assert post.state == State.DONE
    them.goto("/entraide/?category=courses")
    look(them)
    assert them.get_by_role("link", name=TITLE).count() == 0

    # Not one page the neighbour reached held the author's e-mail address (they did not open the
    # conversation again once both agreed: its contact details would show it, by design).
    assert len(seen) == 9
    assert not [html for html in seen if author.email in html], "the neighbour saw the author's e-mail address"


def test_report_then_moderate(personas, open_page):
    tenant = personas.a.tenant
    open_network(tenant)
    author = UserFactory(email="vendeur@example.org", first_name="Marc")
    reporter = UserFactory(email="lucie@example.org", first_name="Lucie")
    post = write(
        tenant,
        author,
        kind="offer",
        title="Courses livrées contre 20 € d’avance",
        text="Envoyez d’abord l’argent par virement, je fais vos courses ensuite.",
    )

    # An anonymous visitor sees it in the list.
    visitor = open_page(personas.a)
    visitor.goto("/entraide/")
    assert visitor.get_by_role("link", name=post.title).count() == 1

    # A resident reports it from its page.
    resident = open_page(personas.a)
    sign_in(resident, reporter)
    resident.goto(f"/entraide/{post.pk}/")
    resident.follow(resident.get_by_role("link", name=translated("Report this post to the moderators")))
    assert resident.path == f"/entraide/signaler/annonce/{post.pk}/"
    resident.check("input[name=reason][value=scam]")
    resident.fill("#id_text", "On demande de l’argent d’avance à des personnes âgées.")
    resident.follow(resident.get_by_role("button", name=translated("Send the report")))
    assert resident.path == f"/entraide/{post.pk}/"
    thanks = "Thank you. A moderator will read your report; you will be told the outcome by e-mail."
    assert translated(thanks) in told(resident)
    report = Report.objects.get()
    assert (report.reporter, report.person, report.post, report.reason) == (reporter, author, post, "scam")

    # The collectivité's moderator opens the queue and the report.
    moderator = open_page(personas.a)
    sign_in(moderator, personas.a.moderator)
    moderator.goto("/gestion/entraide/signalements/")
    moderator.follow(moderator.get_by_role("link", name=post.title))
    assert moderator.path == f"/gestion/entraide/signalements/{report.pk}/"
    assert "On demande de l’argent d’avance" in main_text(moderator)
    # Suspending asks to confirm first; the moderator goes back and hides the post instead.
    moderator.check("input[name=decision][value=suspend]")
    moderator.follow(moderator.get_by_role("button", name=translated("Record the decision")))
    assert moderator.locator("h1").inner_text() == translated("Suspend this person?")
    moderator.follow(moderator.get_by_role("link", name=translated("Cancel"), exact=True))
    assert moderator.path == f"/gestion/entraide/signalements/{report.pk}/"
    report.refresh_from_db()
    assert report.decision == ""
    assert mail.outbox == []
    moderator.check("input[name=decision][value=hide]")
    moderator.follow(moderator.get_by_role("button", name=translated("Record the decision")))
    assert moderator.path == "/gestion/entraide/signalements/"
    assert translated("The decision is recorded and the person who reported is told.") in told(moderator)
    assert translated("No report waits for a decision.") in main_text(moderator)
    report.refresh_from_db()
    assert (report.decision, report.decided_by) == (ReportDecision.HIDE, personas.a.moderator)

    # The post is no longer listed for an anonymous visitor, nor on the map's markers.
    visitor.goto("/entraide/")
    assert visitor.get_by_role("link", name=post.title).count() == 0
    markers = visitor.evaluate("url => fetch(url).then(response => response.json())", "/entraide/carte.json")
    assert markers["markers"] == []

    # The reporter is told the outcome, without more detail; the author was not warned.
    outcome = only_mail_to(reporter.email)
    assert outcome.subject.endswith(translated("Your report to the mutual-aid moderators"))
    acted = "They found it against the network’s rules and acted on it. For the privacy of everyone involved, we do not say more."
    assert translated(acted) in outcome.body
    assert post.title in outcome.body
    assert [m.to for m in mail.outbox] == [[reporter.email]]
