"""Admin login throttling per address: a flood of wrong passwords under random user names is
refused once the address reaches its limit, and refused attempts never run the password hasher.

(The lockout of one user name from one address is in test_admin_reliability.py.)
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from hashers import CountingHasher

LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery"
FLOOD = "203.0.113.66"


@pytest.fixture
def tess(db):
    return User.objects.create_user("tess", password=PASSWORD, is_staff=True)


def log_in(username, password, address=FLOOD):
    """A login from a fresh browser, as a flood's clients send them."""
    return Client().post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def flood(count, start=0):
    """`count` wrong passwords from FLOOD, each under a new user name; their status codes."""
    return [log_in(f"guess{n}", "wrong").status_code for n in range(start, start + count)]


def page(response):
    return " ".join(response.content.decode().split())


def test_wrong_passwords_under_many_user_names_lock_the_address_out(tess):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    # No single name comes near its own limit; the failure that reaches the address's is refused.
    assert flood(limit - 1) == [200] * (limit - 1)
    assert flood(1, start=limit) == [429]

    # Now even the right password is refused from there, with a page that says why.
    response = log_in("tess", PASSWORD)
    assert response.status_code == 429
    assert "Too many wrong passwords from your network." in page(response)
    assert "logging in from here is paused for 15 minutes, even with the right password" in (
        page(response)
    )
    # From anywhere else Tess logs in as usual.
    assert log_in("tess", PASSWORD, address="198.51.100.20").status_code == 302


def test_a_refused_login_runs_no_password_hasher(tess):
    before = CountingHasher.hashed
    flood(3)
    assert CountingHasher.hashed == before + 3  # an unknown name is hashed too, like a real one

    flood(settings.LOGIN_ADDRESS_FAILURE_LIMIT, start=3)
    refused_from = CountingHasher.hashed
    assert flood(25, start=100) == [429] * 25
    assert log_in("tess", PASSWORD).status_code == 429
    assert CountingHasher.hashed == refused_from


def test_a_locked_user_name_is_refused_without_hashing_too(tess):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("tess", "wrong", address="192.0.2.8")
    before = CountingHasher.hashed
    response = log_in("tess", PASSWORD, address="192.0.2.8")
    assert response.status_code == 429
    assert "Too many wrong passwords for this user name from your network." in page(response)
    assert CountingHasher.hashed == before
