// Bytes compressed with any of the filters libarchive reads (gzip, bzip2,
// xz, lzma, lzo, lz4, zstd) and no archive format around them: a kernel's
// payload, /proc/config.gz. Pure; thread-compatible.
#ifndef PROCTOR_RUNNER_BASE_DECOMPRESS_H_
#define PROCTOR_RUNNER_BASE_DECOMPRESS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace proctor {

struct Decompressed {
  std::string data;   // what came out before any error
  std::string error;  // libarchive's complaint, "" when there was none
};

// Bytes after the stream's end are an error, and the data before it may
// then be cut short (libarchive drops its last buffer): give the stream
// alone (a kernel's payload without the size it ends with), and check the
// size where it is known. Bytes no filter knows come back as they are.
Decompressed Decompress(absl::string_view bytes);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_DECOMPRESS_H_
