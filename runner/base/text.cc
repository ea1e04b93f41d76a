#include "runner/base/text.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace proctor {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if there is none.
size_t ValidSequenceLength(absl::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = s[i];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((c & 0xe0) == 0xc0) {
    len = 2;
    *cp = c & 0x1f;
    min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3;
    *cp = c & 0x0f;
    min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4;
    *cp = c & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (cc & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) {
    return 0;
  }
  return len;
}

std::string Sanitize(absl::string_view bytes, bool xml) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    // Most text is printable ASCII: copied a run at a time.
    size_t run = i;
    while (run < bytes.size() &&
           ((bytes[run] >= 0x20 && bytes[run] < 0x7f) || bytes[run] == '\n' ||
            bytes[run] == '\t' || bytes[run] == '\r')) {
      ++run;
    }
    if (run > i) {
      out.append(bytes.data() + i, run - i);
      i = run;
      continue;
    }
    uint32_t cp = 0;
    size_t len = ValidSequenceLength(bytes, i, &cp);
    if (len == 0) {
      out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    bool allowed = !xml || (cp >= 0x20 && cp != 0xfffe && cp != 0xffff) ||
                   cp == '\t' || cp == '\n' || cp == '\r';
    if (allowed) out.append(bytes.data() + i, len);
    i += len;
  }
  return out;
}

}  // namespace

std::string SanitizeUtf8(absl::string_view bytes) {
  return Sanitize(bytes, false);
}

std::string XmlSafe(absl::string_view bytes) { return Sanitize(bytes, true); }

size_t UnfinishedUtf8Tail(absl::string_view bytes) {
  for (size_t k = 1; k <= std::min<size_t>(3, bytes.size()); ++k) {
    unsigned char c = bytes[bytes.size() - k];
    if ((c & 0xc0) == 0x80) continue;  // a continuation byte: look further
    size_t len = (c & 0xe0) == 0xc0   ? 2
                 : (c & 0xf0) == 0xe0 ? 3
                 : (c & 0xf8) == 0xf0 ? 4
                                      : 0;
    return len > k ? k : 0;
  }
  return 0;
}

std::string ShellQuote(absl::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

std::string SanitizeFileName(absl::string_view name, size_t max_length) {
  std::string out;
  for (char c : name) {
    if (out.size() >= max_length) break;
    bool ok = absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out == "." || out == "..") out = "_";
  return out;
}

}  // namespace proctor
