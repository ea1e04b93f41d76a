// Splits a stream at the first occurrence of a marker: what comes before it
// goes to one sink, what comes after to another, the marker to neither.
// A guest test's helper uses it on the test's stderr, after which the
// script sends the test's outputs as a tar (guest.h), so that a test that
// wrote none costs no second command in the guest.
//
// A chunk that ends with the start of the marker holds that start back
// until the next chunk tells whether it is the marker; Finish() lets what
// is held go to the first sink. Kept free of libraries: the helper starts
// for every guest test. Not thread-safe.
#ifndef PROCTOR_RUNNER_GUEST_STREAM_SPLITTER_H_
#define PROCTOR_RUNNER_GUEST_STREAM_SPLITTER_H_

#include <functional>
#include <string>
#include <string_view>

namespace proctor {

class StreamSplitter {
 public:
  using Sink = std::function<void(std::string_view)>;

  // `marker` must not be empty.
  StreamSplitter(std::string marker, Sink before, Sink after)
      : marker_(std::move(marker)),
        before_(std::move(before)),
        after_(std::move(after)) {}

  void Feed(std::string_view chunk);
  // The end of the stream.
  void Finish();
  // Whether the marker has been seen.
  bool split() const { return split_; }

 private:
  const std::string marker_;
  Sink before_, after_;
  std::string held_;
  bool split_ = false;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_STREAM_SPLITTER_H_
