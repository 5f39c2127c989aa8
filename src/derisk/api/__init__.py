"""The HTTP API: ``create_app(db_path)`` builds the FastAPI app served by ``derisk serve``."""

from derisk.api.app import ROUTER_MODULES, create_app

__all__ = ["ROUTER_MODULES", "create_app"]
