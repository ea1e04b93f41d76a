// Which kernel modules a set of wanted modules needs, in load order.
//
// Debian's kernel package ships the modules but not modules.dep (depmod
// writes that at install time), so dependencies come from where depmod
// reads them: the `depends=` entry of each module's .modinfo ELF section.
// Modules listed in modules.builtin are part of the kernel and need no
// loading.
#ifndef PROCTOR_IMAGES_KERNEL_MODULES_H_
#define PROCTOR_IMAGES_KERNEL_MODULES_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor::images {

// "virtio-net" and "virtio_net" are the same module.
std::string NormalizeModuleName(absl::string_view name);

// The `depends=` list of a module file's .modinfo section.
absl::StatusOr<std::vector<std::string>> ModuleDepends(absl::string_view ko);

struct ModuleIndex {
  std::map<std::string, std::string> path;                  // name -> path
  std::map<std::string, std::vector<std::string>> depends;  // name -> deps
  std::set<std::string> builtin;
};

// Every module `wanted` needs (itself included), dependencies first.
// Unknown names are an error; built-in ones are left out.
absl::StatusOr<std::vector<std::string>> ResolveModules(
    const ModuleIndex& index, const std::vector<std::string>& wanted);

}  // namespace proctor::images

#endif  // PROCTOR_IMAGES_KERNEL_MODULES_H_
