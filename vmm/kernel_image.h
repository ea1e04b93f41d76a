// What a kernel file is, as QEMU's direct kernel boot sees it: a bzImage
// (the x86 boot protocol's "HdrS" header in front of a compressed kernel:
// arch/x86/boot/bzImage, /boot/vmlinuz-*) or an ELF vmlinux, which QEMU
// boots only through its PVH entry note (CONFIG_PVH=y).
//
// InspectKernel() tells a kernel for this machine from anything else and
// says in one line what the file is instead (not a kernel, a kernel for
// another architecture, a 32-bit one). ExtractVmlinux() unpacks the ELF
// kernel inside a bzImage, whichever of the kernel's compressions built
// it: under TCG, booting that ELF through PVH saves the seconds a bzImage
// spends decompressing itself (docs/architecture.md, the machine facts).
//
// Pure functions of the bytes given; no I/O. Errors are InvalidArgument.
// It uses only the base layer: the image builder links it.
#ifndef PROCTOR_VMM_KERNEL_IMAGE_H_
#define PROCTOR_VMM_KERNEL_IMAGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor::vmm {

struct KernelFile {
  enum class Kind { kBzImage, kElf };
  Kind kind = Kind::kBzImage;
  // The version string the kernel carries ("6.1.192 (user@host) #1 SMP
  // ..."), empty when none was found.
  std::string version;
  // An ELF file with the PVH entry note (Xen's PHYS32_ENTRY): QEMU can boot
  // it. Always false for a bzImage, which boots as it is.
  bool pvh = false;

  // The release, as `uname -r` prints it: the version's first word.
  std::string release() const;
};

// What `bytes` (a whole file) is. An error names what it is instead.
absl::StatusOr<KernelFile> InspectKernel(absl::string_view bytes);

// Whether QEMU boots `file` as it is: a bzImage, or an ELF with the PVH
// entry. An error says why not and what to give instead.
absl::Status CheckBootable(const KernelFile& file);

// The ELF kernel inside `bzimage`: its payload (as the boot header places
// it), decompressed by libarchive (gzip, bzip2, lzma, xz, lzo, lz4, zstd).
absl::StatusOr<std::string> ExtractVmlinux(absl::string_view bzimage);

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_KERNEL_IMAGE_H_
