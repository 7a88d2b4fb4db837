#!/usr/bin/env bash
# Install what a fresh Debian 12 machine (with the .NET 10 SDK) lacks for
# KernelShim, start the Docker engine and build the QEMU runner image.
# Idempotent: a second run only checks, and takes a second or two.
#
#   scripts/setup.sh            everything
#   scripts/setup.sh --no-docker  packages and .NET restore only
set -euo pipefail
cd "$(dirname "$0")/.."

with_docker=1
[ "${1:-}" = "--no-docker" ] && with_docker=0

# Debian packages the project uses, and why.
pkgs=(
	make gcc clang lld llvm      # native/: model, core, test guest, kmod cross-build
	python3                      # scripts/trx-summary.py
	qemu-system-x86 qemu-utils   # the runner image is assembled from these
	docker.io                    # the engine (dockerd); started below
	makefs                       # micro root file systems (FFS)
	grub-pc-bin grub-common xorriso mtools  # GRUB knetbsd boot ISOs
	busybox-static               # a shell inside the slim runner image
	socat                        # in the runner image: QEMU's sockets through docker exec (copy mode)
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "setup: Debian packages present"
fi

if ! command -v dotnet >/dev/null; then
	echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2
	exit 1
fi

if [ $with_docker = 1 ]; then
	scripts/docker-engine.sh
	vm-images/runner/build.sh
fi
