"""Web layer: FastAPI app factory, API routers, pages, i18n."""
