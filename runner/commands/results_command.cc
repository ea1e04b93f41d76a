// `proctor results list | show [JOB] | diff JOB_A JOB_B` (and `merge`,
// merge_command.cc): the jobs in a
// results directory, read back from their result trees. A JOB is latest
// (the default), latest~N, a job directory or its name, or a part of the
// name only one job has. --json prints the same as protobuf JSON.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/cli.h"
#include "runner/base/duration.h"
#include "runner/base/read_file.h"
#include "runner/base/sorted_json.h"
#include "runner/base/text.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/engine/verdict.h"
#include "runner/plan/metadata.h"
#include "runner/report/job_diff.h"
#include "runner/report/job_store.h"

namespace proctor {
namespace {

constexpr char kUsage[] =
    "usage: proctor results list | show [JOB] | diff JOB_A JOB_B | "
    "merge JOB... --into=DIR [--results-dir=DIR] [--json]\n"
    "JOB: latest (default), latest~N, a job directory, its name, or a part "
    "of the name\nonly one job has";

std::string ResultsDir() {
  return proctor::ResultsDir(absl::GetFlag(FLAGS_results_dir));
}

std::string Name(const JobSummary& j) {
  return std::filesystem::path(j.dir()).filename().string();
}

std::string Command(const JobSummary& j) {
  return absl::StrJoin(j.argv(), " ");
}

int PrintJson(const google::protobuf::Message& m) {
  absl::StatusOr<std::string> json = SortedJson(m, true);
  if (!json.ok())
    return Fail(kExitInfrastructure, std::string(json.status().message()));
  absl::PrintF("%s", *json);
  return kExitOk;
}

// The last `lines` lines of a test's output file, each prefixed.
std::string Tail(const std::string& path, int lines) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok() || text->empty() || lines <= 0) return "";
  std::vector<absl::string_view> all =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(*text), '\n');
  size_t from = all.size() > static_cast<size_t>(lines)
                    ? all.size() - static_cast<size_t>(lines)
                    : 0;
  return SanitizeUtf8(absl::StrJoin(all.begin() + from, all.end(), "\n"));
}

std::string SystemLine(const SysinfoHighlights& h) {
  std::vector<std::string> parts;
  if (!h.kernel().empty()) parts.push_back(h.kernel());
  if (!h.os().empty()) parts.push_back(h.os());
  if (!h.cpu().empty()) parts.push_back(h.cpu());
  if (!h.qemu().empty()) parts.push_back("QEMU " + h.qemu());
  if (!h.accel().empty()) parts.push_back("accel " + h.accel());
  if (!h.guest_kernel().empty()) {
    parts.push_back("guest kernel " + h.guest_kernel());
  }
  return parts.empty() ? "(no sysinfo collected)" : absl::StrJoin(parts, "; ");
}

int List(const std::vector<std::string>& args) {
  if (!args.empty()) return Fail(kExitUsage, kUsage);
  absl::StatusOr<std::vector<std::string>> dirs = ListJobDirs(ResultsDir());
  if (!dirs.ok()) return Fail(kExitUsage, std::string(dirs.status().message()));
  JobList list;
  for (const std::string& d : *dirs) {
    absl::StatusOr<JobResult> job = LoadJob(d);
    if (!job.ok()) continue;  // being created, or not proctor's
    *list.add_jobs() = ListEntry(*job);
  }
  if (absl::GetFlag(FLAGS_json)) return PrintJson(list);
  for (const JobSummary& j : list.jobs()) {
    absl::PrintF("%s  %-36s %8.1f s  exit %d%s  %s\n", Name(j),
                 j.error().empty() ? SummaryLine(j.summary())
                                   : std::string("stopped before its tests"),
                 j.duration_seconds(), j.exit_code(),
                 j.complete() ? "" : " (incomplete)", Command(j));
  }
  return kExitOk;
}

int Show(const std::vector<std::string>& args) {
  if (args.size() > 1) return Fail(kExitUsage, kUsage);
  absl::StatusOr<std::string> dir =
      ResolveJob(ResultsDir(), args.empty() ? "latest" : args[0]);
  if (!dir.ok()) return Fail(kExitUsage, std::string(dir.status().message()));
  absl::StatusOr<JobResult> job = LoadJob(*dir);
  if (!job.ok())
    return Fail(kExitInfrastructure, std::string(job.status().message()));
  JobReport report;
  *report.mutable_job() = ListEntry(*job);
  *report.mutable_sysinfo() = Highlights(*dir);
  int tail = absl::GetFlag(FLAGS_tail);
  for (const TestResult& t : job->tests()) {
    if (!Failed(t.status())) continue;
    FailedTest* f = report.add_failures();
    f->set_name(t.name());
    f->set_status(t.status());
    f->set_reason(t.reason());
    f->set_duration_seconds(t.duration_seconds());
    f->set_stdout_tail(Tail(absl::StrCat(*dir, "/", t.dir(), "/stdout"), tail));
    f->set_stderr_tail(Tail(absl::StrCat(*dir, "/", t.dir(), "/stderr"), tail));
    for (const TapPoint& p : t.junit_cases()) {
      if (!p.ok()) f->add_failed_points(p.description());
    }
    for (const TapPoint& p : t.tap_points()) {
      if (!p.ok() && p.directive() != "TODO" && p.directive() != "SKIP")
        f->add_failed_points(absl::StrCat(p.number(), " - ", p.description()));
    }
  }
  if (absl::GetFlag(FLAGS_json)) return PrintJson(report);

  const JobSummary& j = report.job();
  absl::PrintF("%s: %s\n", Name(j), Command(j));
  absl::PrintF("  started %s, %.1f s, exit %d%s\n", j.start_time(),
               j.duration_seconds(), j.exit_code(),
               j.complete() ? "" : ", incomplete (killed?)");
  absl::PrintF("  %s\n", SummaryLine(j.summary()));
  if (!j.error().empty())
    absl::PrintF("  stopped before its tests: %s\n", j.error());
  absl::PrintF("  system: %s\n", SystemLine(report.sysinfo()));
  for (const FailedTest& f : report.failures()) {
    absl::PrintF("\n%s %s (%.2f s): %s\n", Status_Name(f.status()), f.name(),
                 f.duration_seconds(), f.reason());
    for (const std::string& p : f.failed_points())
      absl::PrintF("  not ok %s\n", p);
    for (const auto& [stream, text] :
         {std::pair<const char*, const std::string&>{"stdout", f.stdout_tail()},
          {"stderr", f.stderr_tail()}}) {
      for (absl::string_view line :
           absl::StrSplit(text, '\n', absl::SkipEmpty()))
        absl::PrintF("  %s | %s\n", stream, line);
    }
  }
  return kExitOk;
}

int Diff(const std::vector<std::string>& args) {
  if (args.size() != 2) return Fail(kExitUsage, kUsage);
  DiffOptions options;
  options.duration_factor = absl::GetFlag(FLAGS_duration_factor);
  absl::StatusOr<absl::Duration> min =
      ParseTimeout(absl::GetFlag(FLAGS_min_duration_change));
  if (!min.ok()) return Fail(kExitUsage, std::string(min.status().message()));
  options.min_seconds = absl::ToDoubleSeconds(*min);
  std::string dirs[2];
  JobResult jobs[2];
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<std::string> dir = ResolveJob(ResultsDir(), args[i]);
    if (!dir.ok()) return Fail(kExitUsage, std::string(dir.status().message()));
    absl::StatusOr<JobResult> job = LoadJob(*dir);
    if (!job.ok())
      return Fail(kExitInfrastructure, std::string(job.status().message()));
    dirs[i] = *dir;
    jobs[i] = *std::move(job);
  }
  JobDiff diff = DiffJobs(jobs[0], Highlights(dirs[0]), jobs[1],
                          Highlights(dirs[1]), options);
  if (absl::GetFlag(FLAGS_json)) return PrintJson(diff);

  absl::PrintF("%s -> %s\n", Name(diff.before()), Name(diff.after()));
  for (const TestChange& c : diff.changes()) {
    if (c.kind() == "new") {
      absl::PrintF("  new      %s: %s\n", c.name(), Status_Name(c.after()));
    } else if (c.kind() == "removed") {
      absl::PrintF("  removed  %s: was %s\n", c.name(),
                   Status_Name(c.before()));
    } else if (c.kind() == "verdict") {
      absl::PrintF("  %-8s %s: %s -> %s\n",
                   Failed(c.after())                         ? "broke"
                   : c.after() == PASS && Failed(c.before()) ? "fixed"
                                                             : "changed",
                   c.name(), Status_Name(c.before()), Status_Name(c.after()));
    } else if (c.kind() == "points") {
      absl::PrintF("  points   %s: %s, TAP points changed\n", c.name(),
                   Status_Name(c.after()));
    } else {
      absl::PrintF("  %-8s %s: %.2f s -> %.2f s\n",
                   c.after_seconds() > c.before_seconds() ? "slower" : "faster",
                   c.name(), c.before_seconds(), c.after_seconds());
    }
    for (const PointChange& p : c.points()) {
      absl::PrintF("             %d - %s: %s -> %s\n", p.number(),
                   p.description(), p.before().empty() ? "(none)" : p.before(),
                   p.after().empty() ? "(none)" : p.after());
    }
  }
  for (const SysinfoChange& s : diff.sysinfo()) {
    absl::PrintF("  %-8s %s -> %s\n", s.key(),
                 s.before().empty() ? "(none)" : s.before(),
                 s.after().empty() ? "(none)" : s.after());
  }
  if (diff.changes().empty() && diff.sysinfo().empty())
    absl::PrintF("  no changes\n");
  absl::PrintF("%s -> %s\n", SummaryLine(diff.before().summary()),
               SummaryLine(diff.after().summary()));
  return kExitOk;
}

}  // namespace

int ResultsCommand(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, kResultsFlags);
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->help || parsed->positional.empty()) {
    if (!parsed->help) return Fail(kExitUsage, kUsage);
    absl::PrintF("%s\n\nflags:\n%s", kUsage, FlagHelp(kResultsFlags));
    return kExitOk;
  }
  std::string verb = parsed->positional[0];
  std::vector<std::string> rest(parsed->positional.begin() + 1,
                                parsed->positional.end());
  if (verb == "list") return List(rest);
  if (verb == "show") return Show(rest);
  if (verb == "diff") return Diff(rest);
  if (verb == "merge") return MergeResults(rest);
  return Fail(kExitUsage,
              absl::StrCat("unknown results command '", verb, "'\n", kUsage));
}

}  // namespace proctor
