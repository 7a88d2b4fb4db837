#!/usr/bin/env bash
# Run every test category and print the plain summary: what `make test` does
# after set-up and build.
#
#   scripts/test.sh
#
# Test groups, each a `dotnet test` of its own with its results (TRX) and its
# console log in build/test-results/<group>/:
#   main               every category but the NetBSD ones (unit, ABI, model, Docker/QEMU)
#   netbsd-<label>     the NetBSD category (Category=NetBSD) on one kernel set
#                      (a patched set leaves out LargeRequestTests, the agent line's):
#                      KSHIM_KERNEL/KSHIM_SYS, then KSHIM_OLD_KERNEL/KSHIM_OLD_SYS,
#                      then KSHIM_PATCHED_KERNEL/KSHIM_PATCHED_SYS, each set that is given.
#                      <label> is KSHIM_LABEL / KSHIM_OLD_LABEL / KSHIM_PATCHED_LABEL, else
#                      the name of the kernel's directory (10.99.12 for build/netbsd/10.99.12/netbsd)
#   netbsd-sets        tests that use several kernel sets at once (Category=NetBSDSets:
#                      the module compiled against every tree of KSHIM_COMPILE_SYS, validate
#                      of the patched kernel against the stock one)
# Without any kernel set the NetBSD category still runs once (group netbsd) and
# skips, naming what is missing.
#
# Groups run KSHIM_TEST_JOBS at a time (default 2); VMs of all of them share
# this machine's cores through MachineSlots.  The runner image tag is pinned
# for the whole run (KSHIM_RUNNER_IMAGE), so a host package upgrade half way
# through cannot change it under a running test.
#
# KSHIM_REQUIRE_NETBSD=1 (set by .ci/run when it found kernels) makes a
# skipped NetBSD test a failure.  Exit: 0 when everything passed, 1 otherwise
# (also when no test ran).
set -uo pipefail
cd "$(dirname "$0")/.."
results=build/test-results
rm -rf "$results"
mkdir -p "$results"
dotnet_flags=(--no-build -nologo -v:q -clp:NoSummary --logger trx)

if [ -z "${KSHIM_RUNNER_IMAGE:-}" ] && tag=$(vm-images/runner/build.sh --print-tag 2>/dev/null); then
	export KSHIM_RUNNER_IMAGE=$tag
fi

# group|kernel|sys|what to run (a dotnet test target) |filter
jobs=()
add_set() {
	local label=$1 kernel=$2 sys=$3 filter=$4
	[ -n "$kernel" ] && [ -n "$sys" ] || return 0
	[ -n "$label" ] || label=$(basename "$(dirname "$kernel")")
	jobs+=("netbsd-$label|$kernel|$sys|tests/KernelShim.NetBsd.Tests|$filter")
}
add_set "${KSHIM_LABEL:-}" "${KSHIM_KERNEL:-}" "${KSHIM_SYS:-}" "TestCategory=NetBSD"
add_set "${KSHIM_OLD_LABEL:-}" "${KSHIM_OLD_KERNEL:-}" "${KSHIM_OLD_SYS:-}" "TestCategory=NetBSD"
# A patched kernel differs from its stock one in uvm: the agent line's large
# requests (LargeRequestTests: the tty and the protocol, minutes of transfer)
# say nothing new about it, and are left to the stock sets.
add_set "${KSHIM_PATCHED_LABEL:-}" "${KSHIM_PATCHED_KERNEL:-}" "${KSHIM_PATCHED_SYS:-}" "TestCategory=NetBSD&FullyQualifiedName!~LargeRequestTests"
if [ ${#jobs[@]} -eq 0 ]; then
	jobs+=("netbsd|||tests/KernelShim.NetBsd.Tests|TestCategory=NetBSD")
fi
jobs+=("netbsd-sets|${KSHIM_KERNEL:-}|${KSHIM_SYS:-}|tests/KernelShim.NetBsd.Tests|TestCategory=NetBSDSets")
jobs+=("main|${KSHIM_KERNEL:-}|${KSHIM_SYS:-}|KernelShim.sln|TestCategory!=NetBSD&TestCategory!=NetBSDSets")

run_job() {
	local group kernel sys target filter start rc
	IFS='|' read -r group kernel sys target filter <<<"$1"
	start=$(date +%s)
	mkdir -p "$results/$group"
	echo "test: $group started"
	KSHIM_KERNEL=$kernel KSHIM_SYS=$sys KSHIM_SET_LABEL=${group#netbsd-} \
		dotnet test "$target" "${dotnet_flags[@]}" --filter "$filter" \
		--results-directory "$results/$group" >"$results/$group.log" 2>&1
	rc=$?
	echo "test: $group finished in $(( $(date +%s) - start )) s (dotnet test exit $rc; log $results/$group.log)"
}

max=${KSHIM_TEST_JOBS:-2}
for job in "${jobs[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$max" ]; do
		wait -n
	done
	run_job "$job" &
done
wait

exec scripts/trx-summary.py "$results"
