// Downloads an http(s) URL to a file with libcurl: redirects followed, an
// HTTP error status is an error, and a stalled transfer gives up instead
// of hanging (no bytes for 60 s, or no connection within 30 s).
#ifndef PROCTOR_RUNNER_BASE_HTTP_FETCH_H_
#define PROCTOR_RUNNER_BASE_HTTP_FETCH_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace proctor {

bool IsHttpUrl(absl::string_view s);

// Writes the body of `url` to `path`. The error is one line naming the URL
// and what failed ("HTTP 404", "Couldn't connect to server", ...).
absl::Status HttpGet(const std::string& url, const std::string& path);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_HTTP_FETCH_H_
