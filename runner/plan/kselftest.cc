#include "runner/plan/kselftest.h"

#include <unistd.h>

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "runner/base/read_file.h"

namespace proctor {
namespace {

constexpr int kDefaultTimeout = 45;  // kselftest/runner.sh's

bool Readable(const std::string& path) {
  return access(path.c_str(), R_OK) == 0;
}

}  // namespace

bool IsKselftestDir(const std::string& dir) {
  return Readable(dir + "/run_kselftest.sh") &&
         Readable(dir + "/kselftest-list.txt");
}

int KselftestTimeout(const std::string& settings) {
  int timeout = kDefaultTimeout;
  for (absl::string_view line : absl::StrSplit(settings, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    int n = 0;
    if (absl::ConsumePrefix(&line, "timeout=") && absl::SimpleAtoi(line, &n) &&
        n > 0) {
      timeout = n;
    }
  }
  return timeout;
}

absl::StatusOr<std::vector<TestSpec>> KselftestSpecs(
    const std::string& dir, const std::string& prefix) {
  std::string list_path = dir + "/kselftest-list.txt";
  absl::StatusOr<std::string> list = ReadFile(list_path);
  if (!list.ok()) return list.status();
  std::vector<std::string> order;
  std::map<std::string, int> tests;
  for (absl::string_view line : absl::StrSplit(*list, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    size_t colon = line.find(':');
    if (line.empty() || colon == 0 || colon == absl::string_view::npos) {
      continue;
    }
    std::string collection(line.substr(0, colon));
    if (tests[collection]++ == 0) order.push_back(collection);
  }
  if (order.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(list_path, ": no collection:test line"));
  }
  std::vector<TestSpec> specs;
  for (const std::string& c : order) {
    TestSpec spec;
    spec.name = prefix.empty() ? c : absl::StrCat(prefix, "/", c);
    spec.path = dir + "/run_kselftest.sh";
    spec.args = {"-c", c};
    spec.run_in_copy_of = {"run_kselftest.sh", "kselftest-list.txt",
                           "kselftest", c};
    absl::StatusOr<std::string> settings =
        ReadFile(absl::StrCat(dir, "/", c, "/settings"));
    int each = KselftestTimeout(settings.ok() ? *settings : "");
    spec.metadata.timeout = absl::Seconds(each * tests[c] + 60);
    spec.metadata.format = OutputFormat::kTap;
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace proctor
