"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi <command>`."""
from fieldservice import create_app

app = create_app()
