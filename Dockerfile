FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --upgrade pip && pip install . \
    && mkdir -p var && python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "bhxh_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
