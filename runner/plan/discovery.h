// Finds the tests named on the command line.
//
// A directory is walked recursively in byte order of names; hidden entries
// (a leading '.') and the data directory are skipped; regular executable
// files are tests, other files are data and ignored. A file named on the
// command line is a test even when it is not executable (it then becomes an
// ERROR saying why). A dangling symlink is a test that errors, so a broken
// suite is never silently smaller. A path that does not exist is a usage
// error for the whole run. A kselftest install directory (kselftest.h), or
// its kselftest-list.txt named on the command line, gives a test per
// collection instead of its files.
#ifndef PROCTOR_RUNNER_PLAN_DISCOVERY_H_
#define PROCTOR_RUNNER_PLAN_DISCOVERY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runner/plan/metadata.h"

namespace proctor {

struct TestSpec {
  std::string name;   // relative to the directory given, or the file name
  std::string path;   // absolute
  std::string error;  // set: the test cannot run, and this says why
  std::vector<std::string> args;  // after the path (kselftest collections)
  std::vector<std::string> run_in_copy_of;  // see PlannedTest
  Metadata metadata;
};

struct DiscoveryOptions {
  std::string skip_dir;  // absolute path of a directory never to enter
  // If set, gets the scripts ("#!" first) that were skipped for not being
  // executable: a suite that forgot `chmod +x` is told so.
  std::vector<std::string>* unexecutable_scripts = nullptr;
};

absl::StatusOr<std::vector<TestSpec>> Discover(
    const std::vector<std::string>& paths, const DiscoveryOptions& options);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_DISCOVERY_H_
