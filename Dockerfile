FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --upgrade pip && pip install -r /tmp/requirements.txt

# Then the code (.dockerignore keeps .venv, var/, .env, .git and caches out), installed without dependencies.
# collectstatic reads the settings with a throwaway key, so that no key is generated into the image's var/.
COPY . .
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin bhxh \
    && mkdir -p var \
    && SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" python manage.py collectstatic --noinput \
    && chown -R bhxh:bhxh /app/var

# Run as an unprivileged user; it may write only under /app/var (the compose volume).
USER bhxh
EXPOSE 8000
CMD ["gunicorn", "bhxh_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
