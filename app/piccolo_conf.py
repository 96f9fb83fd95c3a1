"""Piccolo's configuration: the engine chosen by DATABASE_URL and the registry of apps."""

from piccolo.conf.apps import AppRegistry

from app.db import make_engine
from app.settings import get_settings

DB = make_engine(get_settings().database.url)

APP_REGISTRY = AppRegistry(
    apps=["app.piccolo_app", "spaces.piccolo_app", "stations.piccolo_app", "needs.piccolo_app"]
)
