// proctor's subcommands. Each takes the arguments after its name and
// returns the process exit code, as the README states it: 0, 1 tests
// failed, 2 usage, 3 infrastructure, 130 interrupted.
#ifndef PROCTOR_RUNNER_COMMANDS_COMMANDS_H_
#define PROCTOR_RUNNER_COMMANDS_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runner/guest/guest_pool.h"

namespace proctor {

inline constexpr int kExitOk = 0;
inline constexpr int kExitTestsFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInfrastructure = 3;
inline constexpr int kExitInterrupted = 130;

inline constexpr char kVersion[] = "0.1.0";

int RunCommand(const std::vector<std::string>& args);
int ListCommand(const std::vector<std::string>& args);
int SysinfoCommand(const std::vector<std::string>& args);
int GuestExecCommand(const std::vector<std::string>& args);
int KunitCommand(const std::vector<std::string>& args);
// `proctor kunit-boot`: the test `proctor kunit` runs (kunit_command.cc).
int KunitBootCommand(const std::vector<std::string>& args);
int VmCommand(const std::vector<std::string>& args);
int ImageCommand(const std::vector<std::string>& args);
int ResultsCommand(const std::vector<std::string>& args);
// `results merge JOB... --into=DIR` (merge_command.cc), given the JOBs.
int MergeResults(const std::vector<std::string>& jobs);

// The sysinfo list to use: --sysinfo-config, else $PROCTOR_SYSINFO_CONFIG
// (the container's own list), else "" (the compiled-in default).
std::string SysinfoConfigPath();

// Prints "proctor: error: MESSAGE" on stderr and returns `code`.
int Fail(int code, const std::string& message);

// Prints "proctor: error: MESSAGE" and returns 2 for an InvalidArgument
// status (a usage error), 3 for any other (the infrastructure's).
int StatusExit(const absl::Status& status);

// The guest settings the flags give (--boot-timeout, --accel, and the image
// named by --image and --image-sha256, else by $PROCTOR_IMAGE and
// $PROCTOR_IMAGE_SHA256, fetched if need be and verified: guest_image.h).
// InvalidArgument for a usage error, another error for the
// infrastructure's, each in one line.
absl::StatusOr<GuestOptions> GuestOptionsFromFlags();

}  // namespace proctor

#endif  // PROCTOR_RUNNER_COMMANDS_COMMANDS_H_
