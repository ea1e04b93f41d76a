// Whether a test's stdout is TAP, and its TAP document when it is. The
// first line that is not blank decides (tap::LooksLikeTap); with
// format=tap the stream is TAP from the start, with format=exit never.
// Up to 4 KiB are held while undecided; a stream without a newline in
// that much is not TAP. TAP points beyond a cap per level are counted,
// not stored, so any stream costs bounded memory.
//
// Not thread-safe; one per running test.
#ifndef PROCTOR_RUNNER_ENGINE_TAP_SNIFFER_H_
#define PROCTOR_RUNNER_ENGINE_TAP_SNIFFER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "runner/plan/metadata.h"
#include "tap/parser.h"

namespace proctor {

class TapSniffer {
 public:
  explicit TapSniffer(OutputFormat format);

  // The next bytes of stdout.
  void Feed(absl::string_view chunk);
  // At the end of stdout: the document if the stream was TAP.
  std::optional<tap::Document> Finish();

 private:
  void Decide(absl::string_view first_line);

  OutputFormat format_;
  bool decided_ = false;
  std::string held_;                  // stdout so far, while undecided
  std::unique_ptr<tap::Parser> tap_;  // set once decided for TAP
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_TAP_SNIFFER_H_
