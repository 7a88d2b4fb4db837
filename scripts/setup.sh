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
# apt-get, waiting (up to 10 minutes, saying so once) while another apt or
# dpkg holds its lock rather than failing at once; any other error is fatal.
apt_waiting() {
	local err said=0 deadline=$((SECONDS + 600))
	err="$(mktemp)"
	# shellcheck disable=SC2086 # $1 is a list of words
	until apt-get -o DPkg::Lock::Timeout=600 $1 >/dev/null 2>"$err"; do
		if ! grep -q "Could not get lock\|Unable to lock\|Unable to acquire the dpkg frontend lock" "$err" || [ $SECONDS -ge $deadline ]; then
			cat "$err" >&2
			rm -f "$err"
			return 1
		fi
		if [ $said -eq 0 ]; then
			echo "setup: waiting for the apt lock ($(grep -o '/var/lib/[a-z/-]*lock[a-z-]*' "$err" | head -1)), held by another package manager"
			said=1
		fi
		sleep 3
	done
	rm -f "$err"
}

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: installing packages needs root: sudo $0 $*" >&2
		exit 2
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt_waiting "update -q"
	apt_waiting "install -y -q --no-install-recommends ${missing[*]}"
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
