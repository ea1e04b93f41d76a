// A Linux kernel's configuration, as Kconfig writes it (.config,
// /boot/config-RELEASE, the text behind /proc/config.gz), and the
// `requires=config:...` conditions tests put on it.
//
//   config:CONFIG_FOO        built in or a module (=y or =m)
//   config:CONFIG_FOO=y      built in; =m a module; =VALUE that value
//   config:!CONFIG_FOO       not set
//
// Kernel CI asks that a test whose option is missing be skipped, not
// failed: Unmet() gives the reason for the skip. Parsing is pure; only
// ReadKernelConfig() touches the file system. Thread-compatible.
#ifndef PROCTOR_RUNNER_BASE_KERNEL_CONFIG_H_
#define PROCTOR_RUNNER_BASE_KERNEL_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor {

class KernelConfig {
 public:
  // Reads CONFIG_NAME=VALUE lines; comments ("# CONFIG_FOO is not set")
  // and anything else are skipped. A quoted value keeps its quotes, as in
  // the file.
  static KernelConfig Parse(absl::string_view text);

  // "y", "m", the value as written, or "" when the option is not set.
  std::string Value(absl::string_view option) const;
  // No option set at all: not a kernel configuration.
  bool empty() const { return values_.empty(); }
  // Every option set, by name.
  const std::map<std::string, std::string, std::less<>>& options() const {
    return values_;
  }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// A configuration file, gzip-compressed (/proc/config.gz) or plain. An
// error when it cannot be read, or holds no CONFIG_ line.
absl::StatusOr<KernelConfig> ReadKernelConfig(const std::string& path);

struct ConfigRequirement {
  std::string option;  // CONFIG_FOO
  // "" for built in or a module; "!" for not set; else the value wanted.
  std::string want;
};

// `text` is what follows "config:". InvalidArgument names what is wrong
// with it (an option is CONFIG_ followed by A-Z, 0-9 and _).
absl::StatusOr<ConfigRequirement> ParseConfigRequirement(
    absl::string_view text);

// Why `config` does not meet `r` ("CONFIG_FOO is not set", "CONFIG_FOO=m,
// not y"), or "" when it does.
std::string Unmet(const ConfigRequirement& r, const KernelConfig& config);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_KERNEL_CONFIG_H_
