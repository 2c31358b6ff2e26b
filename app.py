"""Entry point of the LLM price–quality frontier dashboard: `streamlit run app.py` (or `uvicorn app:app`).

The server around the dashboard's script (dashboard.py, the pages): Streamlit's own, with its front-end bundles
served from memory and gzipped (lib/static_cache.py; a new visitor's browser fetches 110 files, 7.8 MB).
"""
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import file_util

from lib.static_cache import StaticCache


def _poll_config_less_often(seconds: float = 5.0) -> None:
    """Streamlit polls its config files five times a second, on a thread, and no option turns that off (~0.003 s of
    CPU every second an idle server is up); once every few seconds still picks up an edited config.toml."""
    try:
        from streamlit.watcher import polling_path_watcher

        period = max(seconds, polling_path_watcher._POLLING_PERIOD_SECS)
        polling_path_watcher._POLLING_PERIOD_SECS = period  # type: ignore[misc]  # read at every poll
    except (ImportError, AttributeError):  # internal module moved: it polls as often as before
        pass


_poll_config_less_often()
app = st.App(str(Path(__file__).resolve().with_name("dashboard.py")),
             middleware=[Middleware(StaticCache, static_dir=file_util.get_static_dir())])
