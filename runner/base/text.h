// Text from tests is bytes; the result files need valid UTF-8 (protobuf's
// JSON) and characters XML 1.0 allows (JUnit). These make any bytes safe.
#ifndef PROCTOR_RUNNER_BASE_TEXT_H_
#define PROCTOR_RUNNER_BASE_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace proctor {

// Replaces each invalid UTF-8 sequence by U+FFFD.
std::string SanitizeUtf8(absl::string_view bytes);
// SanitizeUtf8, then drops what XML 1.0 forbids (C0 controls but tab,
// newline and carriage return; U+FFFE, U+FFFF).
std::string XmlSafe(absl::string_view bytes);
// How many bytes at the end of `bytes` begin a UTF-8 sequence that they do
// not finish (0 to 3): what a reader of chunks keeps for the next chunk, so
// that a character cut by a chunk boundary is not taken for invalid.
size_t UnfinishedUtf8Tail(absl::string_view bytes);
// `s` as one word for a POSIX shell: in single quotes, with each ' as '\''.
std::string ShellQuote(absl::string_view s);
// A name usable as one path component: [A-Za-z0-9._-], others become '_'.
std::string SanitizeFileName(absl::string_view name, size_t max_length = 100);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_TEXT_H_
