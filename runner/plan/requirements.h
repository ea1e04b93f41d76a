// Checks a test's `requires=` list against this host. An unmet requirement
// makes the test SKIPPED with the reason this returns.
#ifndef PROCTOR_RUNNER_PLAN_REQUIREMENTS_H_
#define PROCTOR_RUNNER_PLAN_REQUIREMENTS_H_

#include <string>
#include <vector>

namespace proctor {

// Empty when every requirement holds, else why the first one does not
// ("requires cmd:perl: not found in PATH").
std::string UnmetRequirement(const std::vector<std::string>& requirements,
                             const std::string& path_env);

// For a test that runs in the guest: why one of its requirements can only
// be met on the host ("requires vm: ..."; the job's guest is driven from
// host tests through `proctor vm`, which the guest does not have), or "".
std::string HostOnlyRequirement(const std::vector<std::string>& requirements);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_REQUIREMENTS_H_
