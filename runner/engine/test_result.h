// Building a test's TestResult (runner/result.proto): the fields its plan
// fixes, and what its TAP stream adds (the summary and every point, kept
// as sub-results). Strings are made valid UTF-8 on the way, as protobuf
// requires.
#ifndef PROCTOR_RUNNER_ENGINE_TEST_RESULT_H_
#define PROCTOR_RUNNER_ENGINE_TEST_RESULT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runner/engine/junit_reader.h"
#include "runner/plan/planned_test.h"
#include "runner/result.pb.h"
#include "tap/parser.h"

namespace proctor {

// Index, name, path, where, directory, timeout and tags of `test`.
TestResult BaseResult(const PlannedTest& test);

// BaseResult with a verdict: a test decided without running, or one that
// could not start.
TestResult DecidedResult(const PlannedTest& test, Status status,
                         absl::string_view reason, absl::Time start);

// The TAP summary and points of `doc` into `result`.
void AddTap(const tap::Document& doc, TestResult* result);

// The JUnit summary and cases of `report` (read from `file`, relative to
// the test's directory) into `result`.
void AddJunit(const JunitReport& report, const std::string& file,
              TestResult* result);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_TEST_RESULT_H_
