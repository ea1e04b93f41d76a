// The kernel a job's guests boot when `--kernel=PATH` (or PROCTOR_KERNEL)
// gives one: a kernel developer's own build, booted with the image's
// userspace. PrepareKernel() makes it ready before any guest starts:
//
// - PATH must be a kernel for x86_64 (vmm/kernel_image.h): a bzImage, or an
//   ELF vmlinux with the PVH entry (CONFIG_PVH=y; QEMU boots an ELF kernel
//   only through it). Anything else is InvalidArgument (exit 2), saying
//   what the file is.
// - Its configuration, when one is found beside it: the .config at the
//   root of the build tree it came from (PATH's directory or up to three
//   above: arch/x86/boot/bzImage), or config-RELEASE beside a
//   vmlinuz-RELEASE as /boot has them. The options the guest needs
//   (guest_kernel.config, guest_kernel_modules.config) that it lacks are
//   FailedPrecondition (exit 3), all named in one line, before any boot.
// - A bzImage whose kernel has the PVH entry is unpacked once into
//   CACHE/<its sha256>/vmlinux, and that is booted: under TCG a bzImage
//   spends seconds decompressing itself on every boot.
//
// Runs on the thread that calls it, before guests start.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_KERNEL_H_
#define PROCTOR_RUNNER_GUEST_GUEST_KERNEL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runner/base/kernel_config.h"
#include "vmm/kernel_image.h"

namespace proctor {

struct GuestKernel {
  std::string path;       // as given, made absolute
  std::string boot_path;  // what QEMU boots: `path`, or its unpacked ELF
  // Why a bzImage boots as it is (no PVH entry, ...), "" otherwise.
  std::string as_given_because;
  vmm::KernelFile file;
  std::string config_path;  // "" when no configuration was found
  std::string modules;      // --modules, when given
  std::optional<KernelConfig> config;

  // What vm/kernel says: the file, its version, what is booted, and where
  // its configuration came from. One "key: value" per line.
  std::string Describe() const;
};

// The image's own kernel (its vmlinux), described for vm/kernel; no
// configuration is looked for. Its version is empty if it cannot be read.
GuestKernel ImageKernel(const std::string& vmlinux);

// PrepareKernel() without the guest's needs: a kernel booted alone, for
// its KUnit suites (`proctor kunit`).
absl::StatusOr<GuestKernel> BootableKernel(const std::string& path,
                                           const std::string& cache_dir);

// $XDG_CACHE_HOME/proctor/kernels, else ~/.cache/proctor/kernels.
std::string KernelCacheDir();

// The checks above without the unpacking (boot_path is `path`): what
// planning needs, the configuration, before any guest starts.
absl::StatusOr<GuestKernel> InspectGuestKernel(const std::string& path,
                                               bool modules);

// `modules`: --modules gives the guest's drivers, which may then be =m.
absl::StatusOr<GuestKernel> PrepareKernel(const std::string& path,
                                          bool modules,
                                          const std::string& cache_dir);

// The options of guest_kernel*.config that `config` lacks: "CONFIG_FOO"
// (not set or another value), or with why =m is not enough.
std::vector<std::string> MissingGuestOptions(const KernelConfig& config,
                                             bool modules);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_KERNEL_H_
