import pytest
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from core.models import Person
from tests.factories import PASSWORD, PersonFactory, UserFactory, enable_totp

LOGIN = "/accounts/login/"


def sign_in(client, login: str, password: str):
    return client.post(LOGIN, {"login": login, "password": password})


def current_totp_code(user) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    secret = decrypt(user.authenticator_set.get(type=Authenticator.Type.TOTP).data["secret"])
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


def can_open_totp_setup(client) -> bool:
    """allauth asks for the password again before two-factor set-up; give it, then open it."""
    setup = reverse("mfa_activate_totp")
    asked = client.get(setup)
    assert asked.status_code == 302 and asked.url.startswith("/accounts/reauthenticate/")
    client.post(asked.url, {"password": PASSWORD})
    return client.get(setup).status_code == 200


def test_sign_in_with_email_and_password(client, org):
    response = sign_in(client, org.engineer.user.email, PASSWORD)

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_six_wrong_passwords_are_refused_with_a_clear_message(client, org):
    email = org.engineer.user.email
    for _ in range(5):
        response = sign_in(client, email, "wrong-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()

    sixth = sign_in(client, email, "wrong-password")
    even_the_right_one = sign_in(client, email, PASSWORD)

    assert "Too many failed login attempts" in sixth.content.decode()
    assert "Too many failed login attempts" in even_the_right_one.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_up_is_limited_to_allowed_domains(client, db, settings):
    settings.SIGNUP_POLICY = "domains"
    settings.SIGNUP_ALLOWED_DOMAINS = ["example.com"]
    form = {"password1": "a-good-long-password-1", "password2": "a-good-long-password-1"}

    refused = client.post("/accounts/signup/", {"email": "eve@elsewhere.org", **form})
    accepted = client.post("/accounts/signup/", {"email": "new@example.com", **form})

    assert "open to addresses at these domains only: example.com" in refused.content.decode()
    assert not get_user_model().objects.filter(email="eve@elsewhere.org").exists()
    assert accepted.status_code == 302
    assert Person.objects.filter(user__email="new@example.com").exists()


def test_invitation_only_closes_sign_up(client, db, settings):
    settings.SIGNUP_POLICY = "invite"

    response = client.get("/accounts/signup/")

    assert "Sign Up Closed" in response.content.decode()


def test_password_reset_sends_an_email(client, org):
    response = client.post("/accounts/password/reset/", {"email": org.engineer.user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_staff_without_two_factor_must_set_it_up_first(client, db):
    admin = PersonFactory(user__is_staff=True).user
    sign_in(client, admin.email, PASSWORD)

    page = client.get("/")
    admin_site = client.get("/admin/")
    api = client.get("/api/people/")

    assert page.status_code == 302 and page.url == reverse("mfa_activate_totp")
    assert admin_site.status_code == 302 and admin_site.url == reverse("mfa_activate_totp")
    assert api.status_code == 403
    assert can_open_totp_setup(client)


def test_staff_with_two_factor_reach_the_admin(client, org):
    client.force_login(org.staff.user)

    assert client.get("/admin/").status_code == 200


def test_two_factor_is_available_to_everyone(client, org):
    sign_in(client, org.engineer.user.email, PASSWORD)

    assert can_open_totp_setup(client)
    assert client.get("/").status_code == 200  # but not required for engineers


class TestApiToken:
    url = "/api/auth/token/"

    def test_username_and_password_give_a_token_that_works(self, client, org):
        response = client.post(self.url, {"username": "engineer", "password": PASSWORD})
        token = response.json()["token"]

        me = client.get("/api/people/me/", HTTP_AUTHORIZATION=f"Token {token}")

        assert response.status_code == 200
        assert me.json()["username"] == "engineer"

    def test_wrong_password_is_refused(self, client, org):
        response = client.post(self.url, {"username": "engineer", "password": "nope"})

        assert response.status_code == 400
        assert "Unable to sign in" in str(response.json())

    def test_accounts_with_two_factor_need_a_code(self, client, org):
        enable_totp(org.engineer.user)
        form = {"username": "engineer", "password": PASSWORD}

        without = client.post(self.url, form)
        wrong = client.post(self.url, {**form, "otp": "000000"})
        right = client.post(self.url, {**form, "otp": current_totp_code(org.engineer.user)})

        assert without.status_code == 400 and "otp" in without.json()
        assert wrong.status_code == 400
        assert right.status_code == 200 and right.json()["token"]

    def test_staff_without_two_factor_get_no_token(self, client, db):
        PersonFactory(user__username="boss", user__is_staff=True)

        response = client.post(self.url, {"username": "boss", "password": PASSWORD})

        assert response.status_code == 400
        assert "two-factor" in str(response.json())

    def test_token_requests_are_throttled(self, client, db, settings):
        UserFactory(username="target")
        responses = [
            client.post(self.url, {"username": "target", "password": "guess"}) for _ in range(11)
        ]

        assert responses[-1].status_code == 429


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_boolean_settings_refuse_anything_but_true_or_false(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from core.settings import env_bool

    monkeypatch.setenv("SOME_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)
