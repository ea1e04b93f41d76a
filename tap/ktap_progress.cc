#include "tap/ktap_progress.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "re2/re2.h"

namespace tap {
namespace {

// The point's number and description of "ok N DESC" / "not ok N DESC".
bool ParsePoint(absl::string_view line, long* number, std::string* name) {
  if (!absl::ConsumePrefix(&line, "not ok ") &&
      !absl::ConsumePrefix(&line, "ok ")) {
    return false;
  }
  size_t end = line.find_first_not_of("0123456789");
  if (!absl::SimpleAtoi(line.substr(0, end), number)) return false;
  absl::string_view rest =
      end == absl::string_view::npos ? "" : line.substr(end);
  absl::ConsumePrefix(&rest, " ");
  absl::ConsumePrefix(&rest, "- ");
  *name = std::string(rest.substr(0, rest.find(" #")));
  return true;
}

}  // namespace

void KtapProgress::Line(absl::string_view line) {
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(line);
  bool top = trimmed.size() == line.size();
  if (!started_) {
    started_ = top && (absl::StartsWith(line, "KTAP version ") ||
                       absl::StartsWith(line, "TAP version "));
    return;
  }
  if (top) {
    long n = 0;
    std::string name;
    if (absl::ConsumePrefix(&trimmed, "1..")) {
      absl::string_view count = trimmed.substr(0, trimmed.find(' '));
      if (planned_ < 0 && absl::SimpleAtoi(count, &n)) planned_ = n;
    } else if (ParsePoint(line, &n, &name)) {
      ++points_;
      last_finished_ = running_.empty() ? name : running_;
      running_.clear();
    }
    return;
  }
  // A suite's first lines: KTAP v1 names it "# Subtest: NAME".
  if (absl::ConsumePrefix(&trimmed, "# Subtest: ")) {
    running_ = std::string(absl::StripAsciiWhitespace(trimmed));
  }
}

std::string StripPrintkPrefix(absl::string_view line) {
  absl::ConsumeSuffix(&line, "\r");
  static const RE2* const kPrefix =
      new RE2(R"(^\[ *\d+\.\d+\](?:\[ *[TC]\d+\])? ?)");
  re2::StringPiece rest(line.data(), line.size());
  if (RE2::Consume(&rest, *kPrefix)) {
    return std::string(rest.data(), rest.size());
  }
  return std::string(line);
}

}  // namespace tap
