// The modules of `--modules=DIR` for guests booted with `--kernel`: DIR is
// what `make modules_install INSTALL_MOD_PATH=DIR` wrote (DIR/lib/modules/
// RELEASE/ with depmod's modules.dep), or that RELEASE directory itself.
//
// ModulesInitramfs() gives the initramfs the guests boot with: the image's
// own, followed by a second cpio archive (the kernel unpacks both, the
// second over the first) that holds lib/modules/RELEASE/ and an
// /etc/proctor/modules.load naming the guest's drivers that are modules in
// DIR (virtio PCI, virtio-net, 9p over virtio), each after what it depends
// on, as modprobe orders them from modules.dep. The JeOS init loads those
// instead of the image's own, and a test can modprobe the rest. The file is
// written once per content, as CACHE/initramfs-<sha256>, atomically.
//
// Usage errors are InvalidArgument (exit 2), one line naming DIR: no
// lib/modules in it, modules for another release (both named), no
// modules.dep, a driver the guest needs compressed (busybox's insmod
// cannot load .ko.xz/.ko.zst/.ko.gz). Runs on the calling thread.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_MODULES_H_
#define PROCTOR_RUNNER_GUEST_GUEST_MODULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor {

// The directory of DIR's modules for `release` (DIR/lib/modules/RELEASE,
// or DIR itself when it is that directory).
absl::StatusOr<std::string> ModulesDirFor(const std::string& dir,
                                          const std::string& release);

// What `modules.dep` says to load for `wanted` (module names; '-' and '_'
// are the same), in load order: each module after its dependencies, none
// twice. Names not in it (built in, or absent) are left out.
std::vector<std::string> ModulesToLoad(absl::string_view modules_dep,
                                       const std::vector<std::string>& wanted);

absl::StatusOr<std::string> ModulesInitramfs(
    const std::string& dir, const std::string& release,
    const std::string& image_initramfs, const std::string& cache_dir);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_MODULES_H_
