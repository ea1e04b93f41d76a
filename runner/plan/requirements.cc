#include "runner/plan/requirements.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runner/base/subprocess.h"
#include "vmm/kvm.h"

namespace proctor {

std::string UnmetRequirement(const std::vector<std::string>& requirements,
                             const std::string& path_env) {
  for (const std::string& r : requirements) {
    absl::string_view arg = r;
    if (absl::ConsumePrefix(&arg, "cmd:")) {
      if (FindProgram(arg, path_env).empty()) {
        return absl::StrCat("requires ", r, ": not found in PATH");
      }
    } else if (absl::ConsumePrefix(&arg, "file:")) {
      if (access(std::string(arg).c_str(), F_OK) != 0) {
        return absl::StrCat("requires ", r, ": no such file");
      }
    } else if (absl::ConsumePrefix(&arg, "env:")) {
      const char* value = getenv(std::string(arg).c_str());
      if (value == nullptr || *value == '\0') {
        return absl::StrCat("requires ", r, ": not set");
      }
    } else if (r == "root") {
      if (geteuid() != 0) return "requires root: not running as root";
    } else if (r == "vm") {
      // The job then boots its guest; a host test reaches it through
      // PROCTOR_VM.
      const char* image = getenv("PROCTOR_IMAGE");
      if (image == nullptr || *image == '\0') {
        return "requires vm: no guest image (give --image or set "
               "PROCTOR_IMAGE)";
      }
    } else if (r == "kvm") {
      if (!vmm::KvmDeviceUsable()) {
        return "requires kvm: /dev/kvm is missing or not usable";
      }
      if (vmm::KvmKnownBroken()) {
        return "requires kvm: a probe boot showed KVM does not work here";
      }
    } else {
      return absl::StrCat("unknown requirement ", r);
    }
  }
  return "";
}

std::string HostOnlyRequirement(const std::vector<std::string>& requirements) {
  for (const std::string& r : requirements) {
    if (r == "vm") {
      return "requires vm: a host test's requirement (it drives the job's "
             "guest with `proctor vm`), and this test runs in the guest";
    }
  }
  return "";
}

}  // namespace proctor
