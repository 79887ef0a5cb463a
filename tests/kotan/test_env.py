import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kotan.lib.env import env_admins, env_bool, env_int, env_list, env_url


def test_env_bool_reads_common_spellings():
    assert env_bool("X", False, environ={"X": "Yes"}) is True
    assert env_bool("X", True, environ={"X": "0"}) is False
    assert env_bool("X", True, environ={}) is True


def test_it_names_the_variable_of_a_malformed_boolean():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_it_names_the_variable_of_a_malformed_number():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 587, environ={"EMAIL_PORT": "smtp"})


def test_env_list_splits_on_commas():
    assert env_list("H", [], environ={"H": "a.go.id, b.go.id,"}) == ["a.go.id", "b.go.id"]


def test_env_url_refuses_an_unknown_scheme():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_url("DATABASE_URL", "", schemes=("postgres",), environ={"DATABASE_URL": "mysql://x/y"})


def _start_django(**env):
    environ = {**os.environ, "DEBUG": "1", **env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_URL", "mysql://db/kotan"), ("REDIS_URL", "localhost:6379"), ("DEBUG", "perhaps")],
)
def test_start_up_stops_with_the_name_of_a_malformed_variable(name, value):
    result = _start_django(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_start_up_without_debug_requires_a_secret_key():
    result = _start_django(DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_admins_are_read_as_name_and_address_pairs():
    environ = {"ADMINS": "Ani Lado <ani@bnn.example>, ops@bnn.example"}
    assert env_admins("ADMINS", environ=environ) == [
        ("Ani Lado", "ani@bnn.example"),
        ("ops", "ops@bnn.example"),
    ]
    assert env_admins("ADMINS", environ={}) == []
    assert env_admins("ADMINS", environ={"ADMINS": ""}) == []


def test_admins_refuse_something_that_is_not_an_address():
    with pytest.raises(ImproperlyConfigured, match="ADMINS"):
        env_admins("ADMINS", environ={"ADMINS": "ani, bnn"})
