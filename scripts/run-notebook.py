#!/usr/bin/python3
"""Executes one notebook headless with nbclient and writes the executed copy.

usage: /usr/bin/python3 scripts/run-notebook.py IN.ipynb OUT.ipynb [--timeout S] [--kernel NAME]

The kernel is the notebook's own kernelspec (clipdown) unless --kernel is given; Jupyter must find
it, so run with JUPYTER_PATH=<project root> (scripts/lab.ts and the notebook tests set it).
Prints one JSON line on stdout: {"ok", "wall_s", "kernel_start_s", "cells": [{"index", "wall_s"}],
"error"}; the executed notebook is written even when a cell fails, so its error output can be read.
Exit status: 0 ok, 1 a cell failed, 2 usage or setup error.
"""
import json
import os
import sys
import time

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
except ImportError as e:  # pragma: no cover - depends on the machine
    print(json.dumps({"ok": False, "error": f"missing Python package: {e} (apt install python3-nbclient)"}))
    sys.exit(2)


def main(argv):
    args = list(argv)
    timeout = 600
    kernel = None
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = int(args[i + 1])
        del args[i : i + 2]
    if "--kernel" in args:
        i = args.index("--kernel")
        kernel = args[i + 1]
        del args[i : i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = args
    nb = nbformat.read(src, as_version=4)
    timings = []
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel or nb.metadata.get("kernelspec", {}).get("name", ""),
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
        allow_errors=False,
    )
    t0 = time.monotonic()
    result = {"ok": True, "error": None}
    try:
        with client.setup_kernel():
            t_kernel = time.monotonic()
            result["kernel_start_s"] = round(t_kernel - t0, 3)
            for index, cell in enumerate(nb.cells):
                t = time.monotonic()
                client.execute_cell(cell, index)
                if cell.cell_type == "code":
                    timings.append({"index": index, "wall_s": round(time.monotonic() - t, 3)})
    except CellExecutionError as e:
        result["ok"] = False
        result["error"] = str(e)[-4000:]
    except Exception as e:  # kernel died, timeout, missing kernelspec
        result["ok"] = False
        result["error"] = f"{type(e).__name__}: {e}"[-4000:]
    result["wall_s"] = round(time.monotonic() - t0, 3)
    result["cells"] = timings
    nbformat.write(nb, dst)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
