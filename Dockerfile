# Production image: python slim + Debian's graphviz, gunicorn, WhiteNoise for static files;
# runs as the unprivileged user "modeler" (uid 10001). Configure with environment variables
# (see README): SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, CACHE_URL,
# MODELER_TASKS_BACKEND/REDIS_URL, BEHIND_HTTPS=1 when TLS is terminated by a proxy.
# docker-compose.yml runs the same image as web (gunicorn), task workers (rqworker) and a
# one-shot migrate; alone, the default command migrates and serves (run a worker beside it:
# `python manage.py db_worker`, or rqworker with MODELER_TASKS_BACKEND=rq).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=0 \
    STATIC_MANIFEST=1 \
    BEHIND_HTTPS=1 \
    MODELER_DATA_DIR=/data

RUN apt-get update \
 && apt-get install -y --no-install-recommends graphviz fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app modeler \
 && mkdir -p /data && chown modeler /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY modeler ./modeler
COPY templates ./templates
COPY static ./static
COPY manage.py ./
# Editable: the app runs from /app (templates/ and static/ sit beside modeler/).
# PYTHONDONTWRITEBYTECODE keeps the running app from writing into /app, so the bytecode is
# compiled here, once: without it every command and worker compiled every project module
# it imported (~0.3 s of CPU per manage.py command on musicbrainz).
RUN pip install -e . \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && python -m compileall -q -j 0 modeler manage.py

USER modeler
EXPOSE 8000
# Migrations run before the server starts; set SECRET_KEY in the environment (required).
# gthread workers (WEB_CONCURRENCY processes of WEB_THREADS threads): a light request is
# answered by a free thread instead of waiting behind a large design's drawing.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn modeler.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --worker-class gthread --threads ${WEB_THREADS:-4} --timeout 60 --access-logfile -"]
