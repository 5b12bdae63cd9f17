"""JupyterLab for the browser tests: a server of its own, and a notebook driven the way a student drives it.

``JupyterLab(root_dir, workdir)`` runs ``jupyter lab`` on a free port of 127.0.0.1, with no token and
no browser of its own, and with its configuration, data, runtime files, settings and workspaces in
``workdir``, so nothing of the user's Jupyter set-up leaks in and nothing is written to it.
``stop()`` ends it (and its kernels) in every case.

``LabNotebook(lab, page, path)`` opens a notebook in a Playwright page and uses JupyterLab's menus:
*Edit > Clear Outputs of All Cells*, *Run > Run All Cells*; then it waits until the kernel is idle
and reads what each code cell shows. Every wait has a timeout, and ``step(name)`` turns a timeout
into a failure that names the step and shows the tail of the server's log.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_SECONDS = 60
STOP_SECONDS = 20

# JupyterLab's settings for the tests (written to a settings folder of their own).
SETTINGS = {
    # Render every cell, not only those scrolled into view (JupyterLab 4 renders lazily by default).
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # No news and no update checks: both would ask the internet.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # Never save: a test must not change a notebook.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}

# What the kernel's status shows in JupyterLab's status bar, e.g. "Python 3 (ipykernel) | Idle".
KERNEL_IDLE_JS = """() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
    .some(item => /^(?!No Kernel).* \\| Idle$/.test(item.textContent.trim()))"""

# Run all has finished: kernel idle, no cell queued or running ("[*]:"), at least one cell numbered.
RUN_FINISHED_JS = """(panel) => {
    const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map(p => p.textContent);
    return (%s)() && !prompts.some(p => p.includes('*')) && prompts.some(p => /\\[\\d+\\]/.test(p));
}""" % KERNEL_IDLE_JS

# What each code cell of the visible notebook shows: its prompt, its stderr (errors and warnings,
# shown on red), and its images that loaded.
CODE_CELLS_JS = """(panel) => Array.from(panel.querySelectorAll('.jp-CodeCell')).map(cell => ({
    prompt: (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
    stderr: Array.from(cell.querySelectorAll(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"))
        .map(output => output.innerText).join('\\n'),
    images: Array.from(cell.querySelectorAll('.jp-OutputArea-output img'))
        .filter(img => img.complete && img.naturalWidth > 0).length,
}))"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class JupyterLab:
    """A ``jupyter lab`` server for the tests, serving ``root_dir``; its files and log live in ``workdir``."""

    def __init__(self, root_dir: Path, workdir: Path):
        self.root_dir = Path(root_dir)
        self.workdir = Path(workdir)
        self.log_path = self.workdir / "jupyterlab.log"
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no server log)"
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def explain(self, what: str) -> str:
        """``what``, followed by the last lines of the server's log."""
        return f"{what}\n--- last lines of the JupyterLab server's log ({self.log_path}) ---\n{self.log_tail()}"

    def failure(self, what: str) -> AssertionError:
        return AssertionError(self.explain(what))

    def start(self) -> None:
        settings = self.workdir / "settings"
        for name, values in SETTINGS.items():
            path = settings / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        # The user's Jupyter and IPython folders stay out (and unwritten); JUPYTER_TOKEN and friends too.
        env = {key: value for key, value in os.environ.items() if not key.startswith("JUPYTER")}
        for variable, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                                 ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")]:
            env[variable] = str(self.workdir / folder)
        self.port = free_port()
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            "--IdentityProvider.token=", f"--ServerApp.root_dir={self.root_dir}",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--ServerApp.allow_root=True")
        with open(self.log_path, "w") as log:
            # A session of its own, so that stop() can end the server and anything it started.
            self.process = subprocess.Popen(command, cwd=self.root_dir, env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if self.process.poll() is not None:
                raise self.failure(f"step 'start jupyter lab': the server exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise self.failure(f"step 'start jupyter lab' timed out after {STARTUP_SECONDS} s "
                                   f"(no answer from {self.url('api/status')})")
            time.sleep(0.2)

    def stop(self) -> None:
        """End the server: SIGTERM (it shuts its kernels down), then SIGKILL to its process group if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_SECONDS)


class LabNotebook:
    """A notebook open in JupyterLab in a browser page, used through JupyterLab's menus."""

    def __init__(self, lab: JupyterLab, page, path: str):
        self.lab = lab
        self.page = page
        self.path = path  # relative to the server's root, e.g. "book/01_representing_sequences.ipynb"
        self.name = Path(path).name
        self.panel = None  # the notebook's panel in JupyterLab, once open
        self.outside_requests: list[str] = []  # requests to another host (the tests' browser aborts them)
        page.on("request", lambda request: None if request.url.startswith(("http://127.0.0.1:", "data:", "blob:"))
                else self.outside_requests.append(request.url))

    @contextlib.contextmanager
    def step(self, name: str, seconds: float):
        """Run one step with every wait limited to ``seconds``; a timeout fails naming the step."""
        from playwright.sync_api import Error as PlaywrightError, TimeoutError as PlaywrightTimeoutError

        self.page.set_default_timeout(seconds * 1000)
        try:
            yield
        except PlaywrightError as error:
            what = f"timed out after {seconds} s" if isinstance(error, PlaywrightTimeoutError) else "failed"
            first_line = (str(error).splitlines() or [type(error).__name__])[0]
            raise self.lab.failure(f"{self.name}: step {name!r} {what}: {first_line}") from error

    def open(self) -> None:
        """Open the notebook: by its URL (with a fresh workspace) in a new page, or with *File > Open from
        Path…* in a page that already shows JupyterLab (no second load of JupyterLab itself)."""
        with self.step("open the notebook in JupyterLab", 60):
            if self.page.url.startswith(self.lab.url("lab")):
                self.menu("File", "Open from Path…")
                self.page.locator(".jp-Dialog input").fill(self.path)
                self.page.locator(".jp-Dialog button.jp-mod-accept").click()
            else:
                self.page.goto(self.lab.url(f"lab/tree/{self.path}?reset"))
            # The current tab's tooltip reads "Name: ...\nPath: <path>\n..."; its data-id is the notebook panel's id.
            tab = self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current"
                                    f"[title*={json.dumps('Path: ' + self.path)}]")
            tab.wait_for()
            self.panel = self.page.locator(f"[id={json.dumps(tab.get_attribute('data-id'))}]")
            self.panel.locator(".jp-Notebook .jp-Cell").first.wait_for()
        with self.step("wait for the kernel to start and be idle", 60):
            self.page.wait_for_function(KERNEL_IDLE_JS)

    def menu(self, menu: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()

    def clear_outputs(self) -> None:
        with self.step("Edit > Clear Outputs of All Cells", 20):
            self.menu("Edit", "Clear Outputs of All Cells")
            # No output and no execution count left: whatever shows after Run All comes from that run.
            self.page.wait_for_function(
                "(panel) => !panel.querySelector('.jp-OutputArea-output') && !Array.from("
                "panel.querySelectorAll('.jp-InputPrompt')).some(prompt => /\\d/.test(prompt.textContent))",
                arg=self.panel.element_handle())

    def run_all(self, seconds: float) -> None:
        with self.step("Run > Run All Cells, then wait for the kernel to be idle", seconds):
            self.menu("Run", "Run All Cells")
            self.page.wait_for_function(RUN_FINISHED_JS, arg=self.panel.element_handle(), polling=200)
            # Images arrive with their output; give them time to decode.
            self.page.wait_for_function(
                "(panel) => Array.from(panel.querySelectorAll('.jp-OutputArea-output img')).every(img => img.complete)",
                arg=self.panel.element_handle())

    def code_cells(self) -> list[dict]:
        """For each code cell in order: ``prompt`` ("[3]:"), ``stderr`` (its text), ``images`` (loaded)."""
        with self.step("read the cells", 20):
            return self.page.evaluate(CODE_CELLS_JS, self.panel.element_handle())

    def screenshot(self, path: Path, code_cell: int) -> None:
        """A screenshot of the JupyterLab window with code cell number ``code_cell`` (from 0) in view."""
        with self.step("take a screenshot", 20):
            cell = self.panel.locator(".jp-CodeCell").nth(code_cell)
            cell.scroll_into_view_if_needed()
            self.page.screenshot(path=str(path))
