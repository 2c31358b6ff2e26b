"""A real `streamlit run` server on a free 127.0.0.1 port and the system Chromium, for the reliability tests."""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from tests.conftest import ARGS as CHROMIUM_ARGS
from tests.conftest import CHROMIUM, _free_port, log_tail, start_streamlit, stop_streamlit

free_port = _free_port
__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "free_port", "have_chromium", "streamlit_server", "wait_idle"]


@contextlib.contextmanager
def streamlit_server(env: dict, *, port: int | None = None):
    """Yields (url, process); the server is stopped on exit. Its output goes to a file whose tail is added to an
    error raised inside the block."""
    with tempfile.TemporaryDirectory(prefix="streamlit-log-") as folder:
        log = Path(folder) / "streamlit.log"
        url, proc = start_streamlit(env, log, port=port)
        try:
            yield url, proc
        except BaseException as exc:
            exc.add_note("streamlit log (tail):\n" + log_tail(log))
            raise
        finally:
            stop_streamlit(proc)


def wait_idle(page, timeout: int = 60_000) -> None:
    """The script run finished: the app is on screen and Streamlit's running indicator is gone."""
    page.wait_for_selector("[data-testid='stMain']", timeout=timeout)
    # polled on a timer in the page: the default, every animation frame, makes headless Chromium draw frames meanwhile
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout,
                           polling=100)
    page.wait_for_timeout(300)


def have_chromium() -> bool:
    return Path(CHROMIUM).exists()
