// Runs the real proctor binary against suites written into the test's
// scratch directory, and reads its result tree back through the same
// schema and parsers a user's tools would use (protobuf JSON, libxml2,
// the TAP parser).
//
// The test process is a child subreaper: anything proctor leaves running
// is re-parented to it, so Leftovers() finds processes a job failed to end.
#ifndef PROCTOR_TESTS_INTEGRATION_HARNESS_H_
#define PROCTOR_TESTS_INTEGRATION_HARNESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runner/base/subprocess.h"
#include "runner/result.pb.h"

namespace proctor::testing {

struct RunOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> lines;  // stdout split into lines
};

class ProctorTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The suite directory (fresh per test) and the results directory.
  const std::string& suite() const { return suite_; }
  const std::string& results() const { return results_; }

  // Writes an executable script `name` (may hold slashes) into the suite.
  std::string Script(const std::string& name, const std::string& body,
                     int mode = 0755);
  // Runs `proctor ARGS...` to completion; extra "NAME=value" environment.
  RunOutput Run(const std::vector<std::string>& args,
                const std::vector<std::string>& env = {});
  // The same with another proctor binary (a copy, say).
  RunOutput RunBinary(const std::string& binary,
                      const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {});
  // Starts proctor without waiting; stdout goes to `stdout_file`.
  Subprocess Start(const std::vector<std::string>& args,
                   const std::string& stdout_file);
  // `proctor run --results-dir=RESULTS --sysinfo=off ARGS... SUITE`.
  RunOutput RunSuite(const std::vector<std::string>& args = {});

  // The latest job's results.json, parsed.
  JobResult LatestJob();
  std::string LatestJobDir();
  // A copy of the named test's result (an empty one, and a test failure,
  // if there is none), safe to use on a temporary JobResult.
  std::optional<TestResult> Find(const JobResult& job, const std::string& name);

  // Processes re-parented to this test, i.e. left behind by proctor.
  static std::vector<pid_t> Leftovers();

 private:
  // What proctor runs with: this process's environment less Bazel's test
  // variables, TMPDIR in this test's directory, then `env` ("NAME=value").
  std::vector<std::string> ProctorEnv(
      const std::vector<std::string>& env) const;

  std::string root_, suite_, results_;
};

std::string ReadFile(const std::string& path);
// A file of this workspace in the test's runfiles ("runner/proctor").
std::string Runfile(const std::string& path);
std::string ProctorBinary();
bool ProcessExists(pid_t pid);
// Whether `path` exists within `seconds`, looking every 50 ms.
bool WaitForFile(const std::string& path, int seconds = 20);

}  // namespace proctor::testing

#endif  // PROCTOR_TESTS_INTEGRATION_HARNESS_H_
