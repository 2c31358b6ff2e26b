"""Entry point of the LLM price–quality frontier dashboard: `streamlit run app.py` (or `uvicorn app:app`).

The server around the dashboard's script (dashboard.py, the pages): Streamlit's own, with its front-end bundles
served from memory and gzipped (lib/static_cache.py; a new visitor's browser fetches 110 files, 7.8 MB).
"""
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import file_util

from lib.static_cache import StaticCache

app = st.App(str(Path(__file__).resolve().with_name("dashboard.py")),
             middleware=[Middleware(StaticCache, static_dir=file_util.get_static_dir())])
