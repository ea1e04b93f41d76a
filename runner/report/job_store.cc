#include "runner/report/job_store.h"

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "runner/base/read_file.h"

namespace proctor {
namespace fs = std::filesystem;

std::string ResultsDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* env : {"PROCTOR_RESULTS", "TEST_UNDECLARED_OUTPUTS_DIR"}) {
    const char* dir = getenv(env);
    if (dir != nullptr && *dir != '\0') return dir;
  }
  return "results";
}

absl::StatusOr<std::vector<std::string>> ListJobDirs(
    const std::string& results_dir) {
  std::error_code ec;
  fs::directory_iterator it(results_dir, ec);
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("no results in ", results_dir, ": ", ec.message()));
  }
  std::vector<std::string> dirs;
  for (const fs::directory_entry& e : it) {
    std::string name = e.path().filename().string();
    if (absl::StartsWith(name, "job-") && e.is_directory(ec) &&
        !e.is_symlink(ec)) {
      dirs.push_back(e.path().string());
    }
  }
  // Names hold the start time to the second; jobs started within the same
  // second are told apart by when their id file was written (one stat
  // each, before sorting).
  std::vector<std::tuple<std::string, fs::file_time_type, std::string>> keyed;
  for (std::string& d : dirs) {
    std::string name = fs::path(d).filename().string();
    std::error_code ec;
    auto written = fs::last_write_time(d + "/id", ec);
    keyed.emplace_back(name.substr(0, name.rfind('-')),
                       ec ? fs::file_time_type::min() : written, std::move(d));
  }
  std::sort(keyed.begin(), keyed.end());
  dirs.clear();
  for (auto& k : keyed) dirs.push_back(std::move(std::get<2>(k)));
  return dirs;
}

absl::StatusOr<std::string> ResolveJob(const std::string& results_dir,
                                       const std::string& spec) {
  if (spec.find('/') != std::string::npos && fs::is_directory(spec))
    return fs::absolute(spec).lexically_normal().string();
  // A job directory here (a merged job's, say), when the results
  // directory has no job of that name.
  std::error_code ec;
  bool here = !spec.empty() && fs::exists(fs::path(spec) / "results.json", ec);
  std::string here_path =
      here ? fs::absolute(spec).lexically_normal().string() : "";
  absl::StatusOr<std::vector<std::string>> dirs = ListJobDirs(results_dir);
  if (here && (!dirs.ok() || dirs->empty())) return here_path;
  if (!dirs.ok()) return dirs.status();
  if (dirs->empty())
    return absl::NotFoundError(absl::StrCat("no jobs in ", results_dir));
  absl::string_view rest = spec;
  if (rest.empty() || absl::ConsumePrefix(&rest, "latest")) {
    size_t back = 0;
    if (!rest.empty() &&
        (!absl::ConsumePrefix(&rest, "~") || !absl::SimpleAtoi(rest, &back))) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad job '", spec, "' (want latest or latest~N)"));
    }
    if (back >= dirs->size()) {
      return absl::NotFoundError(absl::StrCat(
          "no job ", spec, ": ", results_dir, " holds ", dirs->size()));
    }
    return (*dirs)[dirs->size() - 1 - back];
  }
  std::vector<std::string> matches;
  for (const std::string& d : *dirs) {
    std::string name = fs::path(d).filename().string();
    if (name == spec) return d;
    if (absl::StrContains(name, spec)) matches.push_back(d);
  }
  if (matches.size() == 1) return matches[0];
  if (matches.empty() && here) return here_path;
  if (matches.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no job '", spec, "' in ", results_dir));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "job '", spec, "' is ambiguous: ", matches.size(), " jobs match, e.g. ",
      fs::path(matches[0]).filename().string(), " and ",
      fs::path(matches[1]).filename().string()));
}

absl::StatusOr<JobResult> LoadJob(const std::string& job_dir) {
  absl::StatusOr<std::string> text = ReadFile(job_dir + "/results.json");
  if (!text.ok()) {
    return absl::NotFoundError(
        absl::StrCat(job_dir, " has no results.json: not a job directory"));
  }
  JobResult job;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // written by a newer proctor
  auto s = google::protobuf::util::JsonStringToMessage(*text, &job, options);
  if (!s.ok()) {
    return absl::DataLossError(
        absl::StrCat(job_dir, "/results.json: ", std::string(s.message())));
  }
  return job;
}

JobSummary ListEntry(const JobResult& job) {
  JobSummary s;
  s.set_id(job.id());
  s.set_dir(job.dir());
  s.set_start_time(job.start_time());
  s.set_duration_seconds(job.duration_seconds());
  *s.mutable_summary() = job.summary();
  s.set_exit_code(job.exit_code());
  s.set_complete(job.complete());
  *s.mutable_argv() = job.argv();
  s.set_error(job.error());
  return s;
}

std::string SummaryLine(const Summary& s) {
  return absl::StrCat(
      s.passed(), " passed, ",
      s.failed() + s.errors() + s.timeouts() + s.interrupted(), " failed, ",
      s.skipped(), " skipped",
      s.flaky() > 0 ? absl::StrCat(" (", s.flaky(), " flaky)") : "");
}

namespace {

std::string FirstLine(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return "";
  return std::string(absl::StripAsciiWhitespace(
      absl::string_view(*text).substr(0, text->find('\n'))));
}

// The value of `key` in "key: value" or key="value" lines.
std::string Field(const std::string& path, absl::string_view key,
                  absl::string_view separator) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return "";
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    line = absl::StripLeadingAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&line, key)) continue;
    if (!absl::ConsumePrefix(&line, separator)) continue;
    line = absl::StripAsciiWhitespace(line);
    absl::ConsumePrefix(&line, "\"");
    absl::ConsumeSuffix(&line, "\"");
    return std::string(line);
  }
  return "";
}

}  // namespace

SysinfoHighlights Highlights(const std::string& job_dir) {
  // A merged job has no system of its own: its first shard's stands in.
  std::error_code ec;
  if (!fs::exists(job_dir + "/sysinfo", ec) &&
      fs::is_directory(job_dir + "/shards", ec)) {
    std::vector<std::string> shards;
    for (const auto& e : fs::directory_iterator(job_dir + "/shards", ec)) {
      shards.push_back(e.path().string());
    }
    std::sort(shards.begin(), shards.end());
    if (!shards.empty()) return Highlights(shards[0]);
  }
  SysinfoHighlights h;
  std::string pre = job_dir + "/sysinfo/pre/";
  h.set_kernel(FirstLine(pre + "uname_-a"));
  h.set_os(Field(pre + "etc_os-release", "PRETTY_NAME", "="));
  h.set_cpu(Field(pre + "lscpu", "Model name", ":"));
  h.set_qemu(FirstLine(job_dir + "/vm/qemu_version"));
  std::string accel = FirstLine(job_dir + "/vm/accel");
  h.set_accel(accel.substr(0, accel.find(' ')));
  h.set_guest_kernel(Field(job_dir + "/vm/kernel", "version", ":"));
  return h;
}

}  // namespace proctor
