"""Test overrides: only what tests need on top of the one settings module."""

import os

import dj_database_url

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789abcdef")

from accountability.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; production keeps the default
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # serve from finders as runserver does; no collectstatic in tests
QUANZE_REQUIRE_2FA = False  # tests log in with force_login; tests/test_second_factor.py turns it on
QUANZE_CHAIN_KEYS = {"test": b"a fixed chain key for tests only, never deployed"}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # Tests flush tables with TRUNCATE; the append-only tables' TRUNCATE trigger lets that through only in a test
    # database whose session says so (accountability.append_only).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c quanze.allow_truncate=on"  # noqa: F405
# The read replica (CI starts one with deploy/replica.sh): tests/test_replica.py reads from it and turns
# QUANZE_REPLICA_READS on. Every other test runs inside a transaction no replica sees, so their reads stay on the
# primary. The mirror gives the replica connection the test database's name; its host and port stay the replica's.
QUANZE_REPLICA_READS = False
if os.environ.get("QUANZE_TEST_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["QUANZE_TEST_REPLICA_URL"])  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
