#!/usr/bin/env python3
"""Sum the TRX files `dotnet test` wrote and print the plain CI line.

Usage: trx-summary.py RESULTS_DIR

Every *.trx below RESULTS_DIR counts.  A first-level folder is a test group
(scripts/test.sh makes one per kernel set: netbsd-10.99.12, ...); each group
whose name starts with `netbsd` gets a line of its own, `netbsd 10.99.12:
N passed, N failed, N skipped`, ahead of the plain total `N passed, N failed,
N skipped`.  Failed tests are listed by group and name, skipped ones by
reason.  With KSHIM_REQUIRE_NETBSD=1 (CI with kernels at hand) a skipped
test of a netbsd group counts as failed: there, a NetBSD test that does not
run is a defect, not a reason.

A group folder without any TRX (its run died) counts as one failure.

Exits 1 when anything failed or when no test ran at all, 0 otherwise.
"""
import os
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    require_netbsd = os.environ.get("KSHIM_REQUIRE_NETBSD") == "1"
    passed = failed = skipped = 0
    failures = []
    skip_reasons = {}
    groups = {}
    files = sorted(root.rglob("*.trx")) if root.exists() else []
    for trx in files:
        rel = trx.relative_to(root).parts
        group = rel[0] if len(rel) > 1 else ""
        counts = groups.setdefault(group, [0, 0, 0])
        tree = ET.parse(trx)
        for result in tree.iter(f"{NS}UnitTestResult"):
            outcome = result.get("outcome", "")
            name = result.get("testName", "?")
            where = f"{group}: {name}" if group else f"{trx.stem}: {name}"
            msg = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
            reason = (msg.text or "").strip() if msg is not None else "no reason given"
            if outcome == "Passed":
                passed += 1
                counts[0] += 1
            elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
                failed += 1
                counts[1] += 1
                failures.append(where)
            elif require_netbsd and group.startswith("netbsd"):
                failed += 1
                counts[1] += 1
                failures.append(f"{where} (skipped where kernels are required: {reason.splitlines()[0] if reason else ''})")
            else:
                skipped += 1
                counts[2] += 1
                skip_reasons[reason] = skip_reasons.get(reason, 0) + 1
    # A group folder without results: its `dotnet test` died before writing any.
    for folder in sorted(d for d in root.iterdir() if d.is_dir()) if root.exists() else []:
        if folder.name not in groups:
            groups[folder.name] = [0, 1, 0]
            failed += 1
            failures.append(f"{folder.name}: no test results at all (see {folder}.log)")
    for reason, n in sorted(skip_reasons.items()):
        print(f"SKIPPED {n} test(s): {reason}")
    for f in failures:
        print(f"FAILED {f}")
    for group in sorted(g for g in groups if g.startswith("netbsd")):
        p, f, k = groups[group]
        label = group.replace("-", " ", 1)
        print(f"{label}: {p} passed, {f} failed, {k} skipped")
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
