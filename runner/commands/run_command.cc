// `proctor run`: plan, record, execute, report.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "re2/re2.h"
#include "runner/base/atomic_file.h"
#include "runner/base/cli.h"
#include "runner/base/duration.h"
#include "runner/base/read_file.h"
#include "runner/base/signals.h"
#include "runner/base/text.h"
#include "runner/base/time_format.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/commands/host_mount.h"
#include "runner/commands/plan_flags.h"
#include "runner/engine/executor.h"
#include "runner/engine/job_dir.h"
#include "runner/engine/verdict.h"
#include "runner/guest/guest_pool.h"
#include "runner/guest/guest_sysinfo.h"
#include "runner/plan/plan.h"
#include "runner/report/console.h"
#include "runner/report/event_stream.h"
#include "runner/report/job_store.h"
#include "runner/report/recorder.h"
#include "runner/report/report_writers.h"
#include "runner/sysinfo/sysinfo.h"

extern char** environ;

namespace proctor {
namespace {

std::string Getenv(const char* name) {
  const char* v = getenv(name);
  return v == nullptr ? "" : v;
}

std::string AbsolutePath(const std::string& p) {
  std::error_code ec;
  return std::filesystem::absolute(p, ec).lexically_normal().string();
}

// The deepest directory that holds every one of `paths` (absolute and
// normal; a directory holds itself): what the guest gets as /tests.
std::string CommonDirectory(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  fs::path common;
  for (size_t i = 0; i < paths.size(); ++i) {
    fs::path dir = fs::is_directory(paths[i])
                       ? fs::path(paths[i])
                       : fs::path(paths[i]).parent_path();
    if (i == 0) {
      common = dir;
      continue;
    }
    fs::path prefix;
    for (auto a = common.begin(), b = dir.begin();
         a != common.end() && b != dir.end() && *a == *b; ++a, ++b) {
      prefix /= *a;
    }
    common = prefix;
  }
  return common.string();
}

// Where the virt_run_* helpers are: beside proctor (an installed proctor,
// the container) or, in Bazel's output tree and runfiles, in tools/virt.
std::string HelperDir(const std::string& self) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(self).parent_path();
  for (const fs::path& d : {dir, dir.parent_path() / "tools" / "virt"}) {
    if (access((d / "virt_run_migration").c_str(), X_OK) == 0)
      return d.lexically_normal().string();
  }
  return "";
}

std::string SelfPath() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  return std::string(self, n > 0 ? static_cast<size_t>(n) : 0);
}

// What tests (and proctor's requirement checks) see of proctor's flags: the
// guest image and QEMU, for the virt_run_* helpers; and PATH leads with
// proctor's directory (for `proctor vm exec`) and the helpers'.
void ExportToTests() {
  if (!absl::GetFlag(FLAGS_image).empty())
    setenv("PROCTOR_IMAGE", absl::GetFlag(FLAGS_image).c_str(), 1);
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

// Values of variables whose names suggest secrets stay out of the results.
bool LooksSecret(absl::string_view name) {
  static const RE2* re =
      new RE2("(?i).*(TOKEN|SECRET|PASSW|KEY|CREDENTIAL|AUTH|COOKIE).*");
  return RE2::FullMatch(re2::StringPiece(name.data(), name.size()), *re);
}

Environment DescribeEnvironment(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& test_vars) {
  Environment env;
  env.add_argv("proctor");
  env.add_argv("run");
  for (const std::string& a : argv) env.add_argv(a);
  env.set_cwd(AbsolutePath("."));
  struct utsname u;
  if (uname(&u) == 0) {
    env.set_hostname(u.nodename);
    env.set_kernel(absl::StrCat(u.sysname, " ", u.release, " ", u.version, " ",
                                u.machine));
  }
  env.set_proctor_version(kVersion);
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == absl::string_view::npos) continue;
    std::string name(kv.substr(0, eq));
    (*env.mutable_variables())[SanitizeUtf8(name)] =
        LooksSecret(name) ? "<redacted>" : SanitizeUtf8(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : test_vars) (*env.mutable_test_variables())[k] = v;
  return env;
}

// Where a running job's news goes: the result files, the console and the
// event stream, each told of the try (--until-pass) it belongs to.
class RunListener : public ExecutorListener {
 public:
  RunListener(JobDir* dir, Recorder* recorder, Console* console,
              EventStream* events)
      : dir_(dir), recorder_(recorder), console_(console), events_(events) {}

  void set_attempt(int attempt) { attempt_ = attempt; }

  void TestStarted(const PlannedTest& test) override {
    console_->Started(test);
    if (events_ != nullptr) events_->TestStarted(test, attempt_);
  }
  void TestOutput(const PlannedTest& test, absl::string_view stream,
                  absl::string_view data) override {
    console_->Output(test, stream, data);
  }
  void TestFinished(const TestResult& result) override {
    absl::Status s = recorder_->Add(result);
    if (!s.ok()) dir_->Log(absl::StrCat("error: ", s.message()));
    console_->Finished(result, attempt_);
    if (events_ != nullptr) events_->TestFinished(result, attempt_);
  }
  absl::Time Tick(absl::Time now) override {
    return std::min(recorder_->MaybeFlush(now), console_->Tick(now));
  }

 private:
  JobDir* dir_;
  Recorder* recorder_;
  Console* console_;
  EventStream* events_;
  int attempt_ = 1;
};

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
  int until_pass = absl::GetFlag(FLAGS_until_pass);
  if (until_pass < 1)
    return Fail(kExitUsage, "--until-pass must be at least 1");
  std::unique_ptr<EventStream> events;
  if (!absl::GetFlag(FLAGS_json_stream).empty()) {
    absl::StatusOr<std::unique_ptr<EventStream>> opened =
        EventStream::Open(absl::GetFlag(FLAGS_json_stream));
    if (!opened.ok())
      return Fail(kExitUsage, std::string(opened.status().message()));
    events = *std::move(opened);
  }
  ExportToTests();
  // Everything from the flags is checked before anything is created.
  absl::StatusOr<PlanOptions> plan_or = PlanOptionsFromFlags(*parsed);
  if (!plan_or.ok())
    return Fail(kExitUsage, std::string(plan_or.status().message()));
  PlanOptions& plan = *plan_or;

  ExecutorOptions exec;
  exec.jobs = absl::GetFlag(FLAGS_jobs);
  if (exec.jobs < 1) return Fail(kExitUsage, "--jobs must be at least 1");
  absl::StatusOr<absl::Duration> grace =
      ParseTimeout(absl::GetFlag(FLAGS_kill_grace));
  if (!grace.ok())
    return Fail(kExitUsage, std::string(grace.status().message()));
  exec.kill_grace = *grace;
  absl::StatusOr<int64_t> max_output =
      ParseByteSize(absl::GetFlag(FLAGS_max_output));
  if (!max_output.ok())
    return Fail(kExitUsage, std::string(max_output.status().message()));
  exec.max_output = *max_output;
  exec.keep_tmp = absl::GetFlag(FLAGS_keep_tmp);
  exec.path_env = plan.path_env;
  exec.tmp_root = absl::GetFlag(FLAGS_tmp_dir);
  if (exec.tmp_root.empty()) exec.tmp_root = Getenv("TMPDIR");
  if (exec.tmp_root.empty()) exec.tmp_root = "/tmp";
  exec.tmp_root = AbsolutePath(exec.tmp_root);

  std::string sysinfo_mode = absl::GetFlag(FLAGS_sysinfo);
  if (sysinfo_mode != "off" && sysinfo_mode != "job" &&
      sysinfo_mode != "per-test") {
    return Fail(kExitUsage, absl::StrCat("bad --sysinfo '", sysinfo_mode,
                                         "' (want off, job or per-test)"));
  }
  absl::StatusOr<std::vector<SysinfoEntry>> sysinfo =
      LoadSysinfoConfig(absl::GetFlag(FLAGS_sysinfo_config));
  if (!sysinfo.ok())
    return Fail(kExitUsage, std::string(sysinfo.status().message()));

  std::string data = absl::GetFlag(FLAGS_data);
  if (data.empty()) data = Getenv("DATA");
  if (data.empty()) data = Getenv("AUTOTEST_DATA");
  if (data.empty() && !plan.paths.empty()) {
    std::string first = AbsolutePath(plan.paths[0]);
    data = std::filesystem::is_directory(first)
               ? first + "/data"
               : std::filesystem::path(first).parent_path().string() + "/data";
  }
  exec.data_dir = AbsolutePath(data);
  plan.skip_dir = exec.data_dir;

  // Signals are watched before the first child exists.
  absl::StatusOr<SignalWatcher> signals = SignalWatcher::Install();
  if (!signals.ok())
    return Fail(kExitInfrastructure, std::string(signals.status().message()));

  absl::StatusOr<std::vector<PlannedTest>> tests = PlanTests(plan);
  // Bazel asks a sharded test to say it shards by touching this file.
  if (std::string f = Getenv("TEST_SHARD_STATUS_FILE");
      !f.empty() && plan.total_shards > 0) {
    std::ofstream touch(f, std::ios::app);
  }
  if (!tests.ok())
    return Fail(kExitUsage, std::string(tests.status().message()));

  std::string results = ResultsDir(absl::GetFlag(FLAGS_results_dir));
  if (Getenv("PROCTOR_RESULTS_MOUNT") == "required") {
    std::ifstream in("/proc/self/mountinfo");
    std::ostringstream mountinfo;
    mountinfo << in.rdbuf();
    absl::Status mounted =
        CheckHostMount(AbsolutePath(results), mountinfo.str());
    if (!mounted.ok())
      return Fail(kExitInfrastructure, std::string(mounted.message()));
  }
  absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<JobDir>> job =
      JobDir::Create(AbsolutePath(results), start);
  if (!job.ok())
    return Fail(kExitInfrastructure, std::string(job.status().message()));
  JobDir& dir = **job;
  exec.job_id = dir.id();

  absl::PrintF("Results stored in %s\n", dir.path());
  fflush(stdout);
  dir.Log(absl::StrCat("proctor ", kVersion, " job ", dir.id(), ": ",
                       tests->size(), " tests, -j ", exec.jobs));

  for (char** e = environ; *e != nullptr; ++e) exec.env.push_back(*e);
  Environment environment = DescribeEnvironment(
      args,
      {{"DATA", exec.data_dir},
       {"AUTOTEST_DATA", exec.data_dir},
       {"PROCTOR_JOB_ID", dir.id()},
       {"TEMPDIR",
        absl::StrCat(exec.tmp_root, "/proctor-", dir.short_id(), "-N-XXXXXX")},
       {"OUTPUTDIR", absl::StrCat(dir.path(), "/tests/NNN-name/outputs")}});
  if (absl::StatusOr<std::string> json = ToJson(environment); json.ok()) {
    WriteFileAtomically(dir.path() + "/environment.json", *json).IgnoreError();
  }

  auto collect = [&](const char* phase) {
    std::vector<std::string> problems = CollectSysinfo(
        *sysinfo, absl::StrCat(dir.path(), "/sysinfo/", phase), plan.path_env);
    for (const std::string& p : problems) {
      dir.Log(absl::StrCat("sysinfo ", phase, ": ", p));
    }
  };
  if (sysinfo_mode == "job") collect("pre");
  if (sysinfo_mode == "per-test") exec.per_test_sysinfo = &*sysinfo;

  JobResult initial;
  initial.set_id(dir.id());
  initial.set_dir(dir.path());
  initial.set_start_time(FormatRfc3339(start));
  initial.add_argv("proctor");
  initial.add_argv("run");
  for (const std::string& a : args) initial.add_argv(SanitizeUtf8(a));
  initial.set_proctor_version(kVersion);
  Recorder recorder(&dir, std::move(initial));
  if (events != nullptr)
    events->JobStarted(dir.id(), dir.path(), static_cast<int>(tests->size()));

  // The guest boots before the first test, so a missing QEMU or a bad
  // image stops the job as an infrastructure error, not as test errors.
  std::unique_ptr<GuestPool> guest;
  // A host test that requires=vm uses the job's guest too (PROCTOR_VM).
  bool wants_guest =
      std::any_of(tests->begin(), tests->end(),
                  [](const PlannedTest& t) { return t.wants_guest(); });
  if (wants_guest) {
    int code;
    std::optional<GuestOptions> options = GuestOptionsFromFlags(&code);
    if (!options) return code;
    GuestOptions& g = *options;
    std::vector<std::string> shared;
    for (const std::string& p : plan.paths) shared.push_back(AbsolutePath(p));
    if (std::filesystem::is_directory(exec.data_dir))
      shared.push_back(exec.data_dir);
    g.share_dir = CommonDirectory(shared);
    g.run_dir = dir.path() + "/vm";
    g.self = SelfPath();
    // Tests that use helpers get the image as a directory, whatever form
    // it was given in.
    std::replace_if(
        exec.env.begin(), exec.env.end(),
        [](const std::string& e) {
          return absl::StartsWith(e, "PROCTOR_IMAGE=");
        },
        "PROCTOR_IMAGE=" + g.image_dir);
    std::string helper =
        std::filesystem::path(g.self).parent_path() / "proctor-guest-exec";
    if (access(helper.c_str(), X_OK) == 0) g.helper = helper;
    guest = std::make_unique<GuestPool>(g);
    absl::Status booted = guest->Boot();
    dir.Log(absl::StrCat("guest: ", booted.ok() ? "booted" : booted.message(),
                         ", accel ", guest->accel()));
    if (!booted.ok()) {
      return Fail(kExitInfrastructure,
                  absl::StrCat("cannot boot the guest: ", booted.message()));
    }
    exec.guest = guest.get();
    exec.vm_dir = guest->shared_dir();
    exec.vm_per_test = absl::GetFlag(FLAGS_vm_per_test);
    if (sysinfo_mode != "off") {
      for (const std::string& p : CollectGuestSysinfo(
               *sysinfo, dir.path() + "/sysinfo/guest", guest->session())) {
        dir.Log(absl::StrCat("sysinfo guest: ", p));
      }
    }
  }

  Console::Options console_options;
  console_options.quiet = absl::GetFlag(FLAGS_quiet);
  console_options.verbose = absl::GetFlag(FLAGS_verbose);
  console_options.progress = Console::ProgressWanted();
  console_options.total = static_cast<int>(tests->size());
  Console console(console_options);
  RunListener listener(&dir, &recorder, &console, events.get());
  Executor executor(exec, &dir, &*signals, &listener);
  bool completed = executor.Run(*tests);
  // --until-pass: the failing tests again, each try's files kept aside.
  for (int attempt = 2; completed && attempt <= until_pass; ++attempt) {
    std::vector<PlannedTest> again;
    for (const TestResult& r : recorder.job().tests()) {
      if (!Failed(r.status())) continue;
      for (const PlannedTest& t : *tests) {
        if (t.index != r.index()) continue;
        std::error_code ec;
        std::filesystem::rename(
            absl::StrCat(dir.path(), "/", t.dir),
            absl::StrCat(dir.path(), "/", t.dir, ".try-", attempt - 1), ec);
        again.push_back(t);
      }
    }
    if (again.empty()) break;
    dir.Log(absl::StrCat("try ", attempt, " of ", until_pass, ": ",
                         again.size(), " tests"));
    listener.set_attempt(attempt);
    Executor retry(exec, &dir, &*signals, &listener);
    completed = retry.Run(again);
  }
  console.Done();

  if (sysinfo_mode == "job") {
    if (completed) {
      collect("post");
      WriteDmesgDiff(dir.path() + "/sysinfo/pre", dir.path() + "/sysinfo/post",
                     dir.path() + "/sysinfo/post/dmesg.diff")
          .IgnoreError();
    } else {
      dir.Log("interrupted: sysinfo/post not collected");
    }
  }

  Summary s;
  Summarize(recorder.job(), &s);
  int failed = s.failed() + s.errors() + s.timeouts() + s.interrupted();
  int code = !completed   ? kExitInterrupted
             : failed > 0 ? kExitTestsFailed
                          : kExitOk;
  absl::Status written = recorder.Finish(absl::Now(), !completed, code);
  absl::PrintF("%s\n", SummaryLine(s));
  if (events != nullptr) events->JobFinished(s, code);
  fflush(stdout);
  dir.Log(absl::StrCat("done: exit ", code));
  if (!written.ok())
    return Fail(kExitInfrastructure, std::string(written.message()));
  // Under `bazel test`: the JUnit report, one case per test and per TAP
  // point, for Bazel's per-case summary.
  if (std::string xml = Getenv("XML_OUTPUT_FILE"); !xml.empty()) {
    std::error_code ec;
    std::filesystem::copy_file(
        dir.path() + "/results.xml", xml,
        std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
      return Fail(kExitInfrastructure,
                  absl::StrCat("cannot write ", xml, ": ", ec.message()));
    }
  }
  return code;
}

}  // namespace proctor
