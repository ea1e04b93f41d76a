// For unit tests: bytes compressed by libarchive as one raw stream, the
// form a kernel's payload and decompress.h's input take.
#ifndef PROCTOR_RUNNER_BASE_TEST_COMPRESS_H_
#define PROCTOR_RUNNER_BASE_TEST_COMPRESS_H_

#include <string>

namespace proctor {

// `payload` compressed with `filter` (one of ARCHIVE_FILTER_*), in
// libarchive's raw format: the compressed stream alone.
std::string Compressed(const std::string& payload, int filter);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_TEST_COMPRESS_H_
