#include "runner/engine/verdict.h"

#include <string.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace proctor {
namespace {

Verdict TapVerdict(const tap::Document& doc) {
  if (doc.bailed_out) {
    return {FAIL, absl::StrCat("TAP: Bail out! ", doc.bail_reason)};
  }
  if (doc.failed > 0) {
    for (const tap::TestPoint& p : doc.points) {
      if (p.failing()) {
        return {FAIL, absl::StrCat("TAP: ", doc.failed, " of ", doc.point_count,
                                   " failed, first: not ok ", p.number,
                                   p.description.empty() ? "" : " - ",
                                   p.description)};
      }
    }
    return {FAIL, absl::StrCat("TAP: ", doc.failed, " of ", doc.point_count,
                               " failed")};
  }
  if (!doc.diagnostics.empty()) {
    return {FAIL, absl::StrCat("TAP: ", doc.diagnostics[0])};
  }
  if (doc.skipped_all()) {
    return {SKIPPED, doc.plan.reason.empty() ? std::string("TAP: 1..0")
                                             : absl::StrCat(doc.plan.reason)};
  }
  return {PASS, ""};
}

// The cases' verdict, for a test whose exit status and TAP passed.
Verdict JunitVerdict(const JunitReport& r) {
  int64_t bad = r.failed + r.errors;
  if (bad > 0) {
    for (const JunitCase& c : r.cases) {
      if (c.outcome != JunitCase::Outcome::kFail &&
          c.outcome != JunitCase::Outcome::kError) {
        continue;
      }
      return {FAIL, absl::StrCat("JUnit: ", bad, " of ", r.total,
                                 " cases failed, first: ", c.FullName(),
                                 c.message.empty() ? "" : ": ",
                                 c.message.substr(0, 200))};
    }
    return {FAIL,
            absl::StrCat("JUnit: ", bad, " of ", r.total, " cases failed")};
  }
  if (r.total > 0 && r.skipped == r.total) {
    return {SKIPPED, absl::StrCat("JUnit: all ", r.total, " cases skipped")};
  }
  // A file that could not be read whole does not change the verdict: the
  // exit status decides, and the reason says why the cases are missing.
  if (!r.diagnostics.empty()) {
    return {PASS, absl::StrCat("JUnit: ", r.diagnostics[0],
                               "; the exit status decides")};
  }
  return {PASS, ""};
}

}  // namespace

bool Failed(Status s) {
  return s == FAIL || s == ERROR || s == TIMEOUT || s == INTERRUPTED;
}

const char* StatusName(Status status) {
  switch (status) {
    case PASS:
      return "PASS";
    case FAIL:
      return "FAIL";
    case ERROR:
      return "ERROR";
    case SKIPPED:
      return "SKIPPED";
    case TIMEOUT:
      return "TIMEOUT";
    case INTERRUPTED:
      return "INTERRUPTED";
    default:
      return "UNKNOWN";
  }
}

Verdict Judge(const Outcome& o) {
  if (o.interrupted) return {INTERRUPTED, "interrupted"};
  if (o.timed_out) {
    return {TIMEOUT, absl::StrFormat("timed out after %gs", o.timeout_seconds)};
  }
  if (!o.exit.exited) {
    return {ERROR, absl::StrCat("killed by signal ", o.exit.signal, " (",
                                strsignal(o.exit.signal), ")")};
  }
  int code = o.exit.code;
  if (code == kExitHardError) {
    // A producer that bailed out said why: that is the error.
    return {ERROR, o.tap != nullptr && o.tap->bailed_out
                       ? absl::StrCat("exit status 99 (hard error); TAP: Bail "
                                      "out! ",
                                      o.tap->bail_reason)
                       : "exit status 99 (hard error)"};
  }
  if (code == kExitSkip) {
    // A TAP producer that skips itself usually says why in its plan.
    if (o.tap != nullptr && o.tap->has_plan && !o.tap->plan.reason.empty()) {
      return {SKIPPED, o.tap->plan.reason};
    }
    return {SKIPPED, "exit status 77"};
  }
  if (o.tap != nullptr) {
    Verdict v = TapVerdict(*o.tap);
    if (code != 0 && v.status != FAIL) {
      return {FAIL, absl::StrCat("exit status ", code)};
    }
    if (v.status != PASS || o.junit == nullptr) return v;
  }
  if (code != 0) return {FAIL, absl::StrCat("exit status ", code)};
  if (o.junit != nullptr) return JunitVerdict(*o.junit);
  return {PASS, ""};
}

}  // namespace proctor
