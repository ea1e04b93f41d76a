// System information snapshots: the commands and files listed in a config
// (runner/sysinfo/sysinfo.conf is the default, compiled in), each written to
// its own file in a directory. A missing command (unless marked
// if-installed), a failing one or one over its timeout is noted in that
// directory's `problems` file and never stops the job. dmesg.diff holds the
// kernel messages that appeared between two snapshots.
#ifndef PROCTOR_RUNNER_SYSINFO_SYSINFO_H_
#define PROCTOR_RUNNER_SYSINFO_SYSINFO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace proctor {

struct SysinfoEntry {
  bool is_file = false;
  std::vector<std::string> argv;  // a command
  std::string path;               // a file
  absl::Duration timeout = absl::Seconds(10);
  // A command that may be absent (a compiler): then it is left out, not a
  // problem.
  bool if_installed = false;
  std::string output_name;  // the file it is written to
};

extern const char kDefaultSysinfoConfig[];

absl::StatusOr<std::vector<SysinfoEntry>> ParseSysinfoConfig(
    absl::string_view text);
// `path` empty: the compiled-in default.
absl::StatusOr<std::vector<SysinfoEntry>> LoadSysinfoConfig(
    const std::string& path);

// Fills `dir` (created if needed) with one file per entry. Returns the
// problems it noted, also written to `dir`/problems.
std::vector<std::string> CollectSysinfo(
    const std::vector<SysinfoEntry>& entries, const std::string& dir,
    const std::string& path_env);

// Writes `out` with the lines of post/dmesg that follow the last line of
// pre/dmesg (all of them if the ring buffer wrapped), each prefixed '+'.
absl::Status WriteDmesgDiff(const std::string& pre_dir,
                            const std::string& post_dir,
                            const std::string& out);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_SYSINFO_SYSINFO_H_
