#include "runner/report/console.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runner/base/fd_io.h"
#include "runner/engine/verdict.h"

namespace proctor {

Console::Console(Options options) : options_(options) {
  if (options_.quiet) options_.progress = false;
}

bool Console::ProgressWanted() {
  const char* ci = getenv("CI");
  const char* term = getenv("TERM");
  return isatty(1) && (ci == nullptr || *ci == '\0') &&
         (term == nullptr || strcmp(term, "dumb") != 0);
}

void Console::Write(absl::string_view text) { WriteAll(options_.fd, text); }

void Console::Print(absl::string_view line) {
  // The status line is wiped, the line written, the status line redrawn.
  if (shown_) Write("\r\033[K");
  Write(absl::StrCat(line, "\n"));
  if (shown_) Draw();
}

std::string Console::StatusLine(absl::Time now, size_t width) const {
  int64_t seconds = absl::ToInt64Seconds(now - start_);
  std::vector<std::string> names;
  for (const auto& [index, name] : running_) names.push_back(name);
  std::string line =
      absl::StrFormat("[%d/%d] %d failed, %d:%02d  running: %s", done_,
                      options_.total, failed_, seconds / 60, seconds % 60,
                      names.empty() ? "-" : absl::StrJoin(names, ", "));
  if (line.size() > width && width > 3)
    line = line.substr(0, width - 3) + "...";
  return line;
}

void Console::Draw() {
  winsize ws = {};
  size_t width = ioctl(options_.fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0
                     ? ws.ws_col - 1
                     : 79;
  absl::Time now = absl::Now();
  Write(absl::StrCat("\r\033[K", StatusLine(now, width)));
  drawn_ = now;
  shown_ = true;
}

void Console::Started(const PlannedTest& test) {
  running_[test.index] = test.name;
  if (options_.progress) Draw();
}

void Console::Finished(const TestResult& r, int attempt) {
  running_.erase(r.index());
  bool bad = Failed(r.status());
  if (attempt == 1) ++done_;
  if (bad && attempt == 1) ++failed_;
  if (!bad && attempt > 1) --failed_;  // a later try passed
  if (!options_.quiet || bad) {
    // Names are printed as they are, even when they are not UTF-8.
    Print(attempt > 1
              ? absl::StrFormat("%s -- %s (try %d)", r.name(),
                                StatusName(r.status()), attempt)
              : absl::StrFormat("%s -- %s", r.name(), StatusName(r.status())));
  } else if (shown_) {
    Draw();
  }
}

void Console::Output(const PlannedTest& test, absl::string_view stream,
                     absl::string_view data) {
  if (!options_.verbose) return;
  std::string& partial = partial_[{test.index, std::string(stream)}];
  partial.append(data.data(), data.size());
  size_t start = 0;
  for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    Print(absl::StrCat(test.name, "| ",
                       absl::string_view(partial).substr(start, nl - start)));
  }
  partial.erase(0, start);
}

absl::Time Console::Tick(absl::Time now) {
  if (!options_.progress) return absl::InfiniteFuture();
  if (now - drawn_ >= absl::Seconds(1)) Draw();
  return drawn_ + absl::Seconds(1);
}

void Console::Done() {
  if (shown_) Write("\r\033[K");
  shown_ = false;
  options_.progress = false;
}

}  // namespace proctor
