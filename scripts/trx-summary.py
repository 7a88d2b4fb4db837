#!/usr/bin/env python3
"""Sum the TRX files `dotnet test` wrote and print the plain CI line.

Usage: trx-summary.py RESULTS_DIR

Prints `N passed, N failed, N skipped` (computed from every *.trx below
RESULTS_DIR), lists the failed tests by name, and exits 1 when anything
failed or when no test ran at all, 0 otherwise.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    passed = failed = skipped = 0
    failures = []
    skip_reasons = {}
    files = sorted(root.rglob("*.trx")) if root.exists() else []
    for trx in files:
        tree = ET.parse(trx)
        for result in tree.iter(f"{NS}UnitTestResult"):
            outcome = result.get("outcome", "")
            name = result.get("testName", "?")
            if outcome == "Passed":
                passed += 1
            elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
                failed += 1
                failures.append(f"{trx.stem}: {name}")
            else:
                skipped += 1
                msg = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
                reason = (msg.text or "").strip() if msg is not None else "no reason given"
                skip_reasons[reason] = skip_reasons.get(reason, 0) + 1
    for reason, n in sorted(skip_reasons.items()):
        print(f"SKIPPED {n} test(s): {reason}")
    for f in failures:
        print(f"FAILED {f}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if not files:
        print(f"no TRX files under {root}: no test ran", file=sys.stderr)
        return 1
    if passed + failed == 0:
        print("zero tests ran", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
