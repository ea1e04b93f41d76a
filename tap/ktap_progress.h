// Where a KTAP stream has got to, line by line, as it arrives on a kernel's
// console: KUnit's results among the kernel's own messages. It says
// whether the results began, whether the top-level plan is complete, and
// which suite (a top-level point's subtest) is running, so that `proctor
// kunit` can stop the guest as soon as the results are whole, and name the
// suite a crash or a hang happened in.
//
//   KTAP version 1              top level: the plan, then a point a suite
//   1..2
//       KTAP version 1          a suite: "# Subtest: NAME" names it
//       # Subtest: example
//       1..1
//       ok 1 example_simple_test
//   ok 1 example
//
// Only the top level's lines are read (the suites' are the parser's
// business, tap/parser.h); anything that is not KTAP is the kernel's and
// is ignored. Lines come without their newline and with printk's time
// stamp stripped (StripPrintkPrefix). Thread-compatible.
#ifndef PROCTOR_TAP_KTAP_PROGRESS_H_
#define PROCTOR_TAP_KTAP_PROGRESS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace tap {

class KtapProgress {
 public:
  void Line(absl::string_view line);

  // A top-level "KTAP version N" (or "TAP version N") line was seen.
  bool started() const { return started_; }
  // The top-level plan was seen and every point it planned.
  bool complete() const { return planned_ >= 0 && points_ >= planned_; }
  // The suite whose results are being printed: its "# Subtest:" name, ""
  // before the first and between suites.
  const std::string& running() const { return running_; }
  // The suite the last top-level point closed ("" before the first).
  const std::string& last_finished() const { return last_finished_; }

 private:
  bool started_ = false;
  long planned_ = -1;
  long points_ = 0;
  std::string running_;
  std::string last_finished_;
};

// `line` without a printk time stamp ("[    1.234567] ", and the caller
// id "[T1] " of CONFIG_PRINTK_CALLER) and without a trailing '\r': what
// the kernel wrote, as KTAP parsers want it.
std::string StripPrintkPrefix(absl::string_view line);

}  // namespace tap

#endif  // PROCTOR_TAP_KTAP_PROGRESS_H_
