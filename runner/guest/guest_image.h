// Where a guest image comes from, and the checks before each use.
//
// An image is a directory holding vmlinux, initramfs and SHA256SUMS (what
// //images:jeos_python builds). It travels as a tarball of those three files
// (//images:jeos_python_tar), given as a file or an http(s) URL together with
// the tarball's sha256. A tarball is unpacked once into a content-addressed
// cache entry, CACHE/<sha256>/, which keeps the tarball beside the files so
// that every later use checks the whole entry against the pin again: the
// tarball's digest, its SHA256SUMS against the unpacked one, and each file
// against SHA256SUMS. A damaged entry is fetched again.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_IMAGE_H_
#define PROCTOR_RUNNER_GUEST_GUEST_IMAGE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace proctor {

// $XDG_CACHE_HOME/proctor/WHAT, else ~/.cache/proctor/WHAT.
std::string UserCacheDir(const std::string& what);
// UserCacheDir("images").
std::string ImageCacheDir();

// The verified image directory for `source`: a directory (then `sha256`
// must be empty), or a tarball file or URL (then `sha256` is required).
// InvalidArgumentError for a usage mistake (exit 2); any other error is the
// infrastructure's (exit 3), one line naming the source.
absl::StatusOr<std::string> ResolveImage(const std::string& source,
                                         const std::string& sha256,
                                         const std::string& cache_dir);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_IMAGE_H_
