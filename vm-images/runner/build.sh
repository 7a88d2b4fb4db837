#!/bin/bash
# Build the KernelShim QEMU runner image offline, from this host's installed Debian packages.
#
#   vm-images/runner/build.sh [--force] [--print-tag] [--no-verify]
#
# 1. Collects a slim root: qemu-system-x86_64 (+ the libraries ldd lists, the TCG accelerator
#    module, SeaBIOS/option-ROM firmware), the boot-media tools grub-mkrescue, grub-mkimage,
#    xorriso, mtools (mformat, mcopy, ...), makefs, qemu-img (+ libraries, /usr/lib/grub/i386-pc),
#    busybox (static) for a shell, and socat (the harness reaches QEMU's unix sockets through
#    `docker exec socat` on engines that do not share our file system).
# 2. Hashes the inputs: this script, the Dockerfile and every collected file (path, mode and
#    sha256, or the target of a symlink). The image tag is kshim-runner:<hash>.
#    If that tag already exists, nothing is built ("runner image up to date").
# 3. `docker import`s the root as kshim-base:<hash>, `docker build`s the Dockerfile on top
#    (legacy builder, no registry) as kshim-runner:<hash>, tags kshim-runner:latest.
# 4. Verifies: qemu --version, grub-mkrescue makes an ISO, and QEMU (TCG) boots it to a GRUB
#    message on the serial line, all inside a --network none container.
#
# Options:
#   --print-tag   print the tag the inputs hash to (kshim-runner:<hash>) and exit
#   --force       rebuild even when the tag exists
#   --no-verify   skip step 4
# Environment: DOCKER (client binary, default: docker), KSHIM_RUNNER_REPO (default kshim-runner).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
DOCKER="${DOCKER:-docker}"
REPO="${KSHIM_RUNNER_REPO:-kshim-runner}"
BASE_REPO="${KSHIM_BASE_REPO:-kshim-base}"
export DOCKER_API_VERSION="${DOCKER_API_VERSION:-1.41}"

force=0 print_tag=0 verify=1
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        --print-tag) print_tag=1 ;;
        --no-verify) verify=0 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "build.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

die() { echo "build.sh: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
t0=$(now_ms)

# ---------------------------------------------------------------------------------------------
# What goes into the root.
REQUIRED_BINARIES=(
    /usr/bin/qemu-system-x86_64
    /usr/bin/grub-mkrescue
    /usr/bin/grub-mkimage
    /usr/bin/xorriso
    /usr/bin/mtools /usr/bin/mformat /usr/bin/mcopy /usr/bin/mmd /usr/bin/mdir
    /usr/sbin/makefs
    /usr/bin/busybox
    /usr/bin/socat
)
OPTIONAL_BINARIES=(
    /usr/bin/qemu-img
)
QEMU_MODULES=(
    /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
)
# Firmware and ROMs an x86 machine (pc or q35, with or without -nodefaults) loads.
REQUIRED_DATA=(
    /usr/share/seabios
    /usr/share/qemu/kvmvapic.bin
    /usr/share/qemu/linuxboot.bin
    /usr/share/qemu/linuxboot_dma.bin
    /usr/share/qemu/multiboot.bin
    /usr/share/qemu/multiboot_dma.bin
    /usr/share/qemu/pvh.bin
    /usr/share/qemu/qboot.rom
    /usr/share/qemu/bios-microvm.bin
    /usr/share/qemu/sgabios.bin
    /usr/lib/grub/i386-pc
    /usr/share/grub/unicode.pf2
)
OPTIONAL_DATA=(
    /usr/lib/ipxe/qemu        # NIC option ROMs: only when a machine keeps its default NIC
)

# Host packages that provide the above (installed by apt when a required file is missing).
HOST_PACKAGES=(qemu-system-x86 grub-pc-bin grub-common xorriso mtools makefs busybox-static socat)

missing=()
for f in "${REQUIRED_BINARIES[@]}" "${QEMU_MODULES[@]}" "${REQUIRED_DATA[@]}"; do
    [ -e "$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing host files (install ${HOST_PACKAGES[*]}): ${missing[*]}"
    echo "build.sh: installing host packages for: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${HOST_PACKAGES[@]}" >&2
    for f in "${missing[@]}"; do [ -e "$f" ] || die "still missing after apt-get: $f"; done
fi

# ---------------------------------------------------------------------------------------------
# Collect: canonical paths (directories resolved, so /lib/x86_64-linux-gnu lands in
# /usr/lib/x86_64-linux-gnu on merged-/usr hosts); symlinks are kept and their targets added.
declare -A SEEN=() REALDIR=()
ENTRIES=()   # "F<TAB>path" | "L<TAB>path<TAB>target"

add_path() {
    local p="$1" dir canon target name
    [ -e "$p" ] || [ -L "$p" ] || die "no such file: $p"
    dir="${p%/*}"; name="${p##*/}"
    [ -n "$dir" ] || dir=/
    if [ -z "${REALDIR[$dir]:-}" ]; then REALDIR[$dir]="$(realpath -e "$dir")"; fi
    dir="${REALDIR[$dir]}"
    canon="${dir%/}/$name"
    [ -z "${SEEN[$canon]:-}" ] || return 0
    SEEN[$canon]=1
    if [ -L "$canon" ]; then
        target="$(readlink "$canon")"
        ENTRIES+=("L	$canon	$target")
        case "$target" in
            /*) add_path "$target" ;;
            *) add_path "$dir/$target" ;;
        esac
    elif [ -d "$canon" ]; then
        local c
        for c in "$canon"/* "$canon"/.[!.]*; do
            [ -e "$c" ] || [ -L "$c" ] || continue
            add_path "$c"
        done
    else
        ENTRIES+=("F	$canon")
    fi
}

add_elf_with_libs() {
    local f="$1" lib
    add_path "$f"
    # ldd lines: "libx.so => /path (0x..)" or "/lib64/ld-linux-x86-64.so.2 (0x..)"
    while read -r lib; do
        [ -n "$lib" ] && add_path "$lib"
    done < <(ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}

for f in "${REQUIRED_BINARIES[@]}" "${QEMU_MODULES[@]}"; do add_elf_with_libs "$f"; done
for f in "${OPTIONAL_BINARIES[@]}"; do [ -e "$f" ] && add_elf_with_libs "$f"; done
for f in "${REQUIRED_DATA[@]}"; do add_path "$f"; done
for f in "${OPTIONAL_DATA[@]}"; do [ -e "$f" ] && add_path "$f"; done

# Top-level merged-/usr links (/bin -> usr/bin, /lib64 -> usr/lib64, ...), as on the host.
TOP_LINKS=()
for d in bin sbin lib lib64; do
    if [ -L "/$d" ]; then TOP_LINKS+=("$d	$(readlink "/$d")"); fi
done

# ---------------------------------------------------------------------------------------------
# Content hash over the inputs.
FILES=() LINKS=()
for e in "${ENTRIES[@]}"; do
    case "$e" in
        F*) FILES+=("${e#F	}") ;;
        L*) LINKS+=("${e#L	}") ;;
    esac
done

manifest() {
    # Symlinks with their targets, files with their modes and content hashes (one call each).
    printf 'L %s\n' "${LINKS[@]}" | sort
    printf '%s\0' "${FILES[@]}" | sort -z | xargs -0 stat -c 'M %n %a'
    printf '%s\0' "${FILES[@]}" | sort -z | xargs -0 sha256sum
    printf 'T %s\n' "${TOP_LINKS[@]}"
}

MANIFEST="$(manifest)"
HASH="$( { printf '%s\n' "$MANIFEST"; sha256sum "$HERE/Dockerfile" "$HERE/build.sh" | awk '{print $1}'; } \
         | sha256sum | cut -c1-16)"
TAG="$REPO:$HASH"
BASE_TAG="$BASE_REPO:$HASH"

if [ "$print_tag" = 1 ]; then
    echo "$TAG"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# The engine must answer.
if ! "$DOCKER" version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; then
    "$REPO_ROOT/scripts/docker-engine.sh" || die "no Docker engine (see scripts/docker-engine.sh)"
fi

image_size() { "$DOCKER" image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1000000 }'; }

if [ "$force" = 0 ] && "$DOCKER" image inspect "$TAG" >/dev/null 2>&1; then
    "$DOCKER" tag "$TAG" "$REPO:latest"
    echo "runner image up to date: $TAG ($(image_size "$TAG"))"
    exit 0
fi

# Images a --force rebuild replaces (removed at the end, once nothing is tagged with them).
old_ids="$("$DOCKER" image inspect --format '{{.Id}}' "$TAG" "$BASE_TAG" 2>/dev/null || true)"

# ---------------------------------------------------------------------------------------------
# Assemble the root and import it.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kshim-runner.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/root"
mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,usr/share/locale,etc,tmp,root,work,dev,proc,sys,run}
chmod 1777 "$ROOT/tmp"
for e in "${TOP_LINKS[@]}"; do
    IFS=$'\t' read -r name target <<<"$e"
    ln -s "$target" "$ROOT/$name"
done
for e in "${FILES[@]}" "${LINKS[@]}"; do
    path="${e%%	*}"
    mkdir -p "$ROOT${path%/*}"
done
for path in "${FILES[@]}"; do cp -p "$path" "$ROOT$path"; done
for e in "${LINKS[@]}"; do ln -sfn "${e#*	}" "$ROOT${e%%	*}"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
printf '%s\n' "$MANIFEST" >"$ROOT/etc/kshim-runner.manifest"
echo "$HASH" >"$ROOT/etc/kshim-runner.hash"

echo "build.sh: importing $BASE_TAG ($(du -sh "$ROOT" | cut -f1) root, ${#ENTRIES[@]} entries)" >&2
tar -C "$ROOT" --numeric-owner --owner=0 --group=0 -cf - . \
    | "$DOCKER" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change "LABEL org.kernelshim.image=runner-base org.kernelshim.hash=$HASH" \
        - "$BASE_TAG" >/dev/null

# Build context: just the Dockerfile (nothing else is copied into the image).
mkdir -p "$WORK/ctx"
cp "$HERE/Dockerfile" "$WORK/ctx/Dockerfile"
echo "build.sh: building $TAG" >&2
# --network none: the RUN steps need no network, and the engine's default bridge may be absent.
DOCKER_BUILDKIT=0 "$DOCKER" build -q --network none \
    --build-arg "BASE=$BASE_TAG" \
    --label "org.kernelshim.hash=$HASH" \
    -t "$TAG" -t "$REPO:latest" "$WORK/ctx" >/dev/null 2>"$WORK/build.err" \
    || { cat "$WORK/build.err" >&2; die "docker build failed"; }

# ---------------------------------------------------------------------------------------------
# Verify inside a network-less container.
if [ "$verify" = 1 ]; then
    version="$("$DOCKER" run --rm --network none "$TAG" qemu-system-x86_64 --version)" \
        || die "verification failed: qemu-system-x86_64 --version does not run in the image"
    echo "build.sh: in the image: ${version%%$'\n'*}" >&2
    # grub-mkrescue -> ISO -> QEMU (TCG, q35, -nodefaults) -> GRUB prints on the serial line.
    out="$("$DOCKER" run --rm --network none "$TAG" sh -ec '
        mkdir -p /tmp/iso/boot/grub
        cat >/tmp/iso/boot/grub/grub.cfg <<EOF
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
echo KSHIM-RUNNER-BOOT-OK
halt
EOF
        grub-mkrescue -o /tmp/boot.iso /tmp/iso >/tmp/mkrescue.log 2>&1 || { cat /tmp/mkrescue.log; exit 1; }
        timeout 60 qemu-system-x86_64 -machine q35 -accel tcg -m 64 -nodefaults -nic none \
            -display none -serial stdio -no-reboot \
            -drive file=/tmp/boot.iso,media=cdrom,if=ide,readonly=on </dev/null &
        pid=$!
        # GRUB halts the machine (ACPI poweroff); the timeout is the safety net.
        wait $pid || true
    ' 2>&1)" || true
    if ! grep -q KSHIM-RUNNER-BOOT-OK <<<"$out"; then
        echo "$out" | tail -n 30 >&2
        die "verification failed: QEMU did not boot a grub-mkrescue ISO to its serial message"
    fi
    echo "build.sh: verified: grub-mkrescue ISO boots in QEMU (TCG) to serial output" >&2
fi

# Drop the images of earlier inputs once they are a day old (kept when a container still uses
# them).  Not at once: two checkouts of different inputs (git worktrees) share one engine, and
# dropping the other's image would pull it from under that checkout's running tests.
cutoff=$(( $(date +%s) - 86400 ))
for ref in $("$DOCKER" images --format '{{.Repository}}:{{.Tag}}' \
             | grep -E "^($REPO|$BASE_REPO):[0-9a-f]{16}\$" | grep -v ":$HASH\$"); do
    created="$("$DOCKER" image inspect --format '{{.Created}}' "$ref" 2>/dev/null)" || continue
    if [ "$(date -d "$created" +%s 2>/dev/null || echo "$cutoff")" -lt "$cutoff" ]; then
        "$DOCKER" rmi "$ref" >/dev/null 2>&1 || true
    fi
done
for id in $old_ids; do "$DOCKER" rmi "$id" >/dev/null 2>&1 || true; done

t1=$(now_ms)
echo "runner image built: $TAG (also $REPO:latest), $(image_size "$TAG"), $(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )) s"
