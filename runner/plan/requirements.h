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

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_REQUIREMENTS_H_
