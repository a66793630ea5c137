"""Login throttling, session idle timeout, password rules, production settings, and NIK kept out of logs."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from psks_portal.logging import MaskPersonalDataFilter, mask_digits

pytestmark = pytest.mark.django_db


def _attempt(client, username, password, ip="10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_that_username_from_that_address_for_fifteen_minutes(people, client, password):
    for _ in range(5):
        response = _attempt(client, "ani", "salah-sandi")
    assert response.status_code == 429
    assert "15 menit" in response.content.decode()
    # Even the right password is refused during the cool-off…
    assert _attempt(client, "ani", password).status_code == 429
    # …but colleagues behind the same office NAT address can still log in,
    assert _attempt(client, "budi", password).status_code == 302
    client.logout()
    # and Ani herself from another address is not locked out.
    assert _attempt(client, "ani", password, ip="10.9.9.9").status_code == 302
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_FAILURE_LIMIT == 5


def test_four_failures_do_not_lock(people, client, password):
    for _ in range(4):
        assert _attempt(client, "ani", "salah-sandi").status_code == 200
    assert _attempt(client, "ani", password).status_code == 302


def test_a_wrong_password_gets_an_indonesian_message(people, client):
    response = _attempt(client, "ani", "salah-sandi")
    assert "nama pengguna dan sandi yang benar" in response.content.decode().lower()


def test_sessions_end_after_the_idle_timeout_and_every_request_renews_them():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_an_idle_session_is_logged_out(people, client, settings):
    settings.SESSION_COOKIE_AGE = 1
    client.force_login(people["ani"])
    session = client.session
    session.set_expiry(-1)  # expired
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def production_env(**extra) -> dict:
    """The environment of a production deployment (DEBUG off, a real secret), for ``manage.py`` subprocesses.

    Without the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (set for the rest of the session once they start), which
    ``check --deploy`` rightly refuses."""
    env = dict(
        os.environ,
        DEBUG="false",
        SECRET_KEY="x" * 20 + "-production-secret-key-for-tests-0123456789",
        ALLOWED_HOSTS="psks.example.go.id",
        PORTAL_DEMO_ENABLED="false",
        **extra,
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def test_production_settings_pass_check_deploy_and_refuse_a_missing_secret():
    env = production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    env["SECRET_KEY"] = ""  # (an empty value also beats a .env file)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    bad = dict(env, DEBUG="mungkin")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=bad, capture_output=True, text=True
    )
    assert result.returncode != 0 and "DEBUG='mungkin'" in result.stderr


def test_nik_never_reaches_the_logs(caplog):
    assert mask_digits("NIK 3274014101900001 dan KK 3274010101900002") == (
        "NIK 3274********0001 dan KK 3274********0002"
    )
    assert mask_digits("kode 32.74.01.1001 tetap, telepon 081234567890 tetap") == (
        "kode 32.74.01.1001 tetap, telepon 081234567890 tetap"
    )
    logger = logging.getLogger("psks.test")
    handler_filter = MaskPersonalDataFilter()
    record = logger.makeRecord(
        "psks.test", logging.WARNING, __file__, 1, "data %s ditolak", ("3274014101900001",), None
    )
    handler_filter.filter(record)
    assert record.getMessage() == "data 3274********0001 ditolak"
    console = logging.getLogger().handlers
    assert any(isinstance(f, MaskPersonalDataFilter) for h in console for f in h.filters)


def test_security_headers_are_sent(people, login):
    response = login(people["ani"]).get(reverse("home"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("length", [151, 256, 300, 5000])
def test_a_very_long_user_name_is_a_wrong_login_not_a_server_error(people, client, length):
    client.raise_request_exception = False
    response = _attempt(client, "a" * length, "salah-sandi")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Masukkan nama pengguna dan sandi yang benar. Huruf besar dan kecil dibedakan." in html


def test_the_login_error_names_the_user_name_once(people, client):
    html = _attempt(client, "ani", "salah-sandi").content.decode()
    assert "Masukkan nama pengguna dan sandi yang benar. Huruf besar dan kecil dibedakan." in html
    assert "nama pengguna nama pengguna" not in html.lower()
