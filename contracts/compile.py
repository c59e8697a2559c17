"""Compiles contracts/RakisInbox.vy into contracts/RakisInbox.json (ABI and bytecode).

usage: compile.py [--check]
With --check it writes nothing and exits 1 when the committed artifact differs from a fresh
compilation (the test suite runs it so), naming what differs.
"""
import json
import pathlib
import sys

import vyper

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "RakisInbox.vy"
ARTIFACT = HERE / "RakisInbox.json"


def compiled():
    out = vyper.compile_code(SOURCE.read_text(), output_formats=["abi", "bytecode", "bytecode_runtime"])
    artifact = {
        "contractName": "RakisInbox",
        "compiler": "vyper " + vyper.__version__,
        "abi": out["abi"],
        "bytecode": out["bytecode"],
        "deployedBytecode": out["bytecode_runtime"],
    }
    return json.dumps(artifact, indent=1, sort_keys=True) + "\n"


def main():
    fresh = compiled()
    if "--check" in sys.argv[1:]:
        committed = ARTIFACT.read_text() if ARTIFACT.exists() else ""
        if committed != fresh:
            old, new = json.loads(committed or "{}"), json.loads(fresh)
            differing = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            print(f"{ARTIFACT.name} is stale ({', '.join(differing)} differ); run: .venv/bin/python contracts/compile.py")
            sys.exit(1)
        print(f"{ARTIFACT.name} matches {SOURCE.name} ({json.loads(fresh)['compiler']})")
        return
    ARTIFACT.write_text(fresh)
    print(f"wrote {ARTIFACT}")


main()
