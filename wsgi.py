"""WSGI entry point: gunicorn wsgi:app (set COMPETITION_ENV=production, SECRET_KEY, DATABASE_URL and BASE_URL)."""

from competition import create_app

app = create_app()
