"""Who may open what: every named view of the product × every persona, on collectivité A's host.

Read MATRIX as the access policy. Each row is a view (with, in brackets, whose object it is asked
for when that matters); each column a persona of tests/conftest.py. A cell is what that person gets:

    200    the page is shown
    201    the API created what was asked for (a gift)
    204    taken, nothing to show: a browser's report of what the Content-Security-Policy refused
    301    a permanent redirect to the object's canonical URL
    DONE   a POST succeeded and redirected back, or a GET was sent on where it belongs (302, no error)
    LOGIN  redirected to the login page (302 to /comptes/login/?next=…)
    400    refused as sent, whoever sends it: a notification without a valid signature
    403    signed in, but lacking the capability in collectivité A
    404    no such object here: a draft, an establishment not approved, an object of another owner,
           or an object of collectivité B asked for on A's host

Pages are requested with GET; the POST-only actions with POST. Every state-changing request runs in
a savepoint that is rolled back, so each cell starts from the same world.

The view list is read from the URL resolver: a new view without a row makes
test_every_view_of_the_product_has_a_row fail, and so does a row for a view that no longer exists.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.text import slugify

from solidaire.accounts.models import Invitation, Membership, hash_token
from solidaire.accounts.roles import capabilities_of
from solidaire.beneficiaries.models import Establishment, Registration
from solidaire.campaigns.models import Campaign
from solidaire.donations.models import Gift
from solidaire.exports import actions as export_actions
from solidaire.geo.models import Commune
from solidaire.mutualaid import actions as mutualaid_actions
from solidaire.mutualaid import alerts as mutualaid_alerts
from solidaire.mutualaid import announcements as mutualaid_announcements
from solidaire.mutualaid import conversations as mutualaid_conversations
from solidaire.mutualaid import safety as mutualaid_safety
from solidaire.mutualaid.models import Alert, Announcement, Neighbourhood, Post
from solidaire.mutualaid.models import Suspension as MutualAidSuspension
from solidaire.payouts import actions as payout_actions
from solidaire.payouts.models import PayoutSettings, StatementImport
from solidaire.privacy import identity as privacy_identity
from solidaire.vouchers import codes
from solidaire.vouchers.models import StaffInvitation

from .beneficiaries.helpers import EstablishmentFactory, RegistrationFactory
from .factories import CampaignFactory
from .gifts import give
from .mutualaid.helpers import write as mutualaid_write
from .vouchers.helpers import approved_offer, propose, redeem, voucher_for

pytestmark = pytest.mark.django_db

DONOR_A = "dora@example.org"  # A.donor’s address (tests/conftest.py)
DONE = "DONE"
LOGIN = "LOGIN"

PERSONAS = (
    "anon",
    "A.admin", "A.moderator", "A.finance", "A.viewer", "A.owner", "A.donor",
    "B.admin", "B.moderator", "B.finance", "B.viewer", "B.owner", "B.donor",
    "outsider",
)  # fmt: skip

# fmt: off
MATRIX = {
    # view [whose object]                        anon   A.adm  A.mod  A.fin  A.vwr  A.own  A.don  B.adm  B.mod  B.fin  B.vwr  B.own  B.don  otto
    # Public pages: the same for everyone.
    "healthz":                                  (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "theme_css":                                (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    # Prometheus metrics: nobody's session opens them, only SOLIDAIRE_METRICS_TOKEN (unset here:
    # 404; tests/core/test_metrics.py has the token's cases).
    "metrics":                                  (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Browsers report what the Content-Security-Policy refused: anyone, logged, nothing shown (204).
    "csp_report":                               (204,   204,   204,   204,   204,   204,   204,   204,   204,   204,   204,   204,   204,   204),
    "set_language":                             (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    "choose_language":                          (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    "core:home":                                (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "core:about_data":                          (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "tenants:legal":                            (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "tenants:accessibility":                    (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "tenants:privacy":                          (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "campaigns:public_detail":                  (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "campaigns:public_detail [draft]":          (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "campaigns:public_detail [B's]":            (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "accounts:accept_invitation":               (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "accounts:accept_invitation [B's]":         (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Any signed-in person.
    "accounts:my_account":                      (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    # Back office, every team role of A (view_dashboard).
    "campaigns:manage_home":                    (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_detail":                  (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_detail [B's]":            (LOGIN, 404,   404,   404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Back office, admin only (manage_campaigns).
    "campaigns:manage_create":                  (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_edit":                    (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_edit [B's]":              (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_publish":                 (LOGIN, DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_publish [B's]":           (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_close":                   (LOGIN, DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_close [B's]":             (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_reopen":                  (LOGIN, DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "campaigns:manage_reopen [B's]":            (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Back office, admin only (manage_team).
    "accounts:team":                            (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "accounts:change_role":                     (LOGIN, DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "accounts:change_role [B's]":               (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "accounts:revoke":                          (LOGIN, DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "accounts:revoke [B's]":                    (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "accounts:cancel_invitation":               (LOGIN, DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "accounts:cancel_invitation [B's]":         (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Back office, admin only (manage_branding, view_audit).
    "tenants:branding":                         (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "audit:log":                                (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Beneficiaries, public: the directory, the map and approved establishments' pages.
    "beneficiaries:directory":                  (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "beneficiaries:directory [B's]":            (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:map":                        (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "beneficiaries:map [B's]":                  (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:markers":                    (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "beneficiaries:markers [B's]":              (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:establishment":              (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "beneficiaries:establishment [pending]":    (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:establishment [B's]":        (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:establishment_short":        (301,   301,   301,   301,   301,   301,   301,   301,   301,   301,   301,   301,   301,   301),
    "beneficiaries:establishment_short [B's]":  (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:commune_suggestions":        (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    # The owner's space: any signed-in person may register an establishment; an establishment or a
    # registration is reachable by its owner only (A.owner's here), and never on another host.
    "beneficiaries:owner_home":                 (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "beneficiaries:register":                   (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "beneficiaries:register [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:edit":                       (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:edit [B's]":                 (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:join":                       (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:join [B's]":                 (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:owner_registration":         (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:owner_registration [B's]":   (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:withdraw":                   (LOGIN, 404,   404,   404,   404,   DONE,  404,   404,   404,   404,   404,   404,   404,   404),
    "beneficiaries:withdraw [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Back office, moderators and admins of A (moderate).
    "beneficiaries:moderation_queue":           (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "beneficiaries:moderation_detail":          (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "beneficiaries:moderation_detail [B's]":    (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "beneficiaries:payouts_hold":               (LOGIN, DONE,  DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "beneficiaries:payouts_hold [B's]":         (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "beneficiaries:changes_queue":              (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "beneficiaries:changes_detail":             (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "beneficiaries:changes_detail [B's]":       (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Giving, public: anyone may start a gift (the form posts to donations:start); a gift's page,
    # and cancelling it before paying, with its secret token only, on its collectivité’s host only.
    "donations:start":                          (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    "donations:start [B's]":                    (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "donations:gift":                           (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "donations:gift [wrong token]":             (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "donations:gift [B's]":                     (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "donations:cancel":                         (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    "donations:cancel [wrong token]":           (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "donations:cancel [B's]":                   (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Back office, finance officers and admins of A (finance): gifts, refunds, notifications.
    # The owner's donors who agreed to be contacted, and their export (audited): owners only.
    "donations:owner_donors":                   (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "donations:owner_donors [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "donations:owner_donors_csv":               (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "donations:owner_donors_csv [B's]":         (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "donations:finance_gifts":                  (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "donations:finance_gift":                   (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "donations:finance_gift [B's]":             (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payments:notifications_log":               (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Payouts, finance officers and admins of A (finance). The rows act with two-factor
    # authentication not required (tests/payouts/test_pages.py asks what it changes): approving is
    # refused to the one who prepared the batch (A.finance, 400), allowed to another (A.admin).
    "payouts:home":                             (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:batch":                            (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:batch [B's]":                      (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:approve":                          (LOGIN, DONE,  403,   400,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:approve [B's]":                    (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:cancel":                           (LOGIN, DONE,  403,   DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:cancel [B's]":                     (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:mark_sent":                        (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:mark_sent [B's]":                  (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:mark_paid":                        (LOGIN, DONE,  403,   DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:mark_paid [B's]":                  (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:mark_failed":                      (LOGIN, DONE,  403,   DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:mark_failed [B's]":                (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:document":                         (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:document [B's]":                   (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:statements":                       (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:statement":                        (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:statement [B's]":                  (LOGIN, 404,   403,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payouts:account":                          (LOGIN, 200,   403,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # The owner's payments and statement: A.owner's café only.
    "payouts:owner_payouts":                    (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "payouts:owner_payouts [B's]":              (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "payouts:owner_statement":                  (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "payouts:owner_statement [B's]":            (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Back office, admin only (manage_branding): the payment provider and its keys.
    "payments:settings":                        (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payments:connect_accounts":                (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payments:connect_account":                 (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "payments:connect_account [B's]":           (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # The sandbox's hosted payment page: public, for the host's own checkouts only.
    "payments:sandbox_checkout":                (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "payments:sandbox_checkout [B's]":          (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Providers post notifications here: anyone may post, only a signed body is read (400 otherwise).
    "payments:notifications":                   (400,   400,   400,   400,   400,   400,   400,   400,   400,   400,   400,   400,   400,   400),
    # The public API: JSON for anyone, nothing of a draft or of another collectivité, a gift with its
    # token only; api-root is only the prefix of the others.
    "api:api-root":                             (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "api:openapi-json":                         (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "api:openapi-view":                         (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "api:campaign_detail":                      (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "api:campaign_detail [draft]":              (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "api:campaign_detail [B's]":                (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "api:beneficiaries":                        (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "api:beneficiaries [B's]":                  (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "api:create_gift":                          (201,   201,   201,   201,   201,   201,   201,   201,   201,   201,   201,   201,   201,   201),
    "api:create_gift [B's]":                    (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "api:gift_detail":                          (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "api:gift_detail [wrong token]":            (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "api:gift_detail [B's]":                    (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "api:mutualaid_posts":                      (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    # Vouchers. The counter (find, redeem, undo) of A.owner's café: its owner only (or the staff
    # they add); the staff list and the offer of a registration: its owner only; never on another
    # host. The QR code's address sends the café's owner on to the voucher at the counter (302,
    # shown as DONE), tells other signed-in people it is another establishment’s voucher (403), and
    # refuses a forged code before anything else (404, even before asking anyone to sign in).
    "vouchers:counter":                         (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:counter [B's]":                   (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:counter_voucher":                 (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:counter_voucher [B's]":           (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:undo":                            (LOGIN, 404,   404,   404,   404,   DONE,  404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:undo [B's]":                      (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:staff":                           (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:staff [B's]":                     (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # The link of an invitation to a café's counter staff: shown to whoever holds it, on its site only.
    "vouchers:accept_staff_invitation":         (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "vouchers:accept_staff_invitation [B's]":   (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:offer":                           (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:offer [B's]":                     (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:scan":                            (LOGIN, 403,   403,   403,   403,   DONE,  403,   403,   403,   403,   403,   403,   403,   403),
    "vouchers:scan [forged]":                   (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:scan [B's]":                      (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # The donor’s voucher and its PDF: anyone with the token, on the voucher’s host only.
    "vouchers:voucher":                         (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "vouchers:voucher [no token]":              (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:voucher [B's]":                   (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:voucher_pdf":                     (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "vouchers:voucher_pdf [no token]":          (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "vouchers:voucher_pdf [B's]":               (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Back office: counterpart offers are moderated (moderate); what shops still owe in goods is
    # for every team role (view_dashboard).
    "vouchers:offers_queue":                    (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "vouchers:offer_decision":                  (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "vouchers:offer_decision [B's]":            (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "vouchers:outstanding":                     (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Exports: asked for by every team role of A (view_dashboard); an export's state and file
    # are its requester's only (A.viewer's here), 404 to the rest of the team.
    "exports:home":                             (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "exports:status":                           (LOGIN, 404,   404,   404,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "exports:status [B's]":                     (LOGIN, 404,   404,   404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "exports:download":                         (LOGIN, 404,   404,   404,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "exports:download [B's]":                   (LOGIN, 404,   404,   404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # The owner's dashboard, its chart and its export (audited): A.owner's café only.
    "exports:owner_dashboard":                  (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "exports:owner_dashboard [B's]":            (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "exports:owner_chart":                      (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "exports:owner_chart [B's]":                (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "exports:owner_export":                     (LOGIN, 404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404,   404),
    "exports:owner_export [B's]":               (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Transparency and open data (opendata): public; drafts and B's campaigns are not found here.
    "opendata:transparency":                    (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "opendata:transparency [draft]":            (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "opendata:transparency [B's]":              (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "opendata:subventions_csv":                 (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "opendata:subventions_csv [draft]":         (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "opendata:subventions_csv [B's]":           (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "opendata:datasets":                        (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "opendata:catalogue":                       (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    # A person's own data (privacy): by a link to the mailbox, or a signed-in verified address.
    "privacy:ask":                              (200,   DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    "privacy:open":                             (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    "privacy:space":                            (DONE,  200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "privacy:download":                         (DONE,  200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "privacy:erase":                            (DONE,  200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "privacy:leave":                            (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    # Dashboards (reporting): every team role of A (view_dashboard); B's campaign is not found.
    "reporting:summary":                        (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "reporting:summary_chart":                  (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "reporting:summary_download":               (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "reporting:dashboard":                      (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "reporting:dashboard [B's]":                (LOGIN, 404,   404,   404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "reporting:dashboard_chart":                (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "reporting:dashboard_chart [B's]":          (LOGIN, 404,   404,   404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "reporting:dashboard_download":             (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "reporting:dashboard_download [B's]":       (LOGIN, 404,   404,   404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Mutual aid (A's network switched on, B's too): the list, its map and markers, an open post
    # of A.donor's are public; a post in a sensitive category is for moderators (and vetted
    # volunteers) and its author; one waiting for review for its author and the moderators;
    # posting and one's own posts for any signed-in person; a post's moves for its author only.
    "mutualaid:network":                        (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:map":                            (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:markers":                        (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:post":                           (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:post [sensitive]":               (404,   200,   200,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:post [pending]":                 (404,   200,   200,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:post [B's]":                     (404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:new_post":                       (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:my_posts":                       (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:move":                           (LOGIN, 404,   404,   404,   404,   404,   DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:move [B's]":                     (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Mutual aid, back office: the network's settings and categories (manage_branding), the posts
    # waiting for review (moderate); B's are not found.
    "mutualaid:manage":                         (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:category_create":                (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:category_edit":                  (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:category_edit [B's]":            (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:neighbourhoods":                 (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:neighbourhood_edit":             (LOGIN, 200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:neighbourhood_edit [B's]":       (LOGIN, 404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:moderation":                     (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:moderate_post":                  (LOGIN, DONE,  DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:moderate_post [B's]":            (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:volunteers":                     (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Conversations (issue 12, item 4): A.owner answered A.donor's open post, B.owner B.donor's.
    # Anyone signed in may answer a post they may read (A.owner is sent on to the conversation he
    # has, A.donor shown that it is her own); a conversation is its two participants' only, on
    # its collectivité's host only: the team included, everyone else gets 404.
    "mutualaid:conversation_start":             (LOGIN, 200,   200,   200,   200,   DONE,  200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:conversation_start [sensitive]": (LOGIN, 200,   200,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_start [B's]":       (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversations":                  (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:conversation":                   (LOGIN, 404,   404,   404,   404,   200,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_share":             (LOGIN, 404,   404,   404,   404,   DONE,  DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_share [B's]":       (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_close":             (LOGIN, 404,   404,   404,   404,   DONE,  DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_close [B's]":       (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Safety (issue 12, item 5): a post is reported by anyone signed in who may read it, not its
    # author (A.donor); a message by the participant it was written to (A.owner wrote to A.donor),
    # a person by either participant, who may also block the other; one's blocks are one's own
    # (A.owner blocked otto). Reports and suspensions are for A's moderators; B's are not found.
    "mutualaid:report_post":                    (LOGIN, 200,   200,   200,   200,   200,   404,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:report_post [B's]":              (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:report_message":                 (LOGIN, 404,   404,   404,   404,   404,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:report_message [B's]":           (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:report_person":                  (LOGIN, 404,   404,   404,   404,   200,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:report_person [B's]":            (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:blocks":                         (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:block":                          (LOGIN, 404,   404,   404,   404,   DONE,  DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:block [B's]":                    (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:unblock":                        (LOGIN, 404,   404,   404,   404,   DONE,  404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:unblock [B's]":                  (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:reports":                        (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:report_detail":                  (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:report_detail [B's]":            (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:lift_suspension":                (LOGIN, DONE,  DONE,  403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:lift_suspension [B's]":          (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Follow-up and announcements (issue 12, items 6 and 7): the queue, a request's follow-up page and
    # the announcements are A's moderators'; the figures are for whoever reads A's dashboards; anyone
    # signed in chooses the announcements they receive; an unsubscribe link works without signing in,
    # on its own network's host only.
    "mutualaid:follow_up":                      (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:follow_up_request":              (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:follow_up_request [B's]":        (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:follow_up_figures":              (LOGIN, 200,   200,   200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:announcements":                  (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:announcement_edit":              (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:announcement_edit [B's]":        (LOGIN, 404,   404,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    "mutualaid:announcement_preferences":       (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:announcements_unsubscribe":      (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:announcements_unsubscribe [B's]": (404,  404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # "New near me" alerts: any signed-in member; an alert is deleted by its person only (A.donor's);
    # the unsubscribe link works signed out, and another network's link is refused (400).
    "mutualaid:alerts":                         (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:alert_delete":                   (LOGIN, 404,   404,   404,   404,   404,   DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:alert_delete [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:alerts_unsubscribe":             (200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:alerts_unsubscribe [B's]":       (400,   400,   400,   400,   400,   400,   400,   400,   400,   400,   400,   400,   400,   400),
    # Private notes once a post is done: its author (A.donor) and who answered it (A.owner); the
    # moderators read them.
    "mutualaid:private_note":                   (LOGIN, 404,   404,   404,   404,   200,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:private_note [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:private_notes":                  (LOGIN, 200,   200,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   403),
    # Blocking a post's author from its page: anyone signed in who may read it, not its author.
    "mutualaid:block_author":                   (LOGIN, DONE,  DONE,  DONE,  DONE,  DONE,  404,   DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    "mutualaid:block_author [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
}
# fmt: on

# Namespaces whose views are being written in parallel with this matrix: their rows are still to
# be added. Remove a namespace from here as soon as its rows are in MATRIX.
AWAITING_ROWS: set[str] = set()
NOT_THE_PRODUCTS = {"admin"}  # the platform operator’s Django admin, staff only


@dataclass
class World:
    """What the requests point at: A's and B's campaigns, team members and invitations."""

    a_published: Campaign
    a_draft: Campaign
    b_published: Campaign
    b_draft: Campaign
    a_viewer: Membership
    b_viewer: Membership
    a_invitation: Invitation
    b_invitation: Invitation
    a_cafe: Registration  # A.owner's café, approved in a_published, with changes waiting
    a_pending: Registration  # another café of A.owner, waiting for moderation in a_published
    b_cafe: Registration  # B.owner's café, approved in b_published
    a_gift: Gift = field(init=False)  # dora's 5 € to a_cafe, paid in the sandbox
    b_gift: Gift = field(init=False)  # dan's 5 € to b_cafe, paid in the sandbox
    a_posts: dict = field(init=False)  # dora's mutual-aid posts: open, sensitive, pending
    b_post: Post = field(init=False)  # dan's open post in Metz


def invitation(tenant, email):
    return Invitation.objects.create(
        collectivite=tenant,
        email=email,
        role="viewer",
        token_hash=hash_token(f"token-{tenant.slug}"),
        expires_at=timezone.now() + timedelta(days=7),
    )


def token(invitation):
    return f"token-{invitation.collectivite.slug}"


def registration(campaign, side, name, commune="67482", status="approved", **kwargs):
    establishment = EstablishmentFactory(
        collectivite=side.tenant, owner=side.owner, trade_name=name, commune=Commune.objects.get(pk=commune), **kwargs
    )
    return RegistrationFactory(campaign=campaign, establishment=establishment, status=status)


@pytest.fixture
def world(personas):
    a, b = personas.a, personas.b
    for side, siret in ((a, "20005226400013"), (b, "21570463000015")):  # published in the open data
        side.tenant.siret = siret
        side.tenant.save(update_fields=["siret"])
    decided = timezone.localdate() - timedelta(days=40)
    a_published = CampaignFactory(collectivite=a.tenant, slug="cafe-solidaire", decision_date=decided)
    b_published = CampaignFactory(collectivite=b.tenant, slug="metz-solidaire", decision_date=decided)
    world = World(
        a_published=a_published,
        a_draft=CampaignFactory(collectivite=a.tenant, slug="brouillon-a", status="draft", published_at=None),
        b_published=b_published,
        b_draft=CampaignFactory(collectivite=b.tenant, slug="brouillon-b", status="draft", published_at=None),
        a_viewer=Membership.objects.get(collectivite=a.tenant, user=a.viewer),
        b_viewer=Membership.objects.get(collectivite=b.tenant, user=b.viewer),
        a_invitation=invitation(a.tenant, "nouvelle@example.org"),
        b_invitation=invitation(b.tenant, "nouveau@example.org"),
        a_cafe=registration(a_published, a, "Le Café des Arts", pending_changes={"description": "Nouveau texte"}),
        a_pending=registration(a_published, a, "Le Bar du Port", status="pending"),
        b_cafe=registration(b_published, b, "Café de Metz", commune="57463", pending_changes={"phone": "03"}),
    )
    world.a_gift = give(world.a_cafe, email=a.donor.email)
    world.b_gift = give(world.b_cafe, email=b.donor.email)
    mutual_aid(world, a, b)
    return world


def mutual_aid(w: World, a, b) -> None:
    for side in (a, b):
        mutualaid_actions.configure(
            collectivite=side.tenant, actor=side.admin, enabled=True, pre_moderation="sensitive"
        )
    sensitive = mutualaid_write(a.tenant, a.donor, slug="garde-enfants", title="Garde mercredi")
    mutualaid_actions.decide_post(post=sensitive, moderator=a.moderator, approve=True)
    w.a_posts = {"open": mutualaid_write(a.tenant, a.donor), "[sensitive]": sensitive}
    mutualaid_actions.configure(collectivite=a.tenant, actor=a.admin, pre_moderation="everything")
    w.a_posts["[pending]"] = mutualaid_write(a.tenant, a.donor, slug="demarches", title="Papiers")
    w.b_post = mutualaid_write(b.tenant, b.donor, commune="57463")


def neighbourhoods_of(w: World) -> dict:
    """A neighbourhood in each network, made the first time a row asks."""
    if not hasattr(w, "neighbourhoods"):
        w.neighbourhoods = {
            "A": Neighbourhood.objects.create(
                collectivite=w.a_posts["open"].collectivite,
                commune_id="67482",
                name="Krutenau",
                latitude=48.58,
                longitude=7.76,
            ),
            "B": Neighbourhood.objects.create(
                collectivite=w.b_post.collectivite, commune_id="57463", name="Sablon", latitude=49.10, longitude=6.19
            ),
        }
    return w.neighbourhoods


def conversations_of(w: World) -> dict:
    """What the conversation rows point at, made the first time a row asks: A.owner answered
    A.donor's open post, B.owner B.donor's."""
    if not hasattr(w, "conversations"):
        w.conversations = {
            side: mutualaid_conversations.start(post=post, person=cafe.establishment.owner, text="Je peux aider.")
            for side, post, cafe in (("A", w.a_posts["open"], w.a_cafe), ("B", w.b_post, w.b_cafe))
        }
    return w.conversations


def conversation_request(name: str, whose: str, w: World) -> tuple[str, str, dict]:
    if name == "mutualaid:conversations":
        return ("get", reverse(name), {})
    if name == "mutualaid:conversation_start":
        post = w.b_post if whose == "[B's]" else w.a_posts.get(whose, w.a_posts["open"])
        conversations_of(w)
        return ("get", reverse(name, args=[post.pk]), {})
    conversation = conversations_of(w)["B" if whose == "[B's]" else "A"]
    method = "get" if name == "mutualaid:conversation" else "post"
    return (method, reverse(name, args=[conversation.pk]), {})


def safety_of(w: World) -> dict:
    """What the safety rows point at, made the first time a row asks: in each network, otto
    reported its donor's post, the café owner who answered it blocked otto, and otto is suspended."""
    if not hasattr(w, "safety"):
        conversations_of(w)
        w.safety = {}
        outsider = get_user_model().objects.get(email="otto@example.org")
        for side, conversation in w.conversations.items():
            post, tenant = conversation.post, conversation.post.collectivite
            w.safety[side] = {
                "report": mutualaid_safety.report(collectivite=tenant, reporter=outsider, post=post, reason="spam"),
                "block": mutualaid_safety.block(collectivite=tenant, blocker=conversation.person, blocked=outsider),
                "suspension": MutualAidSuspension.objects.create(collectivite=tenant, user=outsider),
            }
    return w.safety


def safety_request(name: str, whose: str, w: World) -> tuple[str, str, dict]:
    side = "B" if whose == "[B's]" else "A"
    made = safety_of(w)[side]
    conversation = w.conversations[side]
    post = conversation.post
    paths = {
        "mutualaid:report_post": ("get", [post.pk]),
        "mutualaid:report_message": ("get", [conversation.messages.first().pk]),
        "mutualaid:report_person": ("get", [conversation.pk]),
        "mutualaid:blocks": ("get", []),
        "mutualaid:block": ("post", [conversation.pk]),
        "mutualaid:unblock": ("post", [made["block"].pk]),
        "mutualaid:reports": ("get", []),
        "mutualaid:report_detail": ("get", [made["report"].pk]),
        "mutualaid:lift_suspension": ("post", [made["suspension"].pk]),
    }
    method, args = paths[name]
    return (method, reverse(name, args=args), {})


SAFETY_ROWS = {
    "mutualaid:report_post",
    "mutualaid:report_message",
    "mutualaid:report_person",
    "mutualaid:blocks",
    "mutualaid:block",
    "mutualaid:unblock",
    "mutualaid:reports",
    "mutualaid:report_detail",
    "mutualaid:lift_suspension",
}


def follow_up_request(name: str, whose: str, w: World) -> tuple[str, str, dict]:
    """The follow-up and announcement rows: A's (or B's) open request, announcement, and the
    unsubscribe link of its donor, made the first time a row asks."""
    side = "B" if whose == "[B's]" else "A"
    if not hasattr(w, "announcements"):
        w.announcements = {}
        for key, post in (("A", w.a_posts["open"]), ("B", w.b_post)):
            tenant = post.collectivite
            preference = mutualaid_announcements.set_preference(collectivite=tenant, user=post.author, choice="all")
            w.announcements[key] = (
                Announcement.objects.create(collectivite=tenant, title="Pharmacies de garde", text="Dimanche."),
                mutualaid_announcements.unsubscribe_token(preference),
            )
    announcement, token = w.announcements[side]
    post = w.b_post if side == "B" else w.a_posts["open"]
    args = {
        "mutualaid:follow_up_request": [post.pk],
        "mutualaid:announcement_edit": [announcement.pk],
        "mutualaid:announcements_unsubscribe": [token],
    }.get(name, [])
    return ("get", reverse(name, args=args), {})


FOLLOW_UP_ROWS = {
    "mutualaid:follow_up",
    "mutualaid:follow_up_request",
    "mutualaid:follow_up_figures",
    "mutualaid:announcements",
    "mutualaid:announcement_edit",
    "mutualaid:announcement_preferences",
    "mutualaid:announcements_unsubscribe",
}


def alerts_of(w: World) -> dict:
    """An alert of each network's donor, made the first time a row asks."""
    if not hasattr(w, "alerts"):
        w.alerts = {
            side: Alert.objects.create(
                collectivite=post.collectivite, user=post.author, commune_id=post.commune_id, distance_km=5
            )
            for side, post in (("A", w.a_posts["open"]), ("B", w.b_post))
        }
    return w.alerts


def member_request(name: str, whose: str, w: World) -> tuple[str, str, dict]:
    """Alerts, private notes and blocking from a post's page."""
    side = "B" if whose == "[B's]" else "A"
    if name == "mutualaid:alert_delete":
        return ("post", reverse(name, args=[alerts_of(w)[side].pk]), {})
    if name == "mutualaid:alerts_unsubscribe":
        return ("get", reverse(name, args=[mutualaid_alerts.unsubscribe_token(alerts_of(w)[side])]), {})
    post = conversations_of(w)[side].post
    if name == "mutualaid:private_note":
        return ("get", reverse(name, args=[post.pk]), {})
    return ("post", reverse(name, args=[post.pk]), {})


MEMBER_ROWS = {
    "mutualaid:alert_delete",
    "mutualaid:alerts_unsubscribe",
    "mutualaid:private_note",
    "mutualaid:block_author",
}


def mutualaid_request(name: str, whose: str, w: World) -> tuple[str, str, dict]:
    if name in MEMBER_ROWS:
        return member_request(name, whose, w)
    if name in FOLLOW_UP_ROWS:
        return follow_up_request(name, whose, w)
    if name in SAFETY_ROWS:
        return safety_request(name, whose, w)
    if name.startswith("mutualaid:conversation"):
        return conversation_request(name, whose, w)
    post = w.b_post if whose == "[B's]" else w.a_posts.get(whose, w.a_posts["open"])
    if name == "mutualaid:post":
        return ("get", reverse(name, args=[post.pk]), {})
    if name == "mutualaid:move":
        return ("post", reverse(name, args=[post.pk]), {"action": "close"})
    if name == "mutualaid:moderate_post":
        pending = w.b_post if whose == "[B's]" else w.a_posts["[pending]"]
        return ("post", reverse(name, args=[pending.pk]), {"decision": "approve"})
    if name == "mutualaid:category_edit":
        return ("get", reverse(name, args=[post.category.pk]), {})
    if name == "mutualaid:neighbourhood_edit":
        return ("get", reverse(name, args=[neighbourhoods_of(w)["B" if whose == "[B's]" else "A"].pk]), {})
    return ("get", reverse(name), {})


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Fourteen people start a gift with the same address in one row: the matrix asks who may,
    tests/donations/test_gift_rate_limits.py how often."""
    settings.RATELIMIT_ENABLE = False
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = False


def request_for(row: str, w: World) -> tuple[str, str, dict]:
    """(method, path, data) of each row: GET parameters, a POST form, or a JSON body (a str)."""
    name, _, whose = row.partition(" ")
    theirs = whose == "[B's]"
    campaign = {"[draft]": w.a_draft, "[B's]": w.b_published}.get(whose, w.a_published)
    draft = w.b_draft if theirs else w.a_draft
    membership = w.b_viewer if theirs else w.a_viewer
    invite = w.b_invitation if theirs else w.a_invitation
    cafe = {"[B's]": w.b_cafe, "[pending]": w.a_pending}.get(whose, w.a_cafe)
    establishment = cafe.establishment
    to_moderate = w.b_cafe if theirs else w.a_pending
    gift = w.b_gift if theirs else w.a_gift
    gift_token = "0" * 32 if whose == "[wrong token]" else gift.token
    if name.startswith("vouchers:"):
        return voucher_request(name, whose, w)
    if name.startswith("payouts:"):
        return payout_request(name, whose, w)
    if name.startswith("exports:"):
        return export_request(name, whose, w)
    if name.startswith("reporting:"):
        return reporting_request(name, campaign)
    if name.startswith("opendata:"):
        return opendata_request(name, campaign)
    if name.startswith("privacy:"):
        return privacy_request(name)
    if name.startswith("mutualaid:"):
        return mutualaid_request(name, whose, w)
    special = {
        "set_language": lambda: ("post", reverse(name), {"language": "fr", "next": "/"}),
        "choose_language": lambda: ("get", reverse(name, args=["en"]) + "?next=/", {}),
        "csp_report": lambda: (
            "post",
            reverse(name),
            json.dumps({"csp-report": {"document-uri": "https://a.localhost/", "blocked-uri": "inline"}}),
        ),
        "campaigns:public_detail": lambda: ("get", reverse(name, args=[campaign.slug]), {}),
        "campaigns:manage_detail": lambda: ("get", reverse(name, args=[campaign.slug]), {}),
        "campaigns:manage_edit": lambda: ("get", reverse(name, args=[campaign.slug]), {}),
        "campaigns:manage_publish": lambda: ("post", reverse(name, args=[draft.slug]), {}),
        "campaigns:manage_close": lambda: ("post", reverse(name, args=[campaign.slug]), {"confirmed": "True"}),
        "campaigns:manage_reopen": lambda: (
            "post",
            reverse(name, args=[closed_campaign(w, "B" if theirs else "A").slug]),
            {"confirmed": "True"},
        ),
        "accounts:change_role": lambda: ("post", reverse(name, args=[membership.pk]), {"role": "moderator"}),
        "accounts:revoke": lambda: ("post", reverse(name, args=[membership.pk]), {}),
        "accounts:cancel_invitation": lambda: ("post", reverse(name, args=[invite.pk]), {}),
        "accounts:accept_invitation": lambda: ("get", reverse(name, args=[token(invite)]), {}),
        "beneficiaries:directory": lambda: ("get", reverse(name, args=[campaign.slug]), {}),
        "beneficiaries:map": lambda: ("get", reverse(name, args=[campaign.slug]), {}),
        "beneficiaries:markers": lambda: ("get", reverse(name, args=[campaign.slug]), {}),
        "beneficiaries:establishment": lambda: (
            "get",
            reverse(name, args=[cafe.campaign.slug, establishment.pk, slugify(establishment.trade_name)]),
            {},
        ),
        "beneficiaries:establishment_short": lambda: (
            "get",
            reverse(name, args=[cafe.campaign.slug, establishment.pk]),
            {},
        ),
        "beneficiaries:commune_suggestions": lambda: ("get", reverse(name), {"q": "67000"}),
        "beneficiaries:register": lambda: ("get", reverse(name, args=[campaign.slug]), {}),
        "beneficiaries:edit": lambda: ("get", reverse(name, args=[establishment.pk]), {}),
        "beneficiaries:join": lambda: ("get", reverse(name, args=[establishment.pk, w.a_published.slug]), {}),
        "beneficiaries:owner_registration": lambda: ("get", reverse(name, args=[cafe.pk]), {}),
        "beneficiaries:withdraw": lambda: ("post", reverse(name, args=[cafe.pk]), {}),
        "beneficiaries:moderation_detail": lambda: ("get", reverse(name, args=[to_moderate.pk]), {}),
        "beneficiaries:payouts_hold": lambda: ("post", reverse(name, args=[cafe.pk]), {"reason": "Enquête"}),
        "beneficiaries:changes_detail": lambda: ("get", reverse(name, args=[establishment.pk]), {}),
        "donations:start": lambda: (
            "post",
            reverse(name, args=[campaign.slug, establishment.pk]),
            {"amount_choice": "500", "email": "eve@example.org"},
        ),
        "donations:gift": lambda: ("get", reverse(name, args=[gift.pk]), {"t": gift_token}),
        "donations:cancel": lambda: ("post", reverse(name, args=[gift.pk]), {"t": gift_token}),
        "donations:finance_gift": lambda: ("get", reverse(name, args=[gift.pk]), {}),
        "donations:owner_donors": lambda: ("get", reverse(name, args=[cafe.pk]), {}),
        "donations:owner_donors_csv": lambda: ("get", reverse(name, args=[cafe.pk]), {}),
        "payments:sandbox_checkout": lambda: ("get", reverse(name, args=[gift.checkout_id]), {}),
        "payments:connect_account": lambda: ("get", reverse(name, args=[establishment.pk]), {}),
        "payments:notifications": lambda: ("post", reverse(name, args=["sandbox"]), {"id": "evt_unsigned"}),
        "api:campaign_detail": lambda: ("get", reverse(name, kwargs={"slug": campaign.slug}), {}),
        "api:beneficiaries": lambda: ("get", reverse(name, kwargs={"slug": campaign.slug}), {}),
        "api:create_gift": lambda: (
            "post",
            reverse(name, kwargs={"slug": campaign.slug, "beneficiary_id": establishment.pk}),
            json.dumps({"amount_cents": 500, "email": "eve@example.org"}),
        ),
        "api:gift_detail": lambda: ("get", reverse(name, kwargs={"gift_id": gift.pk}), {"token": gift_token}),
    }
    return special[name]() if name in special else ("get", reverse(name), {})


def closed_campaign(w: World, side: str) -> Campaign:
    """A's (or B's) closed campaign, still before its closing date, made the first time a row asks."""
    if not hasattr(w, "closed"):
        w.closed = {
            key: CampaignFactory(
                collectivite=published.collectivite,
                slug=f"fermee-{key.lower()}",
                status="closed",
                closed_at=timezone.now(),
            )
            for key, published in (("A", w.a_published), ("B", w.b_published))
        }
    return w.closed[side]


def vouchers_of(w: World) -> dict:
    """What the vouchers rows point at, made the first time a row asks: A.owner's and B.owner's
    cafés each have an approved offer, a 12 € voucher from a paid 10 € gift, a redemption of 1 €
    made at the counter a moment ago, and a new offer waiting for moderation."""
    if not hasattr(w, "vouchers"):
        w.vouchers = {}
        for side, cafe in (("A", w.a_cafe), ("B", w.b_cafe)):
            approved_offer(cafe)
            voucher = voucher_for(cafe, 1000, email=f"voucher@{side.lower()}.example")
            redemption = redeem(voucher, cafe.establishment.owner, 100)
            w.vouchers[side] = SimpleNamespace(voucher=voucher, redemption=redemption, pending=propose(cafe))
    return w.vouchers


def voucher_request(name: str, whose: str, w: World) -> tuple[str, str, dict]:
    theirs = whose == "[B's]"
    cafe = w.b_cafe if theirs else w.a_cafe
    made = vouchers_of(w)["B" if theirs else "A"]
    voucher, establishment = made.voucher, cafe.establishment_id
    payload = codes.sign(voucher.code)
    if whose == "[forged]":
        payload = payload[:-1] + ("0" if payload[-1] != "0" else "1")
    token = {} if whose == "[no token]" else {"t": voucher.token}
    return {
        "vouchers:counter": lambda: ("get", reverse(name, args=[establishment]), {}),
        "vouchers:counter_voucher": lambda: ("get", reverse(name, args=[establishment, voucher.pk]), {}),
        "vouchers:undo": lambda: ("post", reverse(name, args=[establishment, made.redemption.pk]), {}),
        "vouchers:staff": lambda: ("get", reverse(name, args=[establishment]), {}),
        "vouchers:accept_staff_invitation": lambda: ("get", reverse(name, args=[staff_invitation(cafe)]), {}),
        "vouchers:offer": lambda: ("get", reverse(name, args=[cafe.pk]), {}),
        "vouchers:scan": lambda: ("get", reverse(name, args=[payload]), {}),
        "vouchers:voucher": lambda: ("get", reverse(name, args=[voucher.pk]), token),
        "vouchers:voucher_pdf": lambda: ("get", reverse(name, args=[voucher.pk]), token),
        "vouchers:offers_queue": lambda: ("get", reverse(name), {}),
        "vouchers:offer_decision": lambda: ("get", reverse(name, args=[made.pending.pk]), {}),
        "vouchers:outstanding": lambda: ("get", reverse(name), {}),
    }[name]()


def staff_invitation(cafe) -> str:
    """The token of an invitation to the counter staff of `cafe`, sent by its owner."""
    establishment = cafe.establishment
    StaffInvitation.objects.get_or_create(
        token_hash=hash_token(f"staff-{establishment.pk}"),
        defaults={
            "establishment": establishment,
            "email": "serveur@example.org",
            "invited_by": establishment.owner,
            "expires_at": timezone.now() + timedelta(days=7),
        },
    )
    return f"staff-{establishment.pk}"


def payouts_of(w: World) -> dict:
    """What the payouts rows point at, made the first time a row asks: for A and B, the account
    payments leave from; a batch of the match of the world's gift, prepared by the finance officer
    and waiting for approval; another gift's match in a second batch, approved by the admin and
    sent to the bank; and a bank statement imported."""
    if not hasattr(w, "payouts"):
        w.payouts = {}
        for side, cafe in (("A", w.a_cafe), ("B", w.b_cafe)):
            tenant = cafe.campaign.collectivite
            finance = Membership.objects.get(collectivite=tenant, role="finance").user
            admin = Membership.objects.get(collectivite=tenant, role="admin").user
            PayoutSettings.objects.create(
                collectivite=tenant,
                debtor_name=tenant.name.upper(),
                iban="FR7630001007941234567890185",
                bic="BDFEFRPPCCT",
            )
            waiting = payout_actions.prepare_batch(campaign=cafe.campaign, channel="matching", actor=finance)
            give(cafe, 700, email=f"second@{side.lower()}.example")
            sent = payout_actions.prepare_batch(campaign=cafe.campaign, channel="matching", actor=finance)
            payout_actions.approve_batch(batch=sent, actor=admin, require_two_factor=False)
            payout_actions.mark_sent(batch=sent, actor=finance)
            imported = StatementImport.objects.create(
                collectivite=tenant, file_name="releve.xml", sha256=side * 64, imported_by=finance
            )
            w.payouts[side] = SimpleNamespace(waiting=waiting, sent=sent, line=sent.lines.get(), imported=imported)
    return w.payouts


def payout_request(name: str, whose: str, w: World) -> tuple[str, str, dict]:
    theirs = whose == "[B's]"
    made = payouts_of(w)["B" if theirs else "A"]
    cafe = w.b_cafe if theirs else w.a_cafe
    confirmed = {"confirmed": "True"}
    return {
        "payouts:home": lambda: ("get", reverse(name), {}),
        "payouts:batch": lambda: ("get", reverse(name, args=[made.waiting.pk]), {}),
        "payouts:approve": lambda: ("post", reverse(name, args=[made.waiting.pk]), confirmed),
        "payouts:cancel": lambda: ("post", reverse(name, args=[made.waiting.pk]), confirmed),
        "payouts:mark_sent": lambda: ("post", reverse(name, args=[made.sent.pk]), {}),  # asks to confirm
        "payouts:mark_paid": lambda: ("post", reverse(name, args=[made.sent.pk]), confirmed),
        "payouts:mark_failed": lambda: (
            "post",
            reverse(name, args=[made.sent.pk, made.line.pk]),
            {"reason": "Compte clos"},
        ),
        "payouts:document": lambda: ("get", reverse(name, args=[made.sent.pk, "csv"]), {}),
        "payouts:statements": lambda: ("get", reverse(name), {}),
        "payouts:statement": lambda: ("get", reverse(name, args=[made.imported.pk]), {}),
        "payouts:account": lambda: ("get", reverse(name), {}),
        "payouts:owner_payouts": lambda: ("get", reverse(name, args=[cafe.pk]), {}),
        "payouts:owner_statement": lambda: ("get", reverse(name, args=[cafe.pk]), {}),
    }[name]()


def reporting_request(name: str, campaign) -> tuple[str, str, dict]:
    args = {
        "reporting:summary": [],
        "reporting:summary_chart": ["days"],
        "reporting:summary_download": ["csv"],
        "reporting:dashboard": [campaign.slug],
        "reporting:dashboard_chart": [campaign.slug, "days"],
        "reporting:dashboard_download": [campaign.slug, "xlsx"],
    }[name]
    return ("get", reverse(name, args=args), {})


def exports_of(w: World) -> dict:
    """What the exports rows point at, made the first time a row asks: for A and B, the figures
    per day their viewer asked for, built."""
    if not hasattr(w, "exports"):
        w.exports = {}
        for side, campaign in (("A", w.a_published), ("B", w.b_published)):
            viewer = (w.a_viewer if side == "A" else w.b_viewer).user
            with TestCase.captureOnCommitCallbacks(execute=True):
                w.exports[side] = export_actions.request_export(
                    collectivite=campaign.collectivite,
                    actor=viewer,
                    capabilities=capabilities_of("viewer"),
                    kind="days",
                    fmt="csv",
                )
    return w.exports


def opendata_request(name: str, campaign) -> tuple[str, str, dict]:
    if name in ("opendata:datasets", "opendata:catalogue"):
        return ("get", reverse(name), {})
    return ("get", reverse(name, args=[campaign.slug]), {})


def privacy_request(name: str) -> tuple[str, str, dict]:
    """The space of whoever asks: a link made for A.donor’s address opens it for anyone."""
    return {
        "privacy:ask": lambda: ("get", reverse(name), {}),
        "privacy:open": lambda: ("get", reverse(name, args=[privacy_identity.make_token(DONOR_A)]), {}),
        "privacy:space": lambda: ("get", reverse(name), {}),
        "privacy:download": lambda: ("get", reverse(name), {}),
        "privacy:erase": lambda: ("get", reverse(name), {}),
        "privacy:leave": lambda: ("post", reverse(name), {}),
    }[name]()


def export_request(name: str, whose: str, w: World) -> tuple[str, str, dict]:
    theirs = whose == "[B's]"
    cafe = w.b_cafe if theirs else w.a_cafe
    if name in ("exports:status", "exports:download"):
        return ("get", reverse(name, args=[exports_of(w)["B" if theirs else "A"].pk]), {})
    return {
        "exports:home": lambda: ("get", reverse(name), {}),
        "exports:owner_dashboard": lambda: ("get", reverse(name, args=[cafe.pk]), {}),
        "exports:owner_chart": lambda: ("get", reverse(name, args=[cafe.pk]), {}),
        "exports:owner_export": lambda: ("get", reverse(name, args=[cafe.pk, "xlsx"]), {}),
    }[name]()


def users(personas) -> dict:
    a, b = personas.a, personas.b
    return {
        "anon": None,
        **{f"A.{role}": getattr(a, role) for role in ("admin", "moderator", "finance", "viewer", "owner", "donor")},
        **{f"B.{role}": getattr(b, role) for role in ("admin", "moderator", "finance", "viewer", "owner", "donor")},
        "outsider": personas.outsider,
    }


def outcome(response):
    if response.status_code != 302:
        return response.status_code
    if response["Location"].startswith(reverse("account_login") + "?next="):
        return LOGIN
    refused = any(m.level >= message_levels.ERROR for m in get_messages(response.wsgi_request))
    return "302 with an error message" if refused else DONE


def ask(client_for, side, user, method, path, data):
    """The outcome of one request, with every change it made rolled back."""
    with transaction.atomic():
        as_json = {"content_type": "application/json"} if isinstance(data, str) else {}
        response = getattr(client_for(side, user), method)(path, data, **as_json)
        result = outcome(response)
        if result == LOGIN:
            assert unquote(response["Location"]).endswith("?next=" + path), response["Location"]
        transaction.set_rollback(True)
    return result


# The matrix covers the product ------------------------------------------------------------------


def named_views(patterns=None, namespace=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from named_views(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name and not entry.callback.__module__.startswith("allauth."):
            yield namespace, f"{namespace}:{entry.name}" if namespace else entry.name


def product_views() -> set[str]:
    return {name for namespace, name in named_views() if namespace not in AWAITING_ROWS | NOT_THE_PRODUCTS}


def test_every_view_of_the_product_has_a_row():
    rows = {row.partition(" ")[0] for row in MATRIX}
    assert sorted(product_views() - rows) == [], "views without a row in MATRIX"
    assert sorted(rows - product_views()) == [], "rows for views that do not exist"


def test_every_namespace_is_in_the_matrix():
    namespaces = {namespace for namespace, _ in named_views()} - AWAITING_ROWS - NOT_THE_PRODUCTS
    assert namespaces == {
        None,
        "core",
        "tenants",
        "accounts",
        "campaigns",
        "beneficiaries",
        "audit",
        "donations",
        "payments",
        "api",
        "vouchers",
        "payouts",
        "exports",
        "reporting",
        "opendata",
        "privacy",
        "mutualaid",
    }


def test_matrix_rows_have_a_cell_per_persona():
    assert {row: len(cells) for row, cells in MATRIX.items() if len(cells) != len(PERSONAS)} == {}


# The policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", MATRIX)
def test_policy(row, personas, client_for, world):
    method, path, data = request_for(row, world)
    expected = dict(zip(PERSONAS, MATRIX[row], strict=True))
    actual = {
        persona: ask(client_for, personas.a, user, method, path, data) for persona, user in users(personas).items()
    }
    wrong = {persona: f"expected {expected[persona]}, got {actual[persona]}" for persona in PERSONAS}
    assert actual == expected, {p: w for p, w in wrong.items() if actual[p] != expected[p]}


def back_office_rows(world):
    """The rows of the back office (/gestion/…), for team members only."""
    return [row for row in MATRIX if MATRIX[row][0] == LOGIN and request_for(row, world)[1].startswith("/gestion/")]


def test_back_office_rows_are_found():
    assert "beneficiaries:moderation_queue" in {row for row in MATRIX if MATRIX[row][0] == LOGIN}


@pytest.mark.parametrize("role", ["admin", "moderator", "finance", "viewer"])
def test_b_team_is_refused_on_every_back_office_url_of_a(role, personas, client_for, world):
    member_of_b = getattr(personas.b, role)
    outcomes = {}
    rows = back_office_rows(world)
    assert "beneficiaries:moderation_detail" in rows and "campaigns:manage_home" in rows
    for row in rows:
        method, path, data = request_for(row, world)
        outcomes[row] = ask(client_for, personas.a, member_of_b, method, path, data)
    assert {row: result for row, result in outcomes.items() if result not in (403, 404)} == {}


def test_objects_of_a_are_not_reachable_from_b_host(personas, client_for, world):
    bob = client_for(personas.b, personas.b.admin)
    a_campaign, a_draft = world.a_published, world.a_draft
    assert bob.get(reverse("campaigns:public_detail", args=[a_campaign.slug])).status_code == 404
    assert client_for(personas.b).get(reverse("campaigns:public_detail", args=[a_campaign.slug])).status_code == 404
    assert bob.get(reverse("campaigns:manage_detail", args=[a_campaign.slug])).status_code == 404
    assert bob.get(reverse("campaigns:manage_edit", args=[a_campaign.slug])).status_code == 404
    assert bob.post(reverse("campaigns:manage_edit", args=[a_campaign.slug]), {"title": "x"}).status_code == 404
    assert bob.post(reverse("campaigns:manage_publish", args=[a_draft.slug])).status_code == 404
    assert bob.post(reverse("campaigns:manage_close", args=[a_campaign.slug])).status_code == 404
    assert bob.post(reverse("accounts:change_role", args=[world.a_viewer.pk]), {"role": "admin"}).status_code == 404
    assert bob.post(reverse("accounts:revoke", args=[world.a_viewer.pk])).status_code == 404
    assert bob.post(reverse("accounts:cancel_invitation", args=[world.a_invitation.pk])).status_code == 404
    assert bob.get(reverse("accounts:accept_invitation", args=[token(world.a_invitation)])).status_code == 404
    # Nothing of A changed.
    assert Campaign.objects.get(pk=a_draft.pk).status == "draft"
    assert Campaign.objects.get(pk=a_campaign.pk).status == "published"
    assert Membership.objects.get(pk=world.a_viewer.pk).role == "viewer"
    assert Invitation.objects.get(pk=world.a_invitation.pk).is_pending


def test_lists_of_b_show_nothing_of_a(personas, client_for, world):
    bob = client_for(personas.b, personas.b.admin)
    for path in (reverse("core:home"), reverse("campaigns:manage_home"), reverse("accounts:team")):
        page = bob.get(path).content.decode()
        assert "cafe-solidaire" not in page and "brouillon-a" not in page, path
        assert personas.a.viewer.email not in page and "nouvelle@example.org" not in page, path


def test_post_only_actions_refuse_get_for_everyone(personas, client_for, world):
    for row in MATRIX:
        method, path, _ = request_for(row, world)
        if method == "post" and row != "set_language":
            for user in (None, personas.a.admin):
                assert client_for(personas.a, user).get(path).status_code == 405, (row, user)


def test_establishments_of_a_are_not_reachable_from_b_host(personas, client_for, world):
    """B's people and B's host know nothing of A's beneficiaries, even with the right numbers."""
    cafe, pending = world.a_cafe, world.a_pending
    establishment = cafe.establishment
    slug = slugify(establishment.trade_name)
    olga = client_for(personas.b, personas.b.owner)
    mia = client_for(personas.b, personas.b.moderator)
    oscar_on_b = client_for(personas.b, personas.a.owner)
    public_paths = [
        reverse("beneficiaries:directory", args=[cafe.campaign.slug]),
        reverse("beneficiaries:map", args=[cafe.campaign.slug]),
        reverse("beneficiaries:markers", args=[cafe.campaign.slug]),
        reverse("beneficiaries:establishment", args=[cafe.campaign.slug, establishment.pk, slug]),
    ]
    for path in public_paths:
        assert client_for(personas.b).get(path).status_code == 404, path
    for client in (olga, oscar_on_b):
        assert client.get(reverse("beneficiaries:edit", args=[establishment.pk])).status_code == 404
        assert (
            client.post(reverse("beneficiaries:edit", args=[establishment.pk]), {"trade_name": "x"}).status_code == 404
        )
        assert client.post(reverse("beneficiaries:withdraw", args=[cafe.pk])).status_code == 404
        assert client.get(reverse("beneficiaries:owner_registration", args=[cafe.pk])).status_code == 404
    assert (
        mia.post(reverse("beneficiaries:moderation_detail", args=[pending.pk]), {"decision": "approve"}).status_code
        == 404
    )
    assert (
        mia.post(reverse("beneficiaries:changes_detail", args=[establishment.pk]), {"decision": "approve"}).status_code
        == 404
    )
    # Nothing of A changed.
    assert Registration.objects.get(pk=cafe.pk).status == "approved"
    assert Registration.objects.get(pk=pending.pk).status == "pending"
    assert Establishment.objects.get(pk=establishment.pk).pending_changes == {"description": "Nouveau texte"}
    assert Establishment.objects.get(pk=establishment.pk).trade_name == "Le Café des Arts"


def test_moderation_lists_of_b_show_nothing_of_a(personas, client_for, world):
    mia = client_for(personas.b, personas.b.moderator)
    for path in (reverse("beneficiaries:moderation_queue"), reverse("beneficiaries:changes_queue")):
        page = mia.get(path, {"status": "all"}).content.decode()
        assert "Le Café des Arts" not in page and "Le Bar du Port" not in page, path
    assert "Café de Metz" in mia.get(reverse("beneficiaries:changes_queue")).content.decode()
