// Streams one output pipe of a test into a file as it arrives.
//
// At most `max_bytes` reach the file (the rest is read and counted, so the
// test never blocks on a full pipe); when output is cut, a closing line in
// the file says so. Memory stays at one read buffer whatever the test
// prints. Each chunk can also be handed to a consumer (the TAP parser).
#ifndef PROCTOR_RUNNER_ENGINE_OUTPUT_CAPTURE_H_
#define PROCTOR_RUNNER_ENGINE_OUTPUT_CAPTURE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runner/base/unique_fd.h"

namespace proctor {

class OutputCapture {
 public:
  using Consumer = std::function<void(absl::string_view)>;

  // Creates the file and a pipe; give write_fd() to the child, then call
  // CloseWriteEnd().
  static absl::StatusOr<OutputCapture> Open(const std::string& file,
                                            int64_t max_bytes);

  int read_fd() const { return read_.get(); }
  int write_fd() const { return write_.get(); }
  void CloseWriteEnd() { write_.Reset(); }
  bool open() const { return read_.valid(); }
  void set_consumer(Consumer consumer) { consumer_ = std::move(consumer); }

  // Reads what is available without blocking. Returns false once the pipe
  // reached end of file (it is then closed).
  bool Pump();
  // Stops reading: closes the pipe and notes a cut in the file if needed.
  void Close();

  int64_t bytes() const { return bytes_; }
  int64_t kept_bytes() const { return kept_; }
  bool truncated() const { return bytes_ > kept_; }

 private:
  OutputCapture() = default;

  UniqueFd read_, write_, file_;
  int64_t max_bytes_ = 0;
  int64_t bytes_ = 0;
  int64_t kept_ = 0;
  Consumer consumer_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_OUTPUT_CAPTURE_H_
