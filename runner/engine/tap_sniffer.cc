#include "runner/engine/tap_sniffer.h"

#include "absl/strings/ascii.h"

namespace proctor {
namespace {

// Bytes of output searched for the first line, to tell TAP from plain text.
constexpr size_t kSniffLimit = 4096;

// TAP points kept per level for the result files; all are counted. Each
// stored point costs a few KiB on the way to results.json (protobuf JSON),
// so this bounds the runner near 32 MiB RSS for any TAP stream.
tap::Options TapOptions() {
  tap::Options o;
  o.max_points = 5000;
  return o;
}

}  // namespace

TapSniffer::TapSniffer(OutputFormat format) : format_(format) {
  if (format_ == OutputFormat::kTap) {
    decided_ = true;
    tap_ = std::make_unique<tap::Parser>(TapOptions());
  }
  if (format_ == OutputFormat::kExit) decided_ = true;
}

void TapSniffer::Decide(absl::string_view first_line) {
  decided_ = true;
  if (tap::LooksLikeTap(first_line)) {
    tap_ = std::make_unique<tap::Parser>(TapOptions());
    tap_->Feed(held_);
  }
  held_.clear();
}

void TapSniffer::Feed(absl::string_view chunk) {
  if (decided_) {
    if (tap_ != nullptr) tap_->Feed(chunk);
    return;
  }
  held_.append(chunk.data(), chunk.size());
  size_t begin = 0;
  while (begin < held_.size()) {
    size_t nl = held_.find('\n', begin);
    if (nl == std::string::npos) break;
    absl::string_view line(held_.data() + begin, nl - begin);
    if (!absl::StripAsciiWhitespace(line).empty()) {
      Decide(line);
      return;
    }
    begin = nl + 1;
  }
  if (held_.size() >= kSniffLimit) Decide("");
}

std::optional<tap::Document> TapSniffer::Finish() {
  if (!decided_) {
    // A last line without a newline decides.
    absl::string_view rest = absl::StripAsciiWhitespace(held_);
    Decide(rest.substr(0, rest.find('\n')));
  }
  if (tap_ == nullptr) return std::nullopt;
  return tap_->Finish();
}

}  // namespace proctor
