// Checks a test's `requires=` list against this host. An unmet requirement
// makes the test SKIPPED with the reason this returns.
#ifndef PROCTOR_RUNNER_PLAN_REQUIREMENTS_H_
#define PROCTOR_RUNNER_PLAN_REQUIREMENTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "runner/base/kernel_config.h"

namespace proctor {

// Empty when every requirement holds, else why the first one does not
// ("requires cmd:perl: not found in PATH"). config: is checked against the
// running kernel's /proc/config.gz, else /boot/config-RELEASE; a test
// whose kernel configuration cannot be known is skipped saying so.
std::string UnmetRequirement(const std::vector<std::string>& requirements,
                             const std::string& path_env);

// For a test that runs in the guest: why one of its requirements can only
// be met on the host ("requires vm: ..."; the job's guest is driven from
// host tests through `proctor vm`, which the guest does not have), or "".
std::string HostOnlyRequirement(const std::vector<std::string>& requirements);

// For a test that runs in the guest, when the guest kernel's configuration
// is known before it boots (`config`, read from `source`): why one of its
// config: requirements is unmet, or "". Without it, the guest checks them
// itself (its /proc/config.gz).
std::string UnmetGuestConfig(const std::vector<std::string>& requirements,
                             const KernelConfig& config,
                             const std::string& source);

// The first malformed config: requirement, as an InvalidArgument error
// (exit 2: a typo in an option must not pass as a skip), or OK.
absl::Status CheckConfigRequirements(
    const std::vector<std::string>& requirements);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_REQUIREMENTS_H_
