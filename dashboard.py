"""The dashboard's script: registers the pages (landing = Frontier) and is the error boundary around them.

`streamlit run app.py` serves it (app.py is the server around it). Pages are thin; the logic lives in lib/.
"""
from pathlib import Path

import streamlit as st

from lib import ui

LANDING_ALIAS = "frontier"


def _serve_landing_alias() -> None:
    """Streamlit serves the default page only at "/", so a shared link to /frontier would open it under a
    "Page not found" notice: resolve that path to the landing page instead (internal API; no-op if it moves)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        pm = get_script_run_ctx().pages_manager
        if pm.intended_page_name == LANDING_ALIAS and not pm.intended_page_script_hash:
            pm.set_script_intent("", "")
    except Exception:  # noqa: BLE001 - Streamlit internals changed: the notice is all that is lost
        pass


# A local file, not a ":material/…:" name: Streamlit fetches those favicons from a font CDN on every load.
ICON = Path(__file__).resolve().parent / "assets" / "icon.png"
st.set_page_config(page_title="LLM price–quality frontier", page_icon=str(ICON), layout="wide")

pages = [
    st.Page("pages/1_frontier.py", title="Frontier", icon=":material/scatter_plot:", url_path=LANDING_ALIAS,
            default=True),
    st.Page("pages/2_generations.py", title="Generations", icon=":material/call_split:", url_path="generations"),
    st.Page("pages/3_trends.py", title="Trends", icon=":material/trending_down:", url_path="trends"),
    st.Page("pages/4_models.py", title="Models", icon=":material/memory:", url_path="models"),
    st.Page("pages/5_calculator.py", title="Calculator", icon=":material/calculate:", url_path="calculator"),
    st.Page("pages/6_data.py", title="Data", icon=":material/database:", url_path="data"),
    st.Page("pages/7_distillation.py", title="Distillation index", icon=":material/compress:",
            url_path="distillation"),
    st.Page("pages/8_outlook.py", title="Outlook", icon=":material/query_stats:", url_path="outlook"),
    st.Page("pages/9_changes.py", title="Changes", icon=":material/rss_feed:", url_path="changes"),
    st.Page("pages/10_switching.py", title="Switching", icon=":material/swap_horiz:", url_path="switching"),
]
_serve_landing_alias()
page = st.navigation(pages, position="sidebar")
try:
    page.run()
except Exception as exc:  # noqa: BLE001 - the error boundary: st.stop/st.rerun are BaseExceptions and pass through
    ui.page_error(page.title, exc)
