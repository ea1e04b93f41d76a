// The `proctor:` metadata line a test file may carry.
//
// Within the first 4 KiB of a test file, a line holding `proctor:` after any
// comment leader (`#`, `//`, `--`, `;`, `/*`, ...) sets keys for that test:
//
//   # proctor: timeout=30s where=guest requires=cmd:qemu-img,root tags=slow
//
// Keys: timeout (seconds or an Abseil duration: 90, 1m30s), where
// (host|guest|both), requires (comma-separated cmd:NAME, file:PATH, kvm,
// root, env:VAR; the key may repeat), tags (comma-separated), format
// (auto|tap|exit: how the verdict is decided). Several `proctor:` lines
// add up. An unknown key or a bad value is an error, so a typo does not
// silently change how a test runs.
#ifndef PROCTOR_RUNNER_PLAN_METADATA_H_
#define PROCTOR_RUNNER_PLAN_METADATA_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace proctor {

enum class Where { kHost, kGuest, kBoth };
enum class OutputFormat { kAuto, kTap, kExit };

struct Metadata {
  std::optional<absl::Duration> timeout;
  std::optional<Where> where;
  std::optional<OutputFormat> format;
  std::vector<std::string> requires_;  // "cmd:NAME", "kvm", ...
  std::vector<std::string> tags;
  // junit=PATH: the JUnit file the test writes, relative to $OUTPUTDIR,
  // instead of $XML_OUTPUT_FILE.
  std::string junit;
};

// How many bytes of a file are searched for metadata lines.
inline constexpr size_t kMetadataWindow = 4096;

// Parses the metadata lines in `head` (the start of a test file).
absl::StatusOr<Metadata> ParseMetadata(absl::string_view head);
// Parses the start of a file as read (its first kMetadataWindow bytes or
// fewer), ignoring a line the window cuts.
absl::StatusOr<Metadata> ParseFileHead(absl::string_view head);
// Reads the first kMetadataWindow bytes of `path` and parses them.
absl::StatusOr<Metadata> ReadMetadata(const std::string& path);

absl::StatusOr<Where> ParseWhere(absl::string_view text);
absl::StatusOr<OutputFormat> ParseFormat(absl::string_view text);
std::string WhereName(Where where);
// Checks that one requirement is well formed ("cmd:ls", not "cmd:").
absl::Status ValidateRequirement(absl::string_view requirement);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_METADATA_H_
