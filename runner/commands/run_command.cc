// `proctor run`: the flags, the plan, and the job (run_job.h); and
// --rerun-failed.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "re2/re2.h"
#include "runner/base/cli.h"
#include "runner/base/read_file.h"
#include "runner/base/signals.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/commands/run_job.h"
#include "runner/engine/verdict.h"
#include "runner/plan/plan.h"
#include "runner/report/job_store.h"

namespace proctor {
namespace {

// What tests (and proctor's requirement checks) see of proctor's flags: the
// guest image, the kernel and its parameters, and QEMU, for the virt_run_*
// helpers; and PATH leads with proctor's directory (for `proctor vm exec`)
// and the helpers'. The job's guests may refine them (run_job.cc).
void ExportToTests() {
  if (!absl::GetFlag(FLAGS_image).empty())
    setenv("PROCTOR_IMAGE", absl::GetFlag(FLAGS_image).c_str(), 1);
  if (!absl::GetFlag(FLAGS_kernel).empty()) {
    setenv("PROCTOR_KERNEL", AbsolutePath(absl::GetFlag(FLAGS_kernel)).c_str(),
           1);
  }
  if (!absl::GetFlag(FLAGS_append).empty())
    setenv("PROCTOR_KERNEL_APPEND", absl::GetFlag(FLAGS_append).c_str(), 1);
  if (!absl::GetFlag(FLAGS_qemu).empty())
    setenv("PROCTOR_QEMU", absl::GetFlag(FLAGS_qemu).c_str(), 1);
  std::string self = SelfPath();
  std::vector<std::string> dirs = {
      std::filesystem::path(self).parent_path().string()};
  if (std::string helpers = HelperDir(self);
      !helpers.empty() && helpers != dirs[0]) {
    dirs.push_back(helpers);
  }
  if (std::string path = Getenv("PATH"); !path.empty()) dirs.push_back(path);
  setenv("PATH", absl::StrJoin(dirs, ":").c_str(), 1);
}

// --rerun-failed [JOB]: the job's command line again, restricted by
// --filter to the tests that did not pass, with the flags given now
// appended (they win), from the job's working directory. The new job's
// argv is that effective command line, so it can be rerun in turn.
int RerunFailed(const ParsedArgs& parsed) {
  if (parsed.positional.size() > 1) {
    return Fail(kExitUsage, "usage: proctor run --rerun-failed [JOB] [flags]");
  }
  absl::StatusOr<std::string> job_dir =
      ResolveJob(ResultsDir(absl::GetFlag(FLAGS_results_dir)),
                 parsed.positional.empty() ? "latest" : parsed.positional[0]);
  if (!job_dir.ok())
    return Fail(kExitUsage, std::string(job_dir.status().message()));
  absl::StatusOr<JobResult> job = LoadJob(*job_dir);
  if (!job.ok()) return Fail(kExitUsage, std::string(job.status().message()));
  if (job->argv_size() < 2 || job->argv(1) != "run") {
    return Fail(kExitUsage, absl::StrCat(*job_dir, " was not a proctor run"));
  }
  // Tests run in both places are named "t.sh [host]"; --filter sees "t.sh".
  std::set<std::string> names;
  for (const TestResult& t : job->tests()) {
    if (!Failed(t.status())) continue;
    absl::string_view name = t.name();
    if (!absl::ConsumeSuffix(&name, " [host]"))
      absl::ConsumeSuffix(&name, " [guest]");
    names.insert(RE2::QuoteMeta(re2::StringPiece(name.data(), name.size())));
  }
  if (names.empty()) {
    absl::PrintF("proctor: nothing to rerun: no test failed in %s\n", *job_dir);
    return kExitOk;
  }
  // The job's own --filter matched these names; ours replaces it.
  std::vector<std::string> args;
  for (int i = 2; i < job->argv_size(); ++i) {
    const std::string& a = job->argv(i);
    if (a == "--filter" || a == "-filter") {
      ++i;
    } else if (!absl::StartsWith(a, "--filter=") &&
               !absl::StartsWith(a, "-filter=")) {
      args.push_back(a);
    }
  }
  args.push_back(
      absl::StrCat("--filter=^(?:", absl::StrJoin(names, "|"), ")$"));
  // Paths given now are relative to here, not to the job's directory.
  static const std::set<std::string> kPathFlags = {
      "results_dir", "tmp_dir", "data", "sysinfo_config", "json_stream"};
  for (const std::string& name : parsed.explicit_flags) {
    if (name == "rerun_failed") continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    std::string value = flag->CurrentValue();
    if (kPathFlags.count(name) > 0 && !value.empty() &&
        !absl::StartsWith(value, "fd:")) {
      value = AbsolutePath(value);
    }
    args.push_back(absl::StrCat("--", absl::StrReplaceAll(name, {{"_", "-"}}),
                                "=", value));
  }
  absl::StatusOr<std::string> env = ReadFile(*job_dir + "/environment.json");
  Environment environment;
  if (env.ok() &&
      google::protobuf::util::JsonStringToMessage(*env, &environment).ok() &&
      !environment.cwd().empty() && chdir(environment.cwd().c_str()) != 0) {
    return Fail(kExitUsage, absl::StrCat("cannot rerun in ", environment.cwd(),
                                         ": ", strerror(errno)));
  }
  absl::SetFlag(&FLAGS_rerun_failed, false);
  return RunCommand(args);
}

}  // namespace

int RunCommand(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, kRunFlags);
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->help) {
    absl::PrintF("usage: proctor run [flags] PATH...\n\nflags:\n%s",
                 FlagHelp(kRunFlags));
    return kExitOk;
  }
  if (absl::GetFlag(FLAGS_rerun_failed)) return RerunFailed(*parsed);
  ExportToTests();
  absl::StatusOr<RunSettings> settings = SettingsFromFlags(*parsed);
  if (!settings.ok())
    return Fail(kExitUsage, std::string(settings.status().message()));
  RunSettings& s = *settings;

  // Signals are watched before the first child exists.
  absl::StatusOr<SignalWatcher> signals = SignalWatcher::Install();
  if (!signals.ok())
    return Fail(kExitInfrastructure, std::string(signals.status().message()));

  absl::StatusOr<std::vector<PlannedTest>> tests = PlanTests(s.plan);
  // Bazel asks a sharded test to say it shards by touching this file.
  if (std::string f = Getenv("TEST_SHARD_STATUS_FILE");
      !f.empty() && s.plan.shard.total > 0) {
    std::ofstream touch(f, std::ios::app);
  }
  if (!tests.ok())
    return Fail(kExitUsage, std::string(tests.status().message()));

  return RunJob("run", args, s, *tests, &*signals);
}

}  // namespace proctor
