"""gunicorn entry point: `gunicorn ratecard.wsgi:app`. Workers never start a scheduler."""
from ratecard import create_app

app = create_app({"RATECARD_SCHEDULER": False})
