#!/usr/bin/env bash
# Regenerates bindings/KernelShim.Bindings/Generated/*.cs from the C headers
# (what `make bindings` runs).  The generator writes into a scratch directory
# first; the committed files are replaced only when it succeeds, so a failed
# run leaves them intact.  Running it twice leaves the tree unchanged.
#
# Needs: the .NET 10 SDK and an installed clang (its builtin headers, found
# with `clang -print-resource-dir`; set CLANG=... or
# KSHIM_CLANG_RESOURCE_DIR=... to choose another).  libclang itself comes from
# the libClang.runtime.linux-x64 NuGet package.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

gen_proj=bindings/KernelShim.BindingsGen/KernelShim.BindingsGen.csproj
out=bindings/KernelShim.Bindings/Generated
config="${CONFIGURATION:-Debug}"

if ! log="$(dotnet build "$gen_proj" -c "$config" --nologo -v quiet 2>&1)"; then
	printf '%s\n' "$log" >&2
	echo "bindings: building the generator failed" >&2
	exit 1
fi

scratch="$(mktemp -d "$root/bindings/.generated.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

dotnet "bindings/KernelShim.BindingsGen/bin/$config/net10.0/KernelShim.BindingsGen.dll" \
	--source-root . \
	-I native/include \
	--namespace KernelShim.Bindings \
	--library kshim_model \
	--header native/include/uvmshim_ioctl.h \
	--header native/include/kshim_model.h \
	--header native/include/kshim_agent_proto.h \
	--output "$scratch" >/dev/null

# Replace the whole directory: a header that disappears takes its file along.
mkdir -p "$out"
find "$out" -maxdepth 1 -type f -name '*.cs' -delete
cp "$scratch"/*.cs "$out"/
echo "bindings: $(ls "$out" | wc -l) file(s) in $out"
