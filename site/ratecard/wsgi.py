"""gunicorn entry point: `gunicorn ratecard.wsgi:app`. The app never starts a scheduler:
`ratecard scheduler` (or the development `ratecard serve`) runs it."""
from ratecard import create_app

app = create_app()
