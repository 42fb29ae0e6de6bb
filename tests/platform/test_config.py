"""Configuration layers and the refusal to start without a real SECRET_KEY in production."""

import subprocess
import sys
from pathlib import Path

import pytest

from flask import Flask

from momoflow import create_app
from momoflow.config import ConfigurationError, database_uri, load_config
from momoflow.directory import init_directory
from momoflow.directory.ldap import LdapDirectory
from momoflow.directory.local import LocalDirectory

ROOT = Path(__file__).resolve().parents[2]
LONG_KEY = "k" * 40


def configured(tmp_path, overrides=None):
    """A bare app with MomoFlow's configuration loaded (no extensions: Flask-Limiter keeps
    one storage per process, so extra full apps here would take it over)."""
    app = Flask("momoflow", instance_path=str(tmp_path / "instance"))
    load_config(app, overrides)
    return app


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("MOMOFLOW_ENV", "SECRET_KEY", "DATABASE_URL", "LDAP_URL", "REDIS_URL", "MAX_CONTENT_LENGTH",
                 "LDAP_FLAVOR", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_secret_key(clean_env):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()  # fails while loading configuration, before any extension
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "short"})


def test_production_refusal_is_one_line_on_the_command_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MOMOFLOW_ENV": "production", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("momoflow.config.ConfigurationError: SECRET_KEY is missing")


def test_environment_overrides_defaults(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", LONG_KEY)
    clean_env.setenv("DATABASE_URL", "postgres://u@db.internal/momo")
    clean_env.setenv("MAX_CONTENT_LENGTH", "1024")
    clean_env.setenv("REDIS_URL", "redis://cache:6379/0")
    app = configured(tmp_path)
    assert app.config["SECRET_KEY"] == LONG_KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/momo"
    assert app.config["MAX_CONTENT_LENGTH"] == 1024
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_overrides_beat_environment(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", LONG_KEY)
    clean_env.setenv("MAX_CONTENT_LENGTH", "1024")
    assert configured(tmp_path, {"MAX_CONTENT_LENGTH": 2048}).config["MAX_CONTENT_LENGTH"] == 2048


def test_instance_config_file_sits_between_defaults_and_environment(clean_env, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text(f"SECRET_KEY = {LONG_KEY!r}\nMAX_CONTENT_LENGTH = 10\n")
    assert configured(tmp_path).config["MAX_CONTENT_LENGTH"] == 10
    clean_env.setenv("MAX_CONTENT_LENGTH", "20")
    assert configured(tmp_path).config["MAX_CONTENT_LENGTH"] == 20


def test_development_defaults_to_sqlite_and_a_kept_random_key(clean_env, tmp_path):
    clean_env.setenv("MOMOFLOW_ENV", "development")
    app = configured(tmp_path)
    again = configured(tmp_path)
    assert len(app.config["SECRET_KEY"]) >= 32
    assert app.config["SECRET_KEY"] == again.config["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert database_uri(None, tmp_path) == f"sqlite:///{tmp_path / 'momoflow.db'}"


def test_unknown_environment_name_is_refused(clean_env, tmp_path):
    clean_env.setenv("MOMOFLOW_ENV", "staging")
    with pytest.raises(ConfigurationError, match="MOMOFLOW_ENV"):
        configured(tmp_path)


def directory_of(app):
    init_directory(app)
    return app.extensions["momoflow.directory"]


def test_directory_backend_follows_ldap_url(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", LONG_KEY)
    assert isinstance(directory_of(configured(tmp_path)), LocalDirectory)
    clean_env.setenv("LDAP_URL", "ldap://127.0.0.1:1")
    clean_env.setenv("LDAP_FLAVOR", "ad")
    directory = directory_of(configured(tmp_path))
    assert isinstance(directory, LdapDirectory)
    assert directory.attributes["name"] == "displayName"
    assert directory.attributes["department"] == "department"


def test_links_in_email_follow_where_make_run_serves(clean_env, tmp_path):
    clean_env.delenv("BASE_URL", raising=False)
    clean_env.setenv("MOMOFLOW_ENV", "development")
    clean_env.setenv("PORT", "8123")
    clean_env.setenv("HOST", "0.0.0.0")
    assert configured(tmp_path).config["BASE_URL"] == "http://127.0.0.1:8123"
    clean_env.setenv("BASE_URL", "https://momoflow.example.com")
    assert configured(tmp_path).config["BASE_URL"] == "https://momoflow.example.com"


def test_production_links_ignore_the_platforms_port(clean_env, tmp_path):
    clean_env.delenv("BASE_URL", raising=False)
    clean_env.setenv("SECRET_KEY", LONG_KEY)
    clean_env.setenv("PORT", "8123")
    assert configured(tmp_path).config["BASE_URL"] == "http://127.0.0.1:5000"
