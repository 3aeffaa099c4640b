# The tracker's image: the web app, the scheduler and the one-shot migration all run from it.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system tracker && useradd --system --gid tracker --home /app tracker

COPY pyproject.toml README.md alembic.ini ./
COPY tracker ./tracker
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY seeds ./seeds
# Installed in place: the package finds its templates, static files, seeds and migrations
# beside it, in /app.
RUN pip install -e . && chown -R tracker:tracker /app

USER tracker
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["tracker", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
