// One test as a job will run it: what the plan decides (runner/plan/plan.h)
// and the engine executes. It knows nothing of how tests run, so the code
// behind `proctor list` sees no process, guest or QEMU header.
#ifndef PROCTOR_RUNNER_PLAN_PLANNED_TEST_H_
#define PROCTOR_RUNNER_PLAN_PLANNED_TEST_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runner/plan/metadata.h"
#include "runner/result.pb.h"

namespace proctor {

struct PlannedTest {
  int index = 0;     // 1-based, in run order
  std::string name;  // as printed, e.g. "dir/t.sh" or "t.sh [host]"
  std::string path;
  // Arguments after the path: for a test proctor makes itself (`proctor
  // kunit` runs its own kernel boot); discovered tests have none.
  std::vector<std::string> args;
  // Entries of the test's directory it runs among, copied into its
  // TEMPDIR first (TEMPDIR/run/, the test run from there): a kselftest
  // install expects to be writable, and a share or a read-only mount is
  // not. Empty: the test runs in its own directory.
  std::vector<std::string> run_in_copy_of;
  Where where = Where::kHost;  // kHost or kGuest: kBoth is planned as two
  std::string dir;             // relative to the job directory
  absl::Duration timeout;
  OutputFormat format = OutputFormat::kAuto;
  std::vector<std::string> tags;
  std::vector<std::string> requires_;
  std::string junit;  // junit=PATH metadata, relative to $OUTPUTDIR
  // Decided without running (requirements, start errors, guest tests).
  Status preset = STATUS_UNSPECIFIED;
  std::string preset_reason;

  bool in_guest() const { return where == Where::kGuest; }
  // Whether the job's guest serves this test: it runs there, or it is a
  // host test that requires=vm.
  bool wants_guest() const;
};

// "tests/007-name" for test 7 of `total`: zero-padded to at least three
// digits so the directory listing sorts in run order, the name made safe
// for a file name.
std::string TestDirName(int index, int total, absl::string_view name);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_PLANNED_TEST_H_
