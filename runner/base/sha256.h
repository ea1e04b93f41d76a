// SHA-256 of a file, with OpenSSL's EVP interface, as lowercase hex.
#ifndef PROCTOR_RUNNER_BASE_SHA256_H_
#define PROCTOR_RUNNER_BASE_SHA256_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor {

absl::StatusOr<std::string> Sha256File(const std::string& path);
std::string Sha256Hex(absl::string_view bytes);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_SHA256_H_
