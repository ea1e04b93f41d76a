#include "runner/plan/requirements.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runner/base/kernel_config.h"
#include "runner/base/subprocess.h"
#include "vmm/kvm.h"

namespace proctor {
namespace {

// The host kernel's configuration, read once; `source` says where it
// came from, or where it was looked for when it cannot be known.
struct HostConfig {
  std::optional<KernelConfig> config;
  std::string source;
};

const HostConfig& HostKernelConfig() {
  static const HostConfig* host = [] {
    auto* h = new HostConfig;
    struct utsname u;
    std::string boot = uname(&u) == 0
                           ? absl::StrCat("/boot/config-", u.release)
                           : "/boot/config-RELEASE";
    for (const std::string& path : {std::string("/proc/config.gz"), boot}) {
      if (absl::StatusOr<KernelConfig> c = ReadKernelConfig(path); c.ok()) {
        h->config = *std::move(c);
        h->source = path;
        return h;
      }
    }
    h->source = absl::StrCat("no /proc/config.gz, no ", boot);
    return h;
  }();
  return *host;
}

// Why `r` (a config: requirement) is unmet by `config`, or "".
std::string UnmetConfig(const std::string& r, const KernelConfig& config,
                        const std::string& kernel, const std::string& source) {
  absl::StatusOr<ConfigRequirement> want =
      ParseConfigRequirement(absl::string_view(r).substr(7));
  if (!want.ok()) return std::string(want.status().message());
  std::string unmet = Unmet(*want, config);
  if (unmet.empty()) return "";
  return absl::StrCat("requires ", r, ": ", unmet, " in the ", kernel,
                      " kernel (", source, ")");
}

}  // namespace

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
    } else if (absl::StartsWith(r, "config:")) {
      const HostConfig& host = HostKernelConfig();
      if (!host.config) {
        return absl::StrCat("requires ", r,
                            ": the host kernel's configuration cannot be "
                            "known (",
                            host.source, ")");
      }
      std::string unmet = UnmetConfig(r, *host.config, "host", host.source);
      if (!unmet.empty()) return unmet;
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

namespace proctor {

std::string UnmetGuestConfig(const std::vector<std::string>& requirements,
                             const KernelConfig& config,
                             const std::string& source) {
  for (const std::string& r : requirements) {
    if (!absl::StartsWith(r, "config:")) continue;
    std::string unmet = UnmetConfig(r, config, "guest", source);
    if (!unmet.empty()) return unmet;
  }
  return "";
}

absl::Status CheckConfigRequirements(
    const std::vector<std::string>& requirements) {
  for (const std::string& r : requirements) {
    if (!absl::StartsWith(r, "config:")) continue;
    absl::StatusOr<ConfigRequirement> want =
        ParseConfigRequirement(absl::string_view(r).substr(7));
    if (!want.ok()) return want.status();
  }
  return absl::OkStatus();
}

}  // namespace proctor
