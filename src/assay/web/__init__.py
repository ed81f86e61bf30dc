"""The web workbench and dashboards: server-rendered pages with small scripts, no build step."""

from assay.web.app import mount_web

__all__ = ["mount_web"]
