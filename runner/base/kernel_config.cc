#include "runner/base/kernel_config.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runner/base/decompress.h"
#include "runner/base/read_file.h"

namespace proctor {
namespace {

bool IsOptionName(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "CONFIG_") || name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c) && c != '_' &&
        !absl::ascii_islower(c)) {
      return false;
    }
  }
  return true;
}

// `bytes` decompressed when it is gzip, else as it is.
absl::StatusOr<std::string> Gunzipped(const std::string& bytes) {
  if (!absl::StartsWith(bytes, "\x1f\x8b")) return bytes;
  Decompressed d = Decompress(bytes);
  if (!d.error.empty()) return absl::DataLossError(d.error);
  return std::move(d.data);
}

}  // namespace

KernelConfig KernelConfig::Parse(absl::string_view text) {
  KernelConfig c;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    absl::string_view name = line.substr(0, eq);
    if (!IsOptionName(name)) continue;
    c.values_[std::string(name)] = std::string(line.substr(eq + 1));
  }
  return c;
}

std::string KernelConfig::Value(absl::string_view option) const {
  auto it = values_.find(option);
  // Kconfig writes "=n" for nothing; "not set" is the same.
  if (it == values_.end() || it->second == "n") return "";
  return it->second;
}

absl::StatusOr<KernelConfig> ReadKernelConfig(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::string> text = Gunzipped(*bytes);
  if (!text.ok()) {
    return absl::DataLossError(
        absl::StrCat(path, ": ", text.status().message()));
  }
  KernelConfig c = KernelConfig::Parse(*text);
  if (c.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a kernel configuration (no CONFIG_ line)"));
  }
  return c;
}

absl::StatusOr<ConfigRequirement> ParseConfigRequirement(
    absl::string_view text) {
  ConfigRequirement r;
  absl::string_view name = text;
  if (absl::ConsumePrefix(&name, "!")) {
    r.want = "!";
  } else if (size_t eq = name.find('='); eq != absl::string_view::npos) {
    r.want = std::string(name.substr(eq + 1));
    name = name.substr(0, eq);
    if (r.want.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "requires config:", text, ": no value after '=' (want =y, =m or a "
          "value)"));
    }
  }
  if (!IsOptionName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "requires config:", text, ": '", name,
        "' is not a kernel option (CONFIG_ and then letters, digits, _)"));
  }
  r.option = std::string(name);
  return r;
}

std::string Unmet(const ConfigRequirement& r, const KernelConfig& config) {
  std::string value = config.Value(r.option);
  if (r.want == "!") {
    return value.empty() ? "" : absl::StrCat(r.option, "=", value);
  }
  if (value.empty()) return absl::StrCat(r.option, " is not set");
  if (r.want.empty() || value == r.want) return "";
  return absl::StrCat(r.option, "=", value, ", not ", r.want);
}

}  // namespace proctor
