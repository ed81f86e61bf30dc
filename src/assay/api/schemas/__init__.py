"""Response models of the REST API (``...Public``); request models live in ``assay.domain``."""
