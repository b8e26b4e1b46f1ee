"""Run one report in a fresh process forked from a warm template: fast, isolated, killable.

multiprocessing's *fork server* is the template: a single-threaded process that imports
:mod:`evalkit.build.warm` once (pandas, matplotlib, IPython, papermill, nbconvert, evalkit, the
tidy table, cached loaders, fonts). Each report is a new child forked from it, so

- start-up is paid once per build (per Dask worker with ``--executor dask``), not per report;
- every report starts from the same clean state: no variable, figure, rcParam or option set by
  one report can reach another, because the template never runs notebook code and every child
  exits after its report;
- a hung report is killed at the per-report timeout, and a report that kills its process
  (``os._exit``, a segfault) only loses its own child. Either way the cells finished so far,
  which the child streamed to us, are kept for debugging with an error in the cell that was running.

The child executes the notebook (:mod:`evalkit.build.inprocess`), normalises it and exports
the HTML; it returns text, and the caller writes files. So Dask workers need the project's
inputs and code, but no shared output folder.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field

from evalkit import fingerprint
from evalkit.build.output import summarise  # one wording of errors for both engines

WARM_MODULE = "evalkit.build.warm"

_lock = threading.Lock()
_context = None


@dataclass
class Outcome:
    """What one report produced: HTML and notebook text on success, a failed notebook otherwise."""

    slug: str
    ok: bool
    seconds: float
    error: str = ""
    html: str | None = None
    notebook: str | None = None  # normalised executed notebook (success)
    failed_notebook: str | None = None  # executed notebook with the error, for reports/failed/
    details: str = ""  # traceback text when there is no notebook to keep
    cells: dict = field(default_factory=dict)  # seconds per cell index


def context():
    """The fork-server multiprocessing context whose server has imported the warm-up module."""
    global _context
    with _lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([WARM_MODULE])
            _context = ctx
        return _context


def _source_fingerprint() -> tuple:
    """Names, sizes and modification times of what the template has loaded (a few milliseconds):
    evalkit's files, the processed data and the raw reference tables its cached loaders read."""
    from evalkit.build.cache import processed_files

    return fingerprint.file_stats(fingerprint.package_files() + processed_files() + fingerprint.reference_files())


_fingerprint: tuple | None = None


def start_template() -> None:
    """Start the template process (it warms up while the caller does other work).

    A template imported evalkit and loaded the data when it started; if evalkit's source, the
    processed data or the raw reference tables have changed since (a long-lived process such as a Dask worker or a test
    session), it is replaced by a new one, so reports never run stale code or cached data.
    """
    global _fingerprint
    from multiprocessing import forkserver

    context()
    with _lock:
        current = _source_fingerprint()
        if _fingerprint is not None and current != _fingerprint:
            forkserver._forkserver._stop()
        _fingerprint = current
        forkserver.ensure_running()


def run(slug: str, notebook: str, parameters: dict, title: str, provenance: dict, cell_timeout: float | None,
        report_timeout: float | None, env: dict | None = None, cancel: threading.Event | None = None,
        check_template: bool = True) -> Outcome:
    """Execute one report in a fresh child of the template; never raises for a report's own failure.

    ``check_template``: first make sure the template runs the current evalkit source (the local
    executor checks once per build instead).
    """
    ctx = context()
    if check_template:
        start_template()
    start = time.perf_counter()
    receiver, sender = ctx.Pipe(duplex=False)
    payload = {"slug": slug, "notebook": notebook, "parameters": parameters, "title": title,
               "provenance": provenance, "cell_timeout": cell_timeout, "env": env}
    proc = ctx.Process(target=_child, args=(sender, payload), name=f"evalkit-{slug}", daemon=True)
    _start(proc)
    sender.close()
    deadline = None if not report_timeout else time.monotonic() + report_timeout
    partial, cells, running, final, timed_out, cancelled = None, {}, None, None, False, False
    started: dict[int, float] = {}
    cell_seconds: dict[int, float] = {}
    while True:
        wait = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
        if wait <= 0:
            timed_out = True
            break
        if cancel is not None and cancel.is_set():
            cancelled = True
            break
        if not receiver.poll(wait):
            continue
        try:
            message = receiver.recv()
        except (EOFError, OSError):
            break  # the child is gone
        kind = message[0]
        if kind == "notebook":
            partial = message[1]
        elif kind == "start":
            running = message[1]
            started[running] = time.perf_counter()
        elif kind == "done":
            cells[message[1]] = message[2]
            cell_seconds[message[1]] = round(time.perf_counter() - started.get(message[1], start), 3)
            running = None
        else:
            final = message
            break
    if (timed_out or cancelled) and proc.is_alive():
        proc.kill()
    proc.join(10)
    if proc.is_alive():
        proc.kill()
        proc.join()
    receiver.close()
    seconds = time.perf_counter() - start
    if final is not None and final[0] == "ok":
        return Outcome(slug, True, seconds, html=final[1], notebook=final[2], cells=cell_seconds)
    if final is not None and final[0] == "failed":
        return Outcome(slug, False, seconds, error=final[1], failed_notebook=final[2], cells=cell_seconds)
    if final is not None:  # "error": the engine itself raised (bad notebook file, export error, …)
        return Outcome(slug, False, seconds, error=final[1], details=final[2], cells=cell_seconds)
    if cancelled:
        error, ename = "Bygget avbröts", "KeyboardInterrupt"
    elif timed_out:
        error = f"Rapporten avbröts efter {report_timeout:g} s (tidsgräns per rapport)"
        ename = "ReportTimeout"
    else:
        code = proc.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"status {code}"
        error = f"Processen som körde rapporten dog ({how})"
        ename = "DeadKernelError"
    if running is not None:
        error += f" under cell {running}"
    return Outcome(slug, False, seconds, error=error, cells=cell_seconds,
                   failed_notebook=_partial_notebook(partial, cells, running, ename, error),
                   details=error)


def _start(proc) -> None:
    """Start ``proc``, also from a daemonic process (a Dask worker is one by default).

    multiprocessing refuses children of daemonic processes so that none outlive their parent.
    Ours cannot: they are children of the fork server, which exits with its parent, and they
    are killed at the report timeout.
    """
    config = multiprocessing.current_process()._config
    if not config.get("daemon"):
        proc.start()
        return
    with _lock:
        config["daemon"] = False
        try:
            proc.start()
        finally:
            config["daemon"] = True


def _partial_notebook(partial: bytes | None, cells: dict, running: int | None, ename: str, evalue: str) -> str | None:
    """The notebook as far as it ran, with an error output in the cell that was running.

    ``partial`` and the values of ``cells`` are the pickles the child sent (see :func:`_child`)."""
    if partial is None:
        return None
    import nbformat

    nb = pickle.loads(partial)
    for index, cell in cells.items():
        nb.cells[index] = nbformat.from_dict(pickle.loads(cell))
    if running is not None and running < len(nb.cells):
        cell = nb.cells[running]
        if cell.cell_type == "code":
            cell.outputs = list(cell.get("outputs", [])) + [
                nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])]
        cell.metadata.setdefault("papermill", {}).update({"status": "failed", "exception": True})
    nb.metadata.setdefault("papermill", {})["exception"] = True
    return nbformat.writes(nb) + "\n"


def _child(conn, payload: dict) -> None:
    """In the forked child: execute, normalise, export; send the result; exit."""
    if payload.get("env") is not None:
        os.environ.clear()
        os.environ.update(payload["env"])
    try:
        import nbformat

        from evalkit.build import export, inprocess

        # The notebook and each finished cell go to the parent as pickles, which it keeps as bytes
        # and opens only to assemble a partial notebook (a report that hung or died): so the
        # parent never imports nbformat (with jsonschema's format checkers, ~1 s) nor unpickles a
        # cell of a report that finishes, and the child does not serialise or validate JSON here.
        def on_cell(event, index, cell, nb):
            if event == "start":
                if index == 0:
                    conn.send(("notebook", pickle.dumps(nb, pickle.HIGHEST_PROTOCOL)))
                conn.send(("start", index))
            else:
                conn.send(("done", index, pickle.dumps(dict(cell), pickle.HIGHEST_PROTOCOL)))

        nb_dir = os.path.dirname(os.path.abspath(payload["notebook"]))
        try:
            nb = inprocess.execute(payload["notebook"], payload["parameters"], cwd=nb_dir,
                                   cell_timeout=payload["cell_timeout"], on_cell=on_cell)
        except inprocess.NotebookFailed as failed:
            conn.send(("failed", summarise(failed.error), nbformat.writes(export.normalise(failed.notebook)) + "\n"))
            return
        nb = export.normalise(nb)
        html = export.to_html(nb, payload["title"], payload["provenance"])  # validates the notebook once
        conn.send(("ok", html, export.notebook_json(nb)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, never swallowed silently
        try:
            conn.send(("error", summarise(exc), traceback.format_exc()))
        except Exception:  # noqa: BLE001
            print(traceback.format_exc(), file=sys.stderr)
    finally:
        conn.close()

