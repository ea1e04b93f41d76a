// What `proctor run` prints on stdout while it runs: the RFC's line per
// finished test ("NAME -- STATUS"; a try of --until-pass adds "(try N)").
// On a terminal, and only there (not a pipe, not under CI, not with
// TERM=dumb), a live status line stays under those lines: tests done of
// the total, failures so far, what is running, the time elapsed.
// --quiet prints only the tests that did not pass or skip; --verbose also
// streams every test's output as it arrives, each line after "NAME| ".
#ifndef PROCTOR_RUNNER_REPORT_CONSOLE_H_
#define PROCTOR_RUNNER_REPORT_CONSOLE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runner/plan/planned_test.h"
#include "runner/result.pb.h"

namespace proctor {

class Console {
 public:
  struct Options {
    bool quiet = false;
    bool verbose = false;
    bool progress = false;  // the live status line; see ProgressWanted()
    int total = 0;          // tests in the job
    int fd = 1;
  };
  explicit Console(Options options);

  // Whether stdout is a terminal a person watches: a TTY, CI unset, TERM
  // not "dumb".
  static bool ProgressWanted();

  void Started(const PlannedTest& test);
  void Finished(const TestResult& result, int attempt);
  void Output(const PlannedTest& test, absl::string_view stream,
              absl::string_view data);
  // Redraws the status line when its clock has moved on; returns when it
  // will next want to (InfiniteFuture without a status line).
  absl::Time Tick(absl::Time now);
  // Removes the status line, before the summary.
  void Done();

  // The status line as it would be drawn now (without terminal codes),
  // cut to `width` columns.
  std::string StatusLine(absl::Time now, size_t width) const;

 private:
  void Write(absl::string_view text);
  void Print(absl::string_view line);  // a line above the status line
  void Draw();

  Options options_;
  absl::Time start_ = absl::Now();
  absl::Time drawn_ = absl::InfinitePast();
  int done_ = 0;
  int failed_ = 0;
  bool shown_ = false;
  std::map<int, std::string> running_;                          // index -> name
  std::map<std::pair<int, std::string>, std::string> partial_;  // --verbose
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_CONSOLE_H_
