"""The tests' password hasher (conftest.TEST_PASSWORD_HASHERS), never production's."""

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    """Django's fast MD5 hasher, counting the passwords it hashes (`CountingHasher.hashed`):
    a login refused without hashing leaves the count unchanged."""

    hashed = 0

    def encode(self, password, salt):
        type(self).hashed += 1
        return super().encode(password, salt)
