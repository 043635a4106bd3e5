"""The WSGI entry point gunicorn loads in each worker (see deploy/gunicorn.conf.py)."""

from pinpoint.service.app import create_app
from pinpoint.service.config import config_from_env

application = create_app(config_from_env())
