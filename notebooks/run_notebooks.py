#!/usr/bin/python3
"""Executes the notebooks headless with the Deno kernel, and fails on any error or lost output.

Stock `nbconvert --execute` loses cell outputs with the Deno kernel: the kernel can report `idle` before a
cell's last IOPub messages arrive, and nbclient stops reading at `idle`. This runner keeps reading IOPub for a
grace period after `idle` (an nbclient subclass), then checks every code cell:
  * an error output fails the run;
  * a code cell without outputs fails the run (a lost output), unless its metadata has "tags": ["no-output"].

Usage:
  /usr/bin/python3 notebooks/run_notebooks.py [--write] [--timeout S] [NOTEBOOK ...]
    --write    write the executed notebooks back (to commit their outputs); default: check only
    NOTEBOOK   default: every notebooks/NN_*.ipynb
Mode: DPO_KERNELS_NOTEBOOK_MODE=quick (CI) or full (the committed outputs); notebooks read it.
Needs Debian's jupyter-nbconvert and python3-nbclient, and `deno jupyter --install`.
"""
import argparse, asyncio, glob, os, queue, re, sys, time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async


class PatientClient(NotebookClient):
    """nbclient that drains IOPub for `grace` seconds after a cell's `idle`, so late outputs are kept."""

    grace = 1.5

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    break
        deadline = time.monotonic() + self.grace
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=left))
            except (queue.Empty, asyncio.TimeoutError, TimeoutError):
                return
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass


def check(nb, path):
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            e = errors[0]
            trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(e.get("traceback", [])))
            problems.append(f"{path}: cell {i} raised {e.get('ename')}: {e.get('evalue')}\n{trace}")
        elif not cell.get("outputs") and "no-output" not in tags:
            problems.append(f"{path}: cell {i} has no output (lost, or tag it no-output): {cell.source[:60]!r}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--timeout", type=int, default=900)
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    paths = a.notebooks or sorted(glob.glob(os.path.join(here, "[0-9][0-9]_*.ipynb")))
    mode = os.environ.setdefault("DPO_KERNELS_NOTEBOOK_MODE", "quick")
    failures = []
    for path in paths:
        started = time.time()
        nb = nbformat.read(path, as_version=4)
        client = PatientClient(nb, timeout=a.timeout, kernel_name="deno", allow_errors=True,
                               resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
        try:
            client.execute()
        except CellExecutionError as e:  # only with allow_errors=False; kept for safety
            failures.append(f"{path}: {e}")
            continue
        except Exception as e:  # kernel died, timeout
            failures.append(f"{path}: {type(e).__name__}: {e}")
            continue
        problems = check(nb, path)
        failures += problems
        status = "ok" if not problems else "FAILED"
        print(f"{status} {os.path.basename(path)} ({mode} mode, {time.time() - started:.0f} s)", flush=True)
        if a.write and not problems:
            nbformat.write(nb, path)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        print(f"{len(paths) - len({f.split(':')[0] for f in failures})} passed, "
              f"{len({f.split(':')[0] for f in failures})} failed")
        sys.exit(1)
    print(f"{len(paths)} passed, 0 failed")


if __name__ == "__main__":
    main()
