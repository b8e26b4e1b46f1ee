"""Execute a parameterised notebook inside the current Python process, like a Jupyter kernel would.

Starting a kernel and importing pandas, matplotlib and evalkit costs about 2.7 s per report,
five times the report's real work. This module removes that cost: the notebook's code cells
run in an IPython :class:`InteractiveShell` living in an already warm process (see
:mod:`evalkit.build.isolate`, which forks one fresh process per report, so the namespace,
figures and rcParams of one report can never reach the next).

Outputs are captured exactly as ipykernel publishes them and nbclient stores them:

- the value of a cell's last expression → ``execute_result`` (``text/plain``, ``text/html``, …
  from IPython's ``DisplayFormatter``, with the formatter's metadata and the execution count);
- ``IPython.display.display`` → ``display_data``; ``clear_output`` is honoured;
- ``print`` and warnings → ``stream`` outputs (``stdout``/``stderr``; consecutive writes to the
  same stream are joined, so output does not depend on flush timing);
- exceptions → ``error`` outputs with ``ename``, ``evalue`` and IPython's traceback.

Parameters are injected by papermill itself (``parameterize_notebook``) and execution is driven
through papermill's ``NotebookExecutionManager`` (this module registers a papermill *engine*),
so cell metadata, the injected-parameters cell and the error markers of a failed notebook are
papermill's own. The result is a normal executed notebook: nbval checks it and nbconvert exports it.

Known differences from a kernel: output written directly to file descriptors 1/2 by C code
or subprocesses is not captured, ``input()`` is not supported, and open matplotlib figures are
not shown automatically at the end of a cell (evalkit displays its charts explicitly).
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine, papermill_engines
from papermill.iorw import load_notebook_node
from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
from papermill.parameterize import parameterize_notebook
from traitlets import Any, List
from traitlets.config import Config

ENGINE_NAME = "evalkit-inprocess"


class CellTimeoutError(BaseException):
    """A cell ran longer than the per-cell timeout (a BaseException: ``except Exception`` cannot hide it)."""


#: The fields of each kind of output, in the order ``nbformat.v4.new_output`` sets them.
_OUTPUT_FIELDS = {"stream": ("name", "text"), "display_data": ("metadata", "data"),
                  "execute_result": ("metadata", "data", "execution_count"),
                  "error": ("ename", "evalue", "traceback")}


def _new_output(output_type: str, **fields) -> nbformat.NotebookNode:
    """The output ``nbformat.v4.new_output`` makes from the same fields, without its schema check.

    new_output runs jsonschema on every output (about a millisecond each, ~20 per report); these
    outputs are built here in the schema's shapes from all of their fields, and the executed
    notebook is validated as a whole when it is exported (:func:`evalkit.build.export.to_html`).
    """
    node = {"output_type": output_type}
    node.update((name, fields.pop(name)) for name in _OUTPUT_FIELDS[output_type])
    node.update(fields)
    return nbformat.from_dict(node)


class _CaptureDisplayHook(DisplayHook):
    """Records a cell's result as an ``execute_result`` output (as ipykernel's ZMQShellDisplayHook sends it)."""

    def start_displayhook(self):
        pass

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.shell._record(_new_output(
            "execute_result", data=format_dict, metadata=md_dict or {}, execution_count=self.prompt_count))

    def finish_displayhook(self):
        sys.stdout.flush()
        sys.stderr.flush()


class _CaptureDisplayPublisher(DisplayPublisher):
    """Records ``display()`` calls as ``display_data`` outputs (and handles display ids, clear_output)."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        shell = self.shell
        display_id = (transient or {}).get("display_id")
        if update:
            for output in shell._outputs:
                if output.get("_display_id") == display_id and display_id is not None:
                    output["data"], output["metadata"] = data, metadata or {}
            return
        output = _new_output("display_data", data=data, metadata=metadata or {})
        shell._record(output, display_id=display_id)

    def clear_output(self, wait=False):
        if wait:
            self.shell._clear_pending = True
        else:
            self.shell._outputs.clear()


class _Stream:
    """``sys.stdout``/``sys.stderr`` while a cell runs: text becomes ``stream`` outputs."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, shell: CaptureShell, name: str):
        self._shell, self.name = shell, name

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self._shell._write_stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("stream has no file descriptor inside a report")

    @property
    def closed(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


class CaptureShell(InteractiveShell):
    """An InteractiveShell whose outputs are collected as nbformat outputs, like a kernel's."""

    displayhook_class = Any(_CaptureDisplayHook)
    display_pub_class = Any(_CaptureDisplayPublisher)
    _outputs = List()

    def _record(self, output, display_id=None) -> None:
        if getattr(self, "_clear_pending", False):
            self._outputs.clear()
            self._clear_pending = False
        if display_id is not None:
            output["_display_id"] = display_id
        self._outputs.append(output)

    def _write_stream(self, name: str, text: str) -> None:
        if getattr(self, "_clear_pending", False):
            self._outputs.clear()
            self._clear_pending = False
        last = self._outputs[-1] if self._outputs else None
        if last is not None and last.get("output_type") == "stream" and last.get("name") == name:
            last["text"] += text
        else:
            self._outputs.append(_new_output("stream", name=name, text=text))

    def _showtraceback(self, etype, evalue, stb):
        # As ipykernel's ZMQInteractiveShell: the structured traceback becomes an error output.
        self._outputs.append(_new_output(
            "error", ename=str(etype.__name__), evalue=str(evalue), traceback=stb))

    def enable_gui(self, gui=None):  # no event loop in a report
        pass

    def run_cell_capture(self, source: str, timeout: float | None = None) -> tuple[int, list, bool]:
        """Run one cell; return (execution count, outputs, failed)."""
        self._outputs = []
        self._clear_pending = False
        count = self.execution_count
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Stream(self, "stdout"), _Stream(self, "stderr")
        try:
            with _alarm(timeout):
                result = self.run_cell(source, store_history=True, silent=False)
        finally:
            sys.stdout, sys.stderr = saved
        outputs = []
        for output in self._outputs:
            output.pop("_display_id", None)
            outputs.append(output)
        failed = not result.success
        if failed and result.error_in_exec is not None and isinstance(result.error_in_exec, SystemExit):
            failed = result.error_in_exec.code not in (None, 0)
        return count, outputs, failed


@contextmanager
def _alarm(seconds: float | None):
    """Raise :class:`CellTimeoutError` in the cell after ``seconds`` (main thread, POSIX only)."""
    usable = seconds and hasattr(signal, "setitimer") and _in_main_thread()
    if not usable:
        yield
        return

    def _fire(signum, frame):
        raise CellTimeoutError(f"Cellen avbröts efter {seconds:g} s (tidsgräns per cell)")

    previous = signal.signal(signal.SIGALRM, _fire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


_SHELL: CaptureShell | None = None


def shell() -> CaptureShell:
    """The process's capture shell (created once; use a fresh process per report for a clean namespace)."""
    global _SHELL
    if _SHELL is None:
        c = Config()
        c.HistoryManager.enabled = False  # no sqlite history file
        c.InteractiveShell.colors = "nocolor"  # plain tracebacks in failed notebooks
        c.InteractiveShell.xmode = "Context"
        _SHELL = CaptureShell.instance(config=c)
    return _SHELL


def language_info() -> dict:
    """What ipykernel reports as ``language_info`` (papermill stores it in the notebook metadata)."""
    return {
        "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": f"ipython{sys.version_info[0]}",
        "version": sys.version.split()[0],
    }


class InProcessEngine(Engine):
    """papermill engine executing cells in this process with :class:`CaptureShell`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, execution_timeout=None, on_cell=None, **kwargs):
        sh = shell()
        sh.init_sys_modules()  # the user module is __main__ while the report runs, as in a kernel
        nb = nb_man.nb
        for index, cell in enumerate(nb.cells):
            try:
                nb_man.cell_start(cell, index)
                if on_cell:
                    on_cell("start", index, cell, nb)
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                if "skip-execution" in cell.metadata.get("tags", []):
                    continue
                count, outputs, failed = sh.run_cell_capture(cell.source, execution_timeout)
                cell.execution_count = count
                for output in outputs:
                    if output.output_type == "execute_result":
                        output.execution_count = count
                cell.outputs = outputs
                if failed and "raises-exception" not in cell.metadata.get("tags", []):
                    nb_man.cell_exception(nb.cells[index], cell_index=index)
                    break
            finally:
                nb_man.cell_complete(nb.cells[index], cell_index=index)
                if on_cell:
                    on_cell("done", index, nb.cells[index], nb)
        nb.metadata["language_info"] = language_info()
        return nb


papermill_engines.register(ENGINE_NAME, InProcessEngine)


class NotebookFailed(Exception):
    """The notebook raised; ``notebook`` is the executed notebook with papermill's error markers."""

    def __init__(self, error: BaseException, notebook: nbformat.NotebookNode):
        super().__init__(str(error))
        self.error, self.notebook = error, notebook


def execute(notebook_path: str, parameters: dict, cwd: str | None = None, cell_timeout: float | None = None,
            input_path: str | None = None, on_cell=None) -> nbformat.NotebookNode:
    """Parameterise (papermill) and execute a notebook in this process; return the executed notebook.

    Mirrors ``papermill.execute_notebook`` step by step, with the in-process engine instead of a
    kernel. Raises :class:`NotebookFailed` (holding the executed notebook) when a cell fails.
    """
    nb = load_notebook_node(str(notebook_path))
    if parameters:
        nb = parameterize_notebook(nb, parameters, kernel_name="python3", engine_name=ENGINE_NAME)
    nb = prepare_notebook_metadata(nb, input_path or notebook_path, None)
    nb = remove_error_markers(nb)
    old_cwd = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        nb = papermill_engines.execute_notebook_with_engine(
            ENGINE_NAME, nb, kernel_name="python3", output_path=None, progress_bar=False,
            execution_timeout=cell_timeout, on_cell=on_cell)
    finally:
        os.chdir(old_cwd)
    try:
        raise_for_execution_errors(nb, None)  # adds papermill's error markers to nb in place
    except Exception as exc:
        raise NotebookFailed(exc, nb) from None
    return nb

