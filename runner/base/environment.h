// Environments as lists of "NAME=value" entries, as processes get them.
#ifndef PROCTOR_RUNNER_BASE_ENVIRONMENT_H_
#define PROCTOR_RUNNER_BASE_ENVIRONMENT_H_

#include <string>
#include <utility>
#include <vector>

namespace proctor {

// `env` with each of `vars` set: an entry of the same name is replaced
// where it stands (getenv takes the first of duplicates, so appending would
// lose to an inherited value), a new one appended.
std::vector<std::string> WithVariables(
    std::vector<std::string> env,
    const std::vector<std::pair<std::string, std::string>>& vars);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_ENVIRONMENT_H_
