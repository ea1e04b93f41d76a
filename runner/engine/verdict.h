// Turns how a test ended into a verdict, by the rules the README states:
// exit 0 PASS, 77 SKIPPED, 99 ERROR, other exits FAIL, a signal ERROR,
// over time TIMEOUT; for a TAP producer, the TAP stream must also be ok
// (and `1..0 # SKIP` skips it).
#ifndef PROCTOR_RUNNER_ENGINE_VERDICT_H_
#define PROCTOR_RUNNER_ENGINE_VERDICT_H_

#include <string>

#include "runner/base/subprocess.h"
#include "runner/engine/junit_reader.h"
#include "runner/result.pb.h"
#include "tap/parser.h"

namespace proctor {

inline constexpr int kExitSkip = 77;
inline constexpr int kExitHardError = 99;

struct Verdict {
  Status status = STATUS_UNSPECIFIED;
  std::string reason;
};

struct Outcome {
  ExitInfo exit;
  bool timed_out = false;
  double timeout_seconds = 0;
  bool interrupted = false;
  const tap::Document* tap = nullptr;  // set when judged as TAP
  const JunitReport* junit = nullptr;  // set when it wrote a JUnit file
};

Verdict Judge(const Outcome& outcome);

// Whether a test ended in a way that counts as failed in the summary and
// gets it rerun: FAIL, ERROR, TIMEOUT or INTERRUPTED.
bool Failed(Status status);

// "PASS", "FAIL", ... as printed on the console.
const char* StatusName(Status status);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_VERDICT_H_
