// The cases of a JUnit (xUnit) XML file a test wrote: what GoogleTest
// writes to $XML_OUTPUT_FILE by itself, pytest with --junitxml, ctest with
// --output-junit. Each <testcase> becomes a case with its outcome
// (<failure>, <error>, <skipped>, GoogleTest's result="skipped" or
// status="notrun"), its message and the start of its text.
//
// Bounded whatever the file holds: it is read as a stream (libxml2's
// reader, no network, no external entities), at most
// JunitOptions::max_bytes of it and only the bytes it had when opened (a
// file that keeps growing is read to that point), cases are stored up to
// max_cases and every failing one up to max_late_failures more (the rest
// counted), and texts are cut. A file that is malformed, truncated, empty,
// too big or not JUnit still gives a report: what could be read, and a
// diagnostic that says what was wrong. Not thread-safe; one call per file.
#ifndef PROCTOR_RUNNER_ENGINE_JUNIT_READER_H_
#define PROCTOR_RUNNER_ENGINE_JUNIT_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace proctor {

struct JunitCase {
  enum class Outcome { kPass, kFail, kError, kSkip };
  std::string suite;      // the enclosing <testsuite name>
  std::string classname;  // <testcase classname>
  std::string name;       // <testcase name>
  Outcome outcome = Outcome::kPass;
  std::string message;  // the failure's, error's or skip's message
  std::string text;     // the element's text (a stack trace, say), cut
  double seconds = 0;
  int64_t ordinal = 0;  // 1-based, among every case of the file

  // "classname.name" (GoogleTest's Suite.Test), or the name alone.
  std::string FullName() const {
    return classname.empty() ? name : classname + "." + name;
  }
};

struct JunitReport {
  std::vector<JunitCase> cases;  // in file order, as stored
  int64_t total = 0;             // every <testcase> seen
  int64_t failed = 0;            // <failure>
  int64_t errors = 0;            // <error>
  int64_t skipped = 0;
  int64_t not_stored = 0;
  // What was wrong with the file, each in one line; empty when nothing.
  std::vector<std::string> diagnostics;
};

struct JunitOptions {
  int64_t max_bytes = int64_t{256} << 20;
  int64_t max_cases = 5000;
  int64_t max_late_failures = 1000;
  size_t max_text = 16 * 1024;
};

// NotFound when `path` does not exist (the test wrote no file). A path
// that is a symlink or not a regular file is refused (FailedPrecondition,
// nothing read). Anything else gives a report.
absl::StatusOr<JunitReport> ReadJunit(const std::string& path,
                                      const JunitOptions& options = {});

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_JUNIT_READER_H_
