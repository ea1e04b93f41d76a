// A file mapped read-only into memory: its bytes as a string_view without
// reading them all in (a 63 MB vmlinux of which only the headers and the
// version string are wanted: a few pages, against 0.2 s to read it whole).
// The view lives as long as the object; the file must not be truncated
// meanwhile. Open() fails with the reason in one line. Thread-compatible.
#ifndef PROCTOR_RUNNER_BASE_MAPPED_FILE_H_
#define PROCTOR_RUNNER_BASE_MAPPED_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor {

class MappedFile {
 public:
  static absl::StatusOr<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  absl::string_view bytes() const {
    return absl::string_view(static_cast<const char*>(data_), size_);
  }

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}

  void* data_ = nullptr;  // nullptr for an empty file
  size_t size_ = 0;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_MAPPED_FILE_H_
