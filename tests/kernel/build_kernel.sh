#!/bin/bash
# Builds the tests' own kernels from Debian's linux-source package (the
# .deb given; tests/kernel/source.lock pins it), with proctor's KUnit
# suite (SUITE, added to lib/ as proctor_kunit_test.c):
#
#   OUT/                 `make tinyconfig` merged with the FRAGMENTs
#   OUT/modular/         the same merged with MODULAR too (the guest's
#                        drivers as modules), its modules installed in
#                        OUT/modular/modules (INSTALL_MOD_PATH)
#
# Each holds what a build tree holds for `proctor run --kernel`:
# arch/x86/boot/bzImage and .config, and build.log. Fails, naming the
# option, when Kconfig dropped an option the fragments ask for (an unmet
# dependency). Timestamps, user and host are fixed.
#
#   build_kernel.sh DEB OUT SUITE MODULAR FRAGMENT...
set -euo pipefail
deb="$(realpath "$1")" out="$(realpath "$2")" suite="$(realpath "$3")"
modular="$(realpath "$4")"
shift 4
fragments=()
for f in "$@"; do fragments+=("$(realpath "$f")"); done
work="$(mktemp -d "${TMPDIR:-/tmp}/proctor-kernel.XXXXXX")"
trap 'rm -rf "$work"' EXIT
dpkg-deb --fsys-tarfile "$deb" |
  tar -x -C "$work" --wildcards './usr/src/linux-source-*.tar.xz'
tar -xf "$work"/usr/src/linux-source-*.tar.xz -C "$work"
cd "$work"/linux-source-*/
cp "$suite" lib/proctor_kunit_test.c
echo 'obj-$(CONFIG_PROCTOR_KUNIT_TEST) += proctor_kunit_test.o' >>lib/Makefile
cat >>lib/Kconfig.debug <<'KCONFIG'

config PROCTOR_KUNIT_TEST
	bool "proctor's own KUnit suite"
	depends on KUNIT
KCONFIG

kmake() {
  make ARCH=x86_64 KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 1970' \
    KBUILD_BUILD_USER=proctor KBUILD_BUILD_HOST=proctor KBUILD_BUILD_VERSION=1 \
    "$@"
}

# build DIR TARGETS FRAGMENT...: configures and builds in DIR (make O=DIR).
build() {
  local dir="$1" targets="$2"
  shift 2
  mkdir -p "$dir"
  kmake -s O="$dir" tinyconfig >/dev/null
  scripts/kconfig/merge_config.sh -m -O "$dir" "$dir/.config" "$@" >/dev/null
  kmake -s O="$dir" olddefconfig >/dev/null
  # What the fragments ask for, a later fragment's value winning, must
  # be what Kconfig kept ("# CONFIG_FOO is not set": no CONFIG_FOO=).
  local missing
  missing="$(cat "$@" | sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=n/p; /^CONFIG_/p' |
    awk -F= '{v[$1]=$0} END {for (k in v) print v[k]}' |
    while IFS= read -r line; do
      if [[ "$line" == *=n ]]; then
        ! grep -q "^${line%=n}=" "$dir/.config" || echo "${line%=n} is set"
      else
        grep -qxF "$line" "$dir/.config" || echo "$line"
      fi
    done)"
  if [[ -n "$missing" ]]; then
    echo "build_kernel: Kconfig did not keep:" $missing >&2
    exit 1
  fi
  # shellcheck disable=SC2086
  if ! kmake O="$dir" -j"$(nproc)" $targets >"$dir/build.log" 2>&1; then
    tail -20 "$dir/build.log" >&2
    exit 1
  fi
}

# install DIR TO: what `proctor run --kernel` needs of a build in DIR.
install() {
  mkdir -p "$2/arch/x86/boot"
  cp "$1/arch/x86/boot/bzImage" "$2/arch/x86/boot/bzImage"
  cp "$1/.config" "$1/build.log" "$2/"
}

build "$work/built-in" bzImage "${fragments[@]}"
install "$work/built-in" "$out"
build "$work/modular" "bzImage modules" "${fragments[@]}" "$modular"
install "$work/modular" "$out/modular"
kmake -s O="$work/modular" INSTALL_MOD_PATH="$out/modular/modules" \
  INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install >/dev/null
# Links back into the build tree would dangle once it is gone.
rm -f "$out"/modular/modules/lib/modules/*/build \
  "$out"/modular/modules/lib/modules/*/source
