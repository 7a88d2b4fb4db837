# KernelShim: the two commands a newcomer needs are `make test` and `make run`.
# Each does the set-up it needs itself (scripts/setup.sh is idempotent).

SHELL := /bin/bash
BUILD := $(CURDIR)/build
RESULTS := $(BUILD)/test-results
DOTNET_FLAGS := -nologo -v:q -clp:NoSummary
# Where a NetBSD sys tree lives, for `make kmod` (or KSHIM_SYS in the environment).
NETBSD_SYS ?= $(KSHIM_SYS)

.PHONY: all setup setup-offline native build test test-unit run bench bindings kmod kmod-matrix clean

# The default goal is the main job, offline, on the reference model.
all: run

setup:
	@scripts/setup.sh

setup-offline:
	@scripts/setup.sh --no-docker

native:
	@$(MAKE) -s -C native all

build: native
	@dotnet build KernelShim.sln $(DOTNET_FLAGS)

# Everything: unit, ABI, model, the Docker/QEMU integration tests, and the
# NetBSD category on each kernel set in the environment (KSHIM_KERNEL, ...).
# The NetBSD category runs once per kernel set given (scripts/test.sh says how).
test: setup build
	@scripts/test.sh

# Tests that need neither Docker nor QEMU.
test-unit: setup-offline build
	@rm -rf $(RESULTS)
	@dotnet test KernelShim.sln --no-build $(DOTNET_FLAGS) \
		--filter "TestCategory!=Docker&TestCategory!=NetBSD" \
		--logger "trx" --results-directory $(RESULTS) || true
	@scripts/trx-summary.py $(RESULTS)

# The main job.  Offline default: the scenario suite on the reference model.
# ./kshim builds the CLI (and native/) itself when a source changed, into the
# same outputs as `make build`: a warm `make run` rebuilds nothing.
run: setup-offline
	@./kshim run --target model

bench: setup build
	@./kshim bench --suite-runs 3 --validate-cold

# Regenerate bindings/KernelShim.Bindings/Generated from native/include.
bindings:
	@bindings/generate.sh

# Cross-build the uvmshim module and the guest agent against a NetBSD sys tree.
kmod:
	@test -n "$(NETBSD_SYS)" || { echo "make kmod: set NETBSD_SYS=/path/to/netbsd/sys (or KSHIM_SYS)"; exit 2; }
	@$(MAKE) -s -C native/kmod NETBSD_SYS="$(NETBSD_SYS)"
	@$(MAKE) -s -C native/agent NETBSD_SYS="$(NETBSD_SYS)"

# The module against every sys tree of KSHIM_COMPILE_SYS (colon-separated):
# one line per tree with its version; fails if any tree fails.
kmod-matrix:
	@$(MAKE) -s --no-print-directory -C native/kmod matrix

clean:
	@-$(MAKE) -s -C native clean
	@rm -rf $(BUILD)
	@find . -path ./.git -prune -o \( -name bin -o -name obj \) -type d -prune -exec rm -rf {} +
