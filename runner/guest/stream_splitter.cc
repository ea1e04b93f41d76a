#include "runner/guest/stream_splitter.h"

#include <algorithm>

namespace proctor {

void StreamSplitter::Feed(std::string_view chunk) {
  if (split_) {
    if (!chunk.empty()) after_(chunk);
    return;
  }
  held_.append(chunk);
  size_t at = held_.find(marker_);
  if (at != std::string::npos) {
    split_ = true;
    std::string held = std::move(held_);
    held_.clear();
    if (at > 0) before_(std::string_view(held).substr(0, at));
    std::string_view rest = std::string_view(held).substr(at + marker_.size());
    if (!rest.empty()) after_(rest);
    return;
  }
  // The longest end of what is held that may begin the marker stays.
  size_t keep = 0;
  for (size_t k = std::min(marker_.size() - 1, held_.size()); k > 0; --k) {
    if (held_.compare(held_.size() - k, k, marker_, 0, k) == 0) {
      keep = k;
      break;
    }
  }
  if (held_.size() > keep) {
    before_(std::string_view(held_).substr(0, held_.size() - keep));
    held_.erase(0, held_.size() - keep);
  }
}

void StreamSplitter::Finish() {
  if (!split_ && !held_.empty()) before_(held_);
  held_.clear();
}

}  // namespace proctor
