#!/bin/bash
# debian_packages (images/debian.bzl) in a workspace of its own, run by a
# real nested Bazel: a package whose file matches the lock is served, and a
# lock or a cached file that does not match fails the fetch naming the
# package and both digests. The package comes from a cache directory built
# here from the real, already checked zlib1g .deb, so nothing is downloaded.
set -euo pipefail

deb="$(readlink -f "$TEST_SRCDIR/debian/debs/zlib1g_amd64.deb")"
lock_line="$(grep '^zlib1g ' "$TEST_SRCDIR/proctor/images/debian.lock")"
pinned="$(echo "$lock_line" | cut -d' ' -f5)"
version="$(echo "$lock_line" | cut -d' ' -f2)"
file="zlib1g_${version/:/%3a}_amd64.deb"
zeros=0000000000000000000000000000000000000000000000000000000000000000

ws="$TEST_TMPDIR/ws"
mkdir -p "$ws" "$TEST_TMPDIR/cache" "$TEST_TMPDIR/damaged"
cp "$TEST_SRCDIR/proctor/images/debian.bzl" "$ws/"
touch "$ws/BUILD.bazel"
echo "$lock_line" >"$ws/good.lock"
echo "${lock_line/$pinned/$zeros}" >"$ws/bad.lock"
cat >"$ws/WORKSPACE" <<'WS'
workspace(name = "lock_test")
load("//:debian.bzl", "debian_packages")
debian_packages(name = "good", lock = "//:good.lock")
debian_packages(name = "bad", lock = "//:bad.lock")
WS
cp "$deb" "$TEST_TMPDIR/cache/$file"
cp "$deb" "$TEST_TMPDIR/damaged/$file"
chmod u+w "$TEST_TMPDIR/damaged/$file"
printf 'X' | dd of="$TEST_TMPDIR/damaged/$file" bs=1 seek=500 conv=notrunc 2>/dev/null
damaged_sha="$(sha256sum "$TEST_TMPDIR/damaged/$file" | cut -d' ' -f1)"

# nested_bazel CACHE TARGET: the build's exit status; its output in $out.
nested_bazel() {
  local rc=0
  out="$(cd "$ws" && PROCTOR_DEB_CACHE="$1" bazel --nohome_rc --noworkspace_rc \
    --batch --output_user_root="$TEST_TMPDIR/root-$(basename "$1")" \
    build "$2" 2>&1)" || rc=$?
  return $rc
}
fail() { echo "FAIL: $*"; echo "$out"; exit 1; }

nested_bazel "$TEST_TMPDIR/cache" @good//:zlib1g ||
  fail "a package matching the lock was refused"

if nested_bazel "$TEST_TMPDIR/cache" @bad//:zlib1g; then
  fail "a lock with the wrong sha256 was accepted"
fi
want="debian package zlib1g=$version: sha256 mismatch: the lock pins $zeros, the file has $pinned"
[[ "$out" == *"$want"* ]] || fail "no '$want'"

if nested_bazel "$TEST_TMPDIR/damaged" @good//:zlib1g; then
  fail "a damaged cached package was accepted"
fi
want="debian package zlib1g=$version: sha256 mismatch: the lock pins $pinned, the file has $damaged_sha"
[[ "$out" == *"$want"* ]] || fail "no '$want'"
echo PASS
