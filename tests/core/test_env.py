import pytest
from django.core.exceptions import ImproperlyConfigured

from psks_portal import env


def test_it_reads_typed_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", " 42 ")
    monkeypatch.setenv("X_LIST", "a.go.id, b.go.id,,")
    assert env.env_bool("X_BOOL", False) is True
    assert env.env_int("X_INT", 0) == 42
    assert env.env_list("X_LIST", []) == ["a.go.id", "b.go.id"]
    assert env.env_bool("X_MISSING", True) is True


@pytest.mark.parametrize(
    ("name", "value", "call"),
    [
        ("X_BOOL", "kadang", lambda: env.env_bool("X_BOOL", False)),
        ("X_INT", "tiga puluh", lambda: env.env_int("X_INT", 30)),
        ("X_INT", "0", lambda: env.env_int("X_INT", 30, minimum=1)),
        ("DATABASE_URL", "mysql://x@y/z", lambda: env.env_database("DATABASE_URL", None)),
    ],
)
def test_bad_values_fail_loudly(monkeypatch, name, value, call):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        call()


def test_a_required_value_must_be_present(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        env.env_str("X_REQUIRED")


def test_database_url_selects_sqlite_or_postgresql(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    sqlite = env.env_database("DATABASE_URL", tmp_path / "db.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3" and sqlite["NAME"].endswith("db.sqlite3")
    monkeypatch.setenv("DATABASE_URL", "postgres://root@127.0.0.1:5432/psks")
    pg = env.env_database("DATABASE_URL", tmp_path / "db.sqlite3")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["HOST"], pg["PORT"], pg["USER"]) == ("psks", "127.0.0.1", 5432, "root")


def test_dotenv_never_overrides_the_real_environment(monkeypatch, tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("# komentar\nX_FROM_FILE=satu\nX_BOTH='dari berkas'\nexport X_EXPORTED=dua\n")
    monkeypatch.setenv("X_BOTH", "dari lingkungan")
    monkeypatch.delenv("X_FROM_FILE", raising=False)
    monkeypatch.delenv("X_EXPORTED", raising=False)
    env.read_dotenv(dotenv)
    import os

    assert os.environ["X_FROM_FILE"] == "satu"
    assert os.environ["X_EXPORTED"] == "dua"
    assert os.environ["X_BOTH"] == "dari lingkungan"
    monkeypatch.delenv("X_FROM_FILE")
    monkeypatch.delenv("X_EXPORTED")


def test_a_malformed_dotenv_line_fails_loudly(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("INI BUKAN PASANGAN\n")
    with pytest.raises(ImproperlyConfigured, match=":1:"):
        env.read_dotenv(dotenv)
