#include "runner/requirements.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runner/subprocess.h"
#include "runner/unique_fd.h"

namespace proctor {

bool KvmDeviceUsable() {
  UniqueFd fd(open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return false;
  return ioctl(fd.get(), KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
}

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
    } else if (r == "kvm") {
      if (!KvmDeviceUsable()) return "requires kvm: /dev/kvm is not usable";
    } else {
      return absl::StrCat("unknown requirement ", r);
    }
  }
  return "";
}

}  // namespace proctor
