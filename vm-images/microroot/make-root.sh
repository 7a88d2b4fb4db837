#!/bin/sh
# make-root.sh: build the KernelShim micro-root, a tiny FFS image whose
# /sbin/init is the guest agent.
#
#   make-root.sh --agent PATH [--kmod PATH ...] --out IMG [--size SIZE]
#                [--sys NETBSD_SYS]
#
#   --agent PATH   the agent (native/agent -> build/native/kshim-agent),
#                  installed as /sbin/init
#   --kmod PATH    a kernel module, installed as /stand/<basename>; the
#                  agent loads /stand/uvmshim.kmod at boot.  Repeatable.
#   --out IMG      the image to write (replaced atomically)
#   --size SIZE    image size for makefs -s (default 8m)
#   --sys DIR      a NetBSD sys tree (default: $KSHIM_SYS): the major of
#                  /dev/console is read from arch/amd64/conf/majors.amd64;
#                  without one, amd64's historical 0 is used.
#
# Layout: /sbin/init, /stand/*.kmod, /dev with a console node only.  The
# root is mounted read-only by the kernel and never written: the agent
# mounts tmpfs on /dev and makes the rest of its nodes there.  The console
# node in the image lets the agent print from its first instruction.
#
# The image is FFSv1, little endian, without a disklabel: the kernel must
# be told `-r ld0d' (the raw partition of the first virtio disk).
# Needs: makefs (Debian package makefs).  POSIX sh.
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

agent=
out=
size=8m
sys=${KSHIM_SYS:-}
kmods=
listing=/sbin/init

while [ $# -gt 0 ]; do
	case $1 in
	--agent) [ $# -ge 2 ] || usage; agent=$2; shift 2 ;;
	--kmod) [ $# -ge 2 ] || usage
		# Newline-separated: paths with spaces survive, newlines do not.
		kmods="$kmods$2
"
		shift 2 ;;
	--out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--size) [ $# -ge 2 ] || usage; size=$2; shift 2 ;;
	--sys) [ $# -ge 2 ] || usage; sys=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "$prog: unknown argument: $1" >&2; usage ;;
	esac
done

[ -n "$agent" ] || die "--agent PATH is required"
[ -n "$out" ] || die "--out IMG is required"
[ -f "$agent" ] || die "agent not found: $agent"
command -v makefs >/dev/null 2>&1 ||
	die "makefs not found (Debian: apt-get install makefs)"

# The kernel execs only ELF files with a NetBSD note; catch a host binary
# here rather than as "exec /sbin/init: error 8" on the console.
if command -v readelf >/dev/null 2>&1; then
	readelf -n "$agent" 2>/dev/null | grep -q NetBSD ||
		die "$agent has no NetBSD ELF note: not a NetBSD executable"
fi

cons_major=0
if [ -n "$sys" ]; then
	majors=$sys/arch/amd64/conf/majors.amd64
	[ -f "$majors" ] || die "no $majors (is --sys a NetBSD sys tree?)"
	cons_major=$(awk '$1 == "device-major" && $2 == "cons" {
		for (i = 3; i < NF; i++) if ($i == "char") { print $(i + 1); exit } }' \
		"$majors")
	[ -n "$cons_major" ] || die "$majors has no char major for cons"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/kshim-root.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM HUP
root=$stage/root
mkdir -p "$root/sbin" "$root/stand" "$root/dev"
cp "$agent" "$root/sbin/init"

# The mtree spec gives every entry root ownership and exact modes (the
# staging files belong to whoever runs this) and creates the device node,
# which needs no privileges this way.
spec=$stage/spec
{
	echo "/set type=dir uid=0 gid=0 mode=0755"
	echo "."
	echo "sbin"
	echo "init type=file mode=0555"
	echo ".."
	echo "stand"
} >"$spec"

if [ -n "$kmods" ]; then
	# IFS=newline for the loop only.
	old_ifs=$IFS
	IFS='
'
	for k in $kmods; do
		IFS=$old_ifs
		[ -f "$k" ] || die "module not found: $k"
		base=$(basename "$k")
		case $base in
		*.kmod) ;;
		*) die "$k: a module file name must end in .kmod" ;;
		esac
		case $base in
		*[!A-Za-z0-9._-]*) die "$k: unusual characters in the name" ;;
		esac
		[ ! -e "$root/stand/$base" ] || die "two modules named $base"
		cp "$k" "$root/stand/$base"
		echo "$base type=file mode=0444" >>"$spec"
		listing="$listing, /stand/$base"
	done
	IFS=$old_ifs
fi

{
	echo ".."
	echo "dev"
	echo "console type=char mode=0600 device=netbsd,$cons_major,0"
	echo ".."
	echo ".."
} >>"$spec"

# makefs stamps the current time unless told otherwise.
set --
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	set -- -T "$SOURCE_DATE_EPOCH"
fi

tmp=$out.tmp.$$
if ! makefs -t ffs -B le -o version=1 -s "$size" -F "$spec" "$@" \
    "$tmp" "$root" >"$stage/makefs.log" 2>&1; then
	cat "$stage/makefs.log" >&2
	rm -f "$tmp"
	die "makefs failed"
fi
mv -f "$tmp" "$out"
echo "$prog: wrote $out ($size FFSv1 LE): $listing, /dev/console (major $cons_major)"
