# One image for web, worker, beat and the one-off migrate (docker-compose.yml chooses).
# The build and start steps are scripts (.ci/build, .ci/start); tests/test_image.py runs this
# file's RUN steps in a fresh virtualenv and starts the compose file's web command, DEBUG=0.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# System packages (the test machine has them from .ci/run): WeasyPrint renders the PDF briefs
# with Pango and HarfBuzz; postgresql-client brings pg_dump/pg_restore for `manage.py backup`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core curl postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# uv installs the locked, hash-checked dependencies (same version as pyproject's dev extra).
COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /usr/local/bin/uv
ENV UV_NO_CACHE=1 UV_COMPILE_BYTECODE=1

WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock changes.
COPY .ci/requirements.txt .ci/build .ci/
RUN .ci/build deps
COPY . .
RUN .ci/build app

RUN useradd --create-home kotan && mkdir -p /data/media /data/backups \
    && chown kotan /data/media /data/backups
USER kotan
EXPOSE 8000
CMD [".ci/start", "web"]
