"""Linli's shared kernel: settings, database, accounts, communities, i18n, templating, CLI."""

import os

# Piccolo finds its engine and app registry through this module path.
os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")
