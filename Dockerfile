# The tracker's image: the web app, the scheduler and the one-shot migration all run from it.
# The package is built as a wheel and installed like any other (not editable, no source tree
# on sys.path); its templates, static files, seeds and migrations live in /app (TRACKER_HOME).
FROM python:3.11-slim AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY tracker ./tracker
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRACKER_HOME=/app

WORKDIR /app
RUN groupadd --system tracker && useradd --system --gid tracker --home /app tracker

COPY --from=wheel /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels

COPY alembic.ini ./
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY seeds ./seeds
# The tracker writes nothing beside its files but var/ (SQLite, the secret key of `make run`).
RUN mkdir -p /app/var && chown tracker:tracker /app/var

USER tracker
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["tracker", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
