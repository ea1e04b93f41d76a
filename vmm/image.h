// A guest image as vmm boots it: a directory holding `vmlinux` (the
// kernel, booted directly), `initramfs` and `SHA256SUMS` (sha256sum's format,
// pinning both), which //images:jeos_minimal and //images:jeos_python build.
// Where an image comes from (a tarball, a URL, the cache) is the runner's
// business (runner/guest/guest_image.h); this is the check before each use.
#ifndef PROCTOR_VMM_IMAGE_H_
#define PROCTOR_VMM_IMAGE_H_

#include <string>

#include "absl/status/status.h"

namespace proctor::vmm {

// Checks the image's files against its SHA256SUMS. FailedPrecondition, in
// one line, when SHA256SUMS is missing or lists fewer than two files, or a
// file differs (naming the file and both digests). Reads every listed file.
absl::Status VerifyImage(const std::string& image_dir);

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_IMAGE_H_
