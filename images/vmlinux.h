// The uncompressed kernel inside a bzImage. Under TCG, booting the ELF
// vmlinux through its PVH entry saves the ~4 s the bzImage spends
// decompressing itself (docs/architecture.md, facts about the machines);
// Debian's kernel is built with CONFIG_PVH=y.
#ifndef PROCTOR_IMAGES_VMLINUX_H_
#define PROCTOR_IMAGES_VMLINUX_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor::images {

// Finds the XZ payload in `bzimage`, decompresses it (libarchive) and
// checks the result is an ELF file.
absl::StatusOr<std::string> ExtractVmlinux(absl::string_view bzimage);

}  // namespace proctor::images

#endif  // PROCTOR_IMAGES_VMLINUX_H_
