#!/usr/bin/env python3
"""Execute the ogi notebooks headless (nbclient, Agg backend).

Usage: OGI_OUT=./ogi-demo python3 notebooks/run_notebooks.py [notebook.ipynb ...]

Figures go to notebooks/figures/ (env OGI_FIGURES), executed copies to
notebooks/executed/ (env OGI_EXECUTED); nothing is written into OGI_OUT.
Exits non-zero if any notebook raises.
"""
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def main() -> int:
    out = Path(os.environ.get("OGI_OUT", "./ogi-demo")).resolve()
    os.environ["OGI_OUT"] = str(out)
    os.environ["MPLBACKEND"] = "Agg"
    os.environ.setdefault("OGI_FIGURES", str(HERE / "figures"))
    names = sys.argv[1:] or sorted(p.name for p in HERE.glob("[0-9][0-9]_*.ipynb"))
    dest = Path(os.environ.get("OGI_EXECUTED", HERE / "executed"))
    dest.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in names:
        path = HERE / name
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}})
        try:
            client.execute()
            print(f"ok      {name}")
        except Exception as e:  # report and continue with the next notebook
            failed.append(name)
            print(f"FAILED  {name}: {type(e).__name__}: {str(e)[-2000:]}")
        nbformat.write(nb, dest / name)
    print(f"executed copies in {dest}; figures in {os.environ['OGI_FIGURES']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
