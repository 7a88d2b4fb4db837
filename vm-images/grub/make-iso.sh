#!/bin/sh
# make-iso.sh: a GRUB boot ISO for a NetBSD kernel (GRUB's knetbsd), for
# kernels that QEMU cannot boot directly (no PVH note before NetBSD 11).
#
#   make-iso.sh --kernel PATH --out ISO [--root DEV] [--module PATH ...]
#               [--console com0|none]
#
#   --kernel PATH   the NetBSD kernel, copied in as /netbsd
#   --out ISO       the image to write (replaced atomically)
#   --root DEV      root device passed to the kernel (default ld0d: the raw
#                   partition of the first virtio disk, as make-root.sh's
#                   images have no disklabel)
#   --module PATH   a module for the kernel to link at boot
#                   (knetbsd_module_elf), without any userland.  Repeatable.
#   --console com0  kernel console on com0 at 115200 (default); `none'
#                   leaves the kernel's compiled-in console
#
# GRUB itself talks on the first serial port too and waits for nothing
# (timeout=0).  Needs: grub-mkrescue (grub-pc-bin / grub-common), xorriso,
# mtools.  POSIX sh.
set -eu

prog=$(basename "$0")
die() {
	echo "$prog: $*" >&2
	exit 1
}
usage() {
	# The comment block at the top of this file, without the '#'s.
	awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' \
	    "$0" >&2
	exit 2
}

kernel=
out=
root=ld0d
console=com0
modules=

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
	--module) [ $# -ge 2 ] || usage
		modules="$modules$2
"
		shift 2 ;;
	--console) [ $# -ge 2 ] || usage; console=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "$prog: unknown argument: $1" >&2; usage ;;
	esac
done

[ -n "$kernel" ] || die "--kernel PATH is required"
[ -n "$out" ] || die "--out ISO is required"
[ -f "$kernel" ] || die "kernel not found: $kernel"
case $root in
*[!A-Za-z0-9]*|'') die "--root: a device name such as ld0d, not '$root'" ;;
esac
case $console in
com[0-3]) serial="--serial=$console,115200" ;;
none) serial= ;;
*) die "--console: com0..com3 or none, not '$console'" ;;
esac
for tool in grub-mkrescue xorriso mformat; do
	command -v $tool >/dev/null 2>&1 ||
		die "$tool not found (Debian: grub-pc-bin grub-common xorriso mtools)"
done
# A cheap sanity check: an ELF64 x86-64 file.
if command -v readelf >/dev/null 2>&1; then
	readelf -h "$kernel" 2>/dev/null | grep -q 'X86-64' ||
		die "$kernel is not an x86-64 ELF kernel"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/kshim-iso.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM HUP
iso=$stage/iso
mkdir -p "$iso/boot/grub"
cp "$kernel" "$iso/netbsd"

modlines=
if [ -n "$modules" ]; then
	old_ifs=$IFS
	IFS='
'
	for m in $modules; do
		IFS=$old_ifs
		[ -f "$m" ] || die "module not found: $m"
		base=$(basename "$m")
		case $base in
		*[!A-Za-z0-9._-]*) die "$m: unusual characters in the name" ;;
		esac
		cp "$m" "$iso/$base"
		modlines="$modlines	knetbsd_module_elf /$base
"
	done
	IFS=$old_ifs
fi

cat >"$iso/boot/grub/grub.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
set default=0
menuentry "KernelShim: NetBSD" {
	knetbsd /netbsd -r $root $serial
$modlines}
EOF

tmp=$out.tmp.$$
if ! grub-mkrescue -o "$tmp" "$iso" >"$stage/mkrescue.log" 2>&1; then
	cat "$stage/mkrescue.log" >&2
	rm -f "$tmp"
	die "grub-mkrescue failed"
fi
mv -f "$tmp" "$out"
echo "$prog: wrote $out: knetbsd /netbsd -r $root${serial:+ $serial}"
