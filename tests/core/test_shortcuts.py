import pytest
from django.test import RequestFactory

from core.shortcuts import redirect_back


@pytest.mark.parametrize(
    ("given", "lands"),
    [
        ("/paths/foundations/", "/paths/foundations/"),
        ("", "/home/"),
        ("https://evil.example/", "/home/"),
        ("//evil.example/x", "/home/"),
        ("http://testserver/paths/", "/home/"),  # the right host, but not https on https
        ("javascript:alert(1)", "/home/"),
    ],
)
def test_redirect_back_follows_only_paths_of_this_site(given, lands):
    request = RequestFactory().post("/x/", {"next": given}, secure=True)

    assert redirect_back(request, "/home/").url == lands
