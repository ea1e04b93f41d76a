#include "runner/commands/run_job.h"

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
#include "runner/base/environment.h"
#include "runner/base/read_file.h"
#include "runner/base/signals.h"
#include "runner/base/text.h"
#include "runner/base/time_format.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/commands/host_mount.h"
#include "runner/commands/plan_flags.h"
#include "runner/commands/run_job.h"
#include "runner/engine/executor.h"
#include "runner/engine/job_dir.h"
#include "runner/engine/process_runner.h"
#include "runner/engine/verdict.h"
#include "runner/guest/guest_capacity.h"
#include "runner/guest/guest_kernel.h"
#include "runner/guest/guest_pool.h"
#include "runner/guest/guest_sysinfo.h"
#include "runner/plan/plan.h"
#include "runner/report/console.h"
#include "runner/report/event_stream.h"
#include "runner/report/job_store.h"
#include "runner/report/proto_json.h"
#include "runner/report/recorder.h"
#include "runner/report/report_writers.h"
#include "runner/sysinfo/sysinfo.h"

extern char** environ;

namespace proctor {

std::string Getenv(const char* name) {
  const char* v = getenv(name);
  return v == nullptr ? "" : v;
}

std::string AbsolutePath(const std::string& p) {
  std::error_code ec;
  return std::filesystem::absolute(p, ec).lexically_normal().string();
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
  char buffer[4096];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  std::string self(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  // Started by a bundle's launcher (//container:proctor, what proctor_test
  // runs), this process is the bundled loader running proctor: the
  // launcher is what runs proctor again, and it says where it is.
  std::string launcher = Getenv("PROCTOR_SELF");
  if (!launcher.empty() &&
      absl::StartsWith(std::filesystem::path(self).filename().string(),
                       "ld-linux")) {
    return launcher;
  }
  return self;
}

namespace {

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
  RunListener(Recorder* recorder, Console* console, EventStream* events)
      : recorder_(recorder), console_(console), events_(events) {}

  void TestStarted(const PlannedTest& test, int attempt) override {
    console_->Started(test);
    if (events_ != nullptr) events_->TestStarted(test, attempt);
  }
  void TestOutput(const PlannedTest& test, absl::string_view stream,
                  absl::string_view data) override {
    console_->Output(test, stream, data);
  }
  void TestFinished(const TestResult& result, int attempt) override {
    recorder_->Add(result);
    console_->Finished(result, attempt);
    if (events_ != nullptr) events_->TestFinished(result, attempt);
  }
  absl::Time Tick(absl::Time now) override {
    return std::min(recorder_->MaybeFlush(now), console_->Tick(now));
  }
  void Settle() override { recorder_->Settle(); }

 private:
  Recorder* recorder_;
  Console* console_;
  EventStream* events_;
};

// --data, else $DATA, else $AUTOTEST_DATA, else PATH/data for the first
// PATH (a directory, or a file's directory); absolute.
std::string DataDir(const std::vector<std::string>& paths) {
  std::string data = absl::GetFlag(FLAGS_data);
  if (data.empty()) data = Getenv("DATA");
  if (data.empty()) data = Getenv("AUTOTEST_DATA");
  if (data.empty() && !paths.empty()) {
    std::string first = AbsolutePath(paths[0]);
    data = std::filesystem::is_directory(first)
               ? first + "/data"
               : std::filesystem::path(first).parent_path().string() + "/data";
  }
  return AbsolutePath(data);
}

// --tmp-dir, else $TMPDIR, else /tmp; absolute.
std::string TmpRoot() {
  std::string tmp = absl::GetFlag(FLAGS_tmp_dir);
  if (tmp.empty()) tmp = Getenv("TMPDIR");
  if (tmp.empty()) tmp = "/tmp";
  return AbsolutePath(tmp);
}

// In the container (PROCTOR_RESULTS_MOUNT=required), results must go to a
// directory mounted from outside, or they would stay in the container.
absl::Status CheckResultsMount(const std::string& results) {
  if (Getenv("PROCTOR_RESULTS_MOUNT") != "required") return absl::OkStatus();
  std::ifstream in("/proc/self/mountinfo");
  std::ostringstream mountinfo;
  mountinfo << in.rdbuf();
  return CheckHostMount(AbsolutePath(results), mountinfo.str());
}

// environment.json: the command line, the host and the variables, with the
// ones tests get described.
void WriteEnvironment(const JobDir& dir, const std::vector<std::string>& args,
                      const ProcessRunnerOptions& r) {
  Environment environment = DescribeEnvironment(
      args,
      {{"DATA", r.data_dir},
       {"AUTOTEST_DATA", r.data_dir},
       {"PROCTOR_JOB_ID", dir.id()},
       {"TEMPDIR",
        absl::StrCat(r.tmp_root, "/proctor-", dir.short_id(), "-N-XXXXXX")},
       {"OUTPUTDIR", absl::StrCat(dir.path(), "/tests/NNN-name/outputs")}});
  if (absl::StatusOr<std::string> json = ToJson(environment); json.ok()) {
    WriteFileAtomically(dir.path() + "/environment.json", *json).IgnoreError();
  }
}

// The job's system information for `phase` ("pre", "post"), problems
// logged.
void CollectJobSysinfo(JobDir* dir, const RunSettings& s, const char* phase) {
  for (const std::string& p :
       CollectSysinfo(s.sysinfo, absl::StrCat(dir->path(), "/sysinfo/", phase),
                      s.plan.path_env)) {
    dir->Log(absl::StrCat("sysinfo ", phase, ": ", p));
  }
}

// A shard left without tests (more shards than tests) passes; it says so,
// on stderr and in job.log, so that a misconfigured fan-out is noticed.
void SayTheShardIsEmpty(JobDir* dir, const PlanOptions& plan) {
  PlanOptions whole = plan;
  whole.shard = ShardSpec();
  absl::StatusOr<std::vector<PlannedTest>> all = PlanTests(whole);
  size_t n = all.ok() ? all->size() : 0;
  std::string said =
      absl::StrCat("shard ", plan.shard.Name(), " has no tests: the suite has ",
                   n, n == 1 ? " test" : " tests");
  absl::FPrintF(stderr, "proctor: %s\n", said);
  dir->Log(said);
}

// The job's result as it starts: id, directory, time, command line.
JobResult InitialJob(const JobDir& dir, absl::Time start,
                     const std::string& command,
                     const std::vector<std::string>& args,
                     const ShardSpec& shard) {
  JobResult job;
  if (shard.sharded()) job.set_shard(shard.Name());
  job.set_id(dir.id());
  job.set_dir(dir.path());
  job.set_start_time(FormatRfc3339(start));
  job.add_argv("proctor");
  job.add_argv(command);
  for (const std::string& a : args) job.add_argv(SanitizeUtf8(a));
  job.set_proctor_version(kVersion);
  return job;
}

// How many guests run the job's guest tests (g.guest_tests) at once: one
// a test up to -j, fewer when they would not fit in memory (said on stderr
// and in job.log).
int GuestsFor(const GuestOptions& g, int jobs, JobDir* dir) {
  int guest_tests = static_cast<int>(g.guest_tests.size());
  int wanted = std::max(1, std::min(jobs, guest_tests));
  int64_t available = AvailableMemoryMb();
  int fit = GuestsThatFit(wanted, available, g.memory_mb, g.fresh_guests);
  if (fit < wanted) {
    std::string line = absl::StrCat(
        "-j ", jobs, ": ", wanted, " guests of ", g.memory_mb, " MiB need ",
        GuestsNeedMb(wanted, g.memory_mb, g.fresh_guests), " MiB, ", available,
        " MiB are available: ", fit, fit == 1 ? " guest runs" : " guests run",
        " guest tests");
    fprintf(stderr, "proctor: %s\n", line.c_str());
    dir->Log(line);
  }
  return fit;
}

// Starts the guests before the first test, so that a missing QEMU or a
// bad image stops the job as an infrastructure error, not as test errors.
// InvalidArgument for a usage error (a bad flag), another error for the
// infrastructure's.
absl::StatusOr<std::unique_ptr<GuestPool>> BootJobGuests(
    const std::vector<PlannedTest>& tests, JobDir* dir, RunSettings* s) {
  absl::StatusOr<GuestOptions> options = GuestOptionsFromFlags();
  if (!options.ok()) return options.status();
  GuestOptions& g = *options;
  ProcessRunnerOptions& r = s->runner;
  std::vector<std::string> shared;
  for (const std::string& p : s->plan.paths) shared.push_back(AbsolutePath(p));
  if (std::filesystem::is_directory(r.data_dir)) shared.push_back(r.data_dir);
  g.share_dir = CommonDirectory(shared);
  g.run_dir = dir->path() + "/vm";
  g.self = SelfPath();
  g.fresh_guests = s->executor.vm_per_test;
  for (const PlannedTest& t : tests) {
    if (t.in_guest() && t.preset == STATUS_UNSPECIFIED) {
      g.guest_tests.push_back(t.index);
    }
  }
  g.guests = GuestsFor(g, s->executor.jobs, dir);
  g.spares = SparesPerGuest(g.guests, g.fresh_guests);
  s->executor.guests = g.guests;
  // Tests that use helpers boot what the job's guests boot: the image as a
  // directory, whatever form it was given in; --kernel as it was unpacked
  // (its ELF, when it has the PVH entry); --modules as their initramfs.
  std::vector<std::pair<std::string, std::string>> boot = {
      {"PROCTOR_IMAGE", g.image_dir}};
  if (g.kernel) boot.push_back({"PROCTOR_KERNEL", g.kernel->boot_path});
  if (!g.initramfs.empty()) boot.push_back({"PROCTOR_INITRAMFS", g.initramfs});
  r.env = WithVariables(r.env, boot);
  std::string helper =
      std::filesystem::path(g.self).parent_path() / "proctor-guest-exec";
  if (access(helper.c_str(), X_OK) == 0) g.helper = helper;
  auto pool = std::make_unique<GuestPool>(g);
  absl::Status started = pool->Start();
  dir->Log(
      absl::StrCat("guests: ", started.ok() ? "started" : started.message(),
                   ", ", g.guests, " at once, accel ", pool->accel()));
  if (!started.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot boot the guest: ", started.message()));
  }
  r.guest = pool.get();
  r.vm_dir = pool->first().dir();
  if (s->sysinfo_mode != SysinfoMode::kOff) {
    pool->first()
        .WithSession([&](vmm::GuestShell* session) {
          for (const std::string& p : CollectGuestSysinfo(
                   s->sysinfo, dir->path() + "/sysinfo/guest", session)) {
            dir->Log(absl::StrCat("sysinfo guest: ", p));
          }
          return absl::OkStatus();
        })
        .IgnoreError();
  }
  return pool;
}

// Under `bazel test`: the JUnit report, one case per test and per TAP
// point, for Bazel's per-case summary.
absl::Status CopyJUnitForBazel(const JobDir& dir) {
  std::string xml = Getenv("XML_OUTPUT_FILE");
  if (xml.empty()) return absl::OkStatus();
  std::error_code ec;
  std::filesystem::copy_file(dir.path() + "/results.xml", xml,
                             std::filesystem::copy_options::overwrite_existing,
                             ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", xml, ": ", ec.message()));
  }
  return absl::OkStatus();
}

// A job stopped before its tests by `why`: still a complete job (its
// result files and the event stream say why), and the exit code for it.
int EndBeforeTests(JobDir* dir, Recorder* recorder, RunSettings* s,
                   const absl::Status& why) {
  int code = absl::IsInvalidArgument(why) ? kExitUsage : kExitInfrastructure;
  recorder->mutable_job()->set_error(SanitizeUtf8(why.message()));
  absl::Status written = recorder->Finish(absl::Now(), false, code);
  if (s->events != nullptr) {
    s->events->JobFinished(recorder->job().summary(), code,
                           recorder->job().error());
  }
  dir->Log(absl::StrCat("error: ", why.message(), "; done: exit ", code));
  if (!written.ok()) dir->Log(absl::StrCat("error: ", written.message()));
  return Fail(code, std::string(why.message()));
}

int ExitCode(const JobResult& job, bool completed) {
  if (!completed) return kExitInterrupted;
  bool failed =
      std::any_of(job.tests().begin(), job.tests().end(),
                  [](const TestResult& t) { return Failed(t.status()); });
  return failed ? kExitTestsFailed : kExitOk;
}

Console::Options ConsoleOptions(int total) {
  Console::Options o;
  o.quiet = absl::GetFlag(FLAGS_quiet);
  o.verbose = absl::GetFlag(FLAGS_verbose);
  o.progress = Console::ProgressWanted();
  o.total = total;
  return o;
}

}  // namespace

absl::StatusOr<RunSettings> SettingsFromFlags(const ParsedArgs& parsed) {
  RunSettings s;
  if (!absl::GetFlag(FLAGS_json_stream).empty()) {
    absl::StatusOr<std::unique_ptr<EventStream>> opened =
        EventStream::Open(absl::GetFlag(FLAGS_json_stream));
    if (!opened.ok()) return opened.status();
    s.events = *std::move(opened);
  }
  absl::StatusOr<PlanOptions> plan = PlanOptionsFromFlags(parsed);
  if (!plan.ok()) return plan.status();
  s.plan = *std::move(plan);

  s.executor.jobs = absl::GetFlag(FLAGS_jobs);
  if (s.executor.jobs < 1)
    return absl::InvalidArgumentError("--jobs must be at least 1");
  s.executor.until_pass = absl::GetFlag(FLAGS_until_pass);
  if (s.executor.until_pass < 1)
    return absl::InvalidArgumentError("--until-pass must be at least 1");
  s.executor.vm_per_test = absl::GetFlag(FLAGS_vm_per_test);

  ProcessRunnerOptions& r = s.runner;
  absl::StatusOr<absl::Duration> grace =
      ParseTimeout(absl::GetFlag(FLAGS_kill_grace));
  if (!grace.ok()) return grace.status();
  r.kill_grace = *grace;
  absl::StatusOr<int64_t> max_output =
      ParseByteSize(absl::GetFlag(FLAGS_max_output));
  if (!max_output.ok()) return max_output.status();
  r.max_output = *max_output;
  r.keep_tmp = absl::GetFlag(FLAGS_keep_tmp);
  r.path_env = s.plan.path_env;
  r.tmp_root = TmpRoot();
  r.vm_per_test = s.executor.vm_per_test;

  std::string mode = absl::GetFlag(FLAGS_sysinfo);
  if (mode == "off") {
    s.sysinfo_mode = SysinfoMode::kOff;
  } else if (mode == "job") {
    s.sysinfo_mode = SysinfoMode::kJob;
  } else if (mode == "per-test") {
    s.sysinfo_mode = SysinfoMode::kPerTest;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("bad --sysinfo '", mode, "' (want off, job or per-test)"));
  }
  absl::StatusOr<std::vector<SysinfoEntry>> sysinfo =
      LoadSysinfoConfig(SysinfoConfigPath());
  if (!sysinfo.ok()) return sysinfo.status();
  s.sysinfo = *std::move(sysinfo);

  r.data_dir = DataDir(s.plan.paths);
  s.plan.skip_dir = r.data_dir;
  // The .config beside --kernel decides guest tests' config: requirements
  // before the guests boot; a bad --kernel is said when they would.
  if (std::string kernel =
          FlagOrEnv(absl::GetFlag(FLAGS_kernel), "PROCTOR_KERNEL");
      !kernel.empty()) {
    bool modules = !absl::GetFlag(FLAGS_modules).empty();
    if (absl::StatusOr<GuestKernel> k = InspectGuestKernel(kernel, modules);
        k.ok() && k->config) {
      s.plan.guest_config = k->config;
      s.plan.guest_config_source = k->config_path;
    }
  }
  return s;
}

int RunJob(const std::string& command, const std::vector<std::string>& args,
           RunSettings& s, const std::vector<PlannedTest>& tests,
           SignalWatcher* signals) {
  std::string results = ResultsDir(absl::GetFlag(FLAGS_results_dir));
  if (absl::Status mounted = CheckResultsMount(results); !mounted.ok())
    return Fail(kExitInfrastructure, std::string(mounted.message()));
  absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<JobDir>> job =
      JobDir::Create(AbsolutePath(results), start);
  if (!job.ok())
    return Fail(kExitInfrastructure, std::string(job.status().message()));
  JobDir& dir = **job;
  s.runner.job_id = dir.id();

  absl::PrintF("Results stored in %s\n", dir.path());
  fflush(stdout);
  dir.Log(absl::StrCat("proctor ", kVersion, " job ", dir.id(), ": ",
                       tests.size(), " tests, -j ", s.executor.jobs));
  for (char** e = environ; *e != nullptr; ++e) s.runner.env.push_back(*e);
  WriteEnvironment(dir, args, s.runner);
  if (s.sysinfo_mode == SysinfoMode::kJob) CollectJobSysinfo(&dir, s, "pre");
  if (s.sysinfo_mode == SysinfoMode::kPerTest)
    s.runner.per_test_sysinfo = &s.sysinfo;

  if (tests.empty()) SayTheShardIsEmpty(&dir, s.plan);
  Recorder recorder(&dir, InitialJob(dir, start, command, args, s.plan.shard));
  if (s.events != nullptr)
    s.events->JobStarted(dir.id(), dir.path(), static_cast<int>(tests.size()));
  // A host test that requires=vm uses the job's guest too (PROCTOR_VM).
  std::unique_ptr<GuestPool> guest;
  if (std::any_of(tests.begin(), tests.end(),
                  [](const PlannedTest& t) { return t.wants_guest(); })) {
    absl::StatusOr<std::unique_ptr<GuestPool>> booted =
        BootJobGuests(tests, &dir, &s);
    if (!booted.ok())
      return EndBeforeTests(&dir, &recorder, &s, booted.status());
    guest = *std::move(booted);
  }

  Console console(ConsoleOptions(static_cast<int>(tests.size())));
  RunListener listener(&recorder, &console, s.events.get());
  ProcessRunner runner(s.runner, &dir, signals, &listener);
  bool completed = Executor(s.executor, &dir, &runner, &listener).Run(tests);
  console.Done();

  if (s.sysinfo_mode == SysinfoMode::kJob) {
    if (completed) {
      CollectJobSysinfo(&dir, s, "post");
      WriteDmesgDiff(dir.path() + "/sysinfo/pre", dir.path() + "/sysinfo/post",
                     dir.path() + "/sysinfo/post/dmesg.diff")
          .IgnoreError();
    } else {
      dir.Log("interrupted: sysinfo/post not collected");
    }
  }

  int code = ExitCode(recorder.job(), completed);
  absl::Status written = recorder.Finish(absl::Now(), !completed, code);
  absl::PrintF("%s\n", SummaryLine(recorder.job().summary()));
  if (s.events != nullptr)
    s.events->JobFinished(recorder.job().summary(), code);
  fflush(stdout);
  dir.Log(absl::StrCat("done: exit ", code));
  if (!written.ok())
    return Fail(kExitInfrastructure, std::string(written.message()));
  if (absl::Status copied = CopyJUnitForBazel(dir); !copied.ok())
    return Fail(kExitInfrastructure, std::string(copied.message()));
  return code;
}

}  // namespace proctor
