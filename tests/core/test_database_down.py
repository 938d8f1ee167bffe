"""Issue 15, faults: while the database is unreachable, no page is the generic 500. A person gets
a 503 page that says what is wrong, the API a 503 with {"detail": …}, both with Retry-After, and
everything works again once the database is back.

The outage is real: this process's connection goes through a TCP proxy (tests/faults/proxy.py)
that resets every open connection and refuses new ones while it lasts. The test client is told
not to re-raise what the server logs, so that it answers as a real server would.
"""

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.middleware import DATABASE_DOWN_MESSAGE
from tests.conftest import skip_or_fail
from tests.faults.proxy import TcpProxy

pytestmark = pytest.mark.usefixtures("transactional_db")

SAYS_WHAT_IS_WRONG = "Cultivate cannot reach its database just now"
GENERIC_500 = "Something went wrong"


@pytest.fixture
def database(transactional_db):
    """This process's database connection, through a proxy that a test can cut."""
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: run the tests with DATABASE_URL=postgres://…")
    where = connection.settings_dict
    saved = where["HOST"], where["PORT"]
    proxy = TcpProxy(upstream=(saved[0] or "127.0.0.1", int(saved[1] or 5432)))
    connection.close()
    where["HOST"], where["PORT"] = "127.0.0.1", str(proxy.port)
    yield proxy
    connection.close()
    where["HOST"], where["PORT"] = saved
    proxy.close()


def back_again() -> None:
    """What Django does as every request starts, and the test client does not: drop a
    connection that failed, so that the next query opens a new one."""
    close_old_connections()


@pytest.fixture
def person_client(org):
    client = Client(raise_request_exception=False)
    client.force_login(org.engineer.user)
    return client


@pytest.fixture
def api_client(org):
    token = Token.objects.create(user=org.engineer.user)
    return APIClient(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")


def outages():
    """The two ways a database goes away for a process: the connection it holds is cut, or the
    one it opens is refused."""
    yield "connection cut"
    connection.close()  # the next query must connect, and is refused
    yield "connection refused"


def test_a_page_while_the_database_is_down_says_so_with_a_503(database, person_client):
    assert person_client.get("/").status_code == 200  # through the proxy, signed in
    for outage in outages():
        with database.outage():
            down = person_client.get("/")

        assert down.status_code == 503, outage
        page = down.content.decode()
        assert SAYS_WHAT_IS_WRONG in page and "try again in a minute" in page
        assert GENERIC_500 not in page
        assert down["Content-Type"].startswith("text/html")
        assert down["Retry-After"] == "30"
        assert "Content-Security-Policy" in down  # the outer middleware still ran

        back_again()
        assert person_client.get("/").status_code == 200, outage
    assert database.cut >= 1 and database.refused >= 1  # each outage did reach a request


def test_the_api_while_the_database_is_down_answers_503_in_json(database, api_client):
    assert api_client.get("/api/labs/").status_code == 200
    for outage in outages():
        with database.outage():
            down = api_client.get("/api/labs/")

        assert down.status_code == 503, outage
        assert down.json() == {"detail": DATABASE_DOWN_MESSAGE}
        assert down["Retry-After"] == "30"

        back_again()
        assert api_client.get("/api/labs/").status_code == 200, outage


def test_a_form_sent_while_the_database_is_down_gets_the_503_page(database, person_client):
    """A write: the page says the work may not have been saved, instead of a bare 500."""
    assert person_client.get("/").status_code == 200

    with database.outage():
        down = person_client.post("/mentoring/learning/", {"minutes": "30"})

    assert down.status_code == 503
    assert "may not have been saved" in down.content.decode()
