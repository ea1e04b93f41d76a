#include "runner/engine/executor.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runner/base/subprocess.h"
#include "runner/base/text.h"
#include "runner/base/time_format.h"
#include "runner/engine/output_capture.h"
#include "runner/engine/verdict.h"
#include "tap/parser.h"

namespace proctor {

namespace {

// How long the pipes of a finished test may stay open, held by a process
// that left its process group, before the runner stops reading them.
constexpr absl::Duration kDrainLimit = absl::Milliseconds(500);
// Bytes of output searched for the first line, to tell TAP from plain text.
constexpr size_t kSniffLimit = 4096;

// TAP points kept per level for the result files; all are counted. Each
// stored point costs a few KiB on the way to results.json (protobuf JSON),
// so this bounds the runner near 32 MiB RSS for any TAP stream.
tap::Options TapOptions() {
  tap::Options o;
  o.max_points = 5000;
  return o;
}

void ConvertPoints(const std::vector<tap::TestPoint>& in,
                   google::protobuf::RepeatedPtrField<TapPoint>* out) {
  for (const tap::TestPoint& p : in) {
    TapPoint* o = out->Add();
    o->set_number(p.number);
    o->set_ok(p.ok);
    o->set_description(SanitizeUtf8(p.description));
    if (p.directive == tap::Directive::kSkip) o->set_directive("SKIP");
    if (p.directive == tap::Directive::kTodo) o->set_directive("TODO");
    o->set_reason(SanitizeUtf8(p.reason));
    o->set_yaml(SanitizeUtf8(p.yaml));
    o->set_subtest_name(SanitizeUtf8(p.subtest_name));
    if (p.subtest != nullptr) {
      ConvertPoints(p.subtest->points, o->mutable_subtest());
      for (const std::string& d : p.subtest->diagnostics) {
        o->add_subtest_diagnostics(SanitizeUtf8(d));
      }
    }
  }
}

// The last "proctor: requires ..." line of a guest test's stderr, without
// the "proctor: " prefix; "" if there is none.
std::string GuestSkipReason(const std::string& stderr_path) {
  std::ifstream in(stderr_path, std::ios::binary);
  std::string line, reason;
  while (std::getline(in, line)) {
    absl::string_view l = line;
    if (absl::ConsumePrefix(&l, "proctor: requires ")) {
      reason = absl::StrCat("requires ", l);
    }
  }
  return reason;
}

int PollMillis(absl::Time now, absl::Time until) {
  if (until == absl::InfiniteFuture()) return -1;
  if (until <= now) return 0;
  // Round up so a wake-up never comes just before its deadline.
  int64_t ms = absl::ToInt64Milliseconds(until - now + absl::Microseconds(999));
  return static_cast<int>(std::min<int64_t>(ms, 60000));
}

}  // namespace

struct Executor::Running {
  const PlannedTest* test = nullptr;
  Subprocess proc;
  std::optional<OutputCapture> out, err;
  // TAP detection and parsing of stdout.
  OutputFormat format = OutputFormat::kAuto;
  bool decided = false;
  bool is_tap = false;
  std::string sniff;
  std::unique_ptr<tap::Parser> tap;

  absl::Time start;
  absl::Time deadline = absl::InfiniteFuture();
  absl::Time kill_at = absl::InfiniteFuture();
  absl::Time drain_until = absl::InfiniteFuture();
  bool guest = false;
  bool exited = false;
  ExitInfo exit;
  bool timed_out = false;
  bool interrupted = false;
  std::string abs_dir;
  std::string tmpdir;

  void Decide(absl::string_view line) {
    decided = true;
    is_tap = tap::LooksLikeTap(line);
    if (is_tap) {
      tap = std::make_unique<tap::Parser>(TapOptions());
      tap->Feed(sniff);
    }
    sniff.clear();
  }

  void OnStdout(absl::string_view chunk) {
    if (format == OutputFormat::kExit) return;
    if (decided) {
      if (tap != nullptr) tap->Feed(chunk);
      return;
    }
    sniff.append(chunk.data(), chunk.size());
    size_t begin = 0;
    while (begin < sniff.size()) {
      size_t nl = sniff.find('\n', begin);
      if (nl == std::string::npos) break;
      absl::string_view line(sniff.data() + begin, nl - begin);
      if (!absl::StripAsciiWhitespace(line).empty()) {
        Decide(line);
        return;
      }
      begin = nl + 1;
    }
    if (sniff.size() >= kSniffLimit) Decide("");
  }

  // At end of output: decide on a last line without newline.
  void DecideAtEnd() {
    if (decided || format == OutputFormat::kExit) return;
    absl::string_view rest = absl::StripAsciiWhitespace(sniff);
    Decide(rest.substr(0, rest.find('\n')));
  }
};

Executor::Executor(ExecutorOptions options, JobDir* job, SignalWatcher* signals,
                   ExecutorListener* listener)
    : options_(std::move(options)),
      job_(job),
      signals_(signals),
      listener_(listener) {}

Executor::~Executor() = default;

TestResult Executor::BaseResult(const PlannedTest& test) const {
  TestResult r;
  r.set_index(test.index);
  r.set_name(SanitizeUtf8(test.name));
  r.set_path(SanitizeUtf8(test.path));
  r.set_where(WhereName(test.where));
  r.set_dir(SanitizeUtf8(test.dir));
  r.set_timeout_seconds(absl::ToDoubleSeconds(test.timeout));
  for (const std::string& t : test.tags) r.add_tags(SanitizeUtf8(t));
  return r;
}

void Executor::Record(TestResult result) {
  job_->Log(absl::StrCat("finished ", result.dir(), " ",
                         StatusName(result.status()),
                         result.reason().empty() ? "" : ": ", result.reason()));
  if (result.stdout_stats().truncated() || result.stderr_stats().truncated()) {
    job_->Log(absl::StrCat(result.dir(),
                           ": output cut at --max-output (stdout ",
                           result.stdout_stats().bytes(), " bytes, stderr ",
                           result.stderr_stats().bytes(), " bytes)"));
  }
  listener_->TestFinished(result);
}

void Executor::Start(const PlannedTest& test) {
  absl::Time now = absl::Now();
  absl::StatusOr<std::string> dir = job_->MakeTestDir(test.dir);
  if (!dir.ok()) {
    TestResult r = BaseResult(test);
    r.set_status(ERROR);
    r.set_reason(std::string(dir.status().message()));
    Record(std::move(r));
    return;
  }
  if (test.preset != STATUS_UNSPECIFIED) {
    TestResult r = BaseResult(test);
    r.set_start_time(FormatRfc3339(now));
    r.set_status(test.preset);
    r.set_reason(SanitizeUtf8(test.preset_reason));
    Record(std::move(r));
    return;
  }
  if (options_.per_test_sysinfo != nullptr) {
    CollectSysinfo(*options_.per_test_sysinfo, *dir + "/sysinfo/pre",
                   options_.path_env);
  }

  auto r = std::make_unique<Running>();
  r->test = &test;
  r->format = test.format;
  r->abs_dir = *dir;
  r->start = now;
  if (r->format == OutputFormat::kTap) {
    r->decided = true;
    r->is_tap = true;
    r->tap = std::make_unique<tap::Parser>(TapOptions());
  }
  auto fail = [&](absl::string_view why) {
    TestResult res = BaseResult(test);
    res.set_start_time(FormatRfc3339(now));
    res.set_status(ERROR);
    res.set_reason(SanitizeUtf8(why));
    Record(std::move(res));
  };

  absl::StatusOr<OutputCapture> out =
      OutputCapture::Open(*dir + "/stdout", options_.max_output);
  absl::StatusOr<OutputCapture> err =
      OutputCapture::Open(*dir + "/stderr", options_.max_output);
  if (!out.ok() || !err.ok()) {
    fail(!out.ok() ? out.status().message() : err.status().message());
    return;
  }
  r->out.emplace(*std::move(out));
  r->err.emplace(*std::move(err));
  Running* raw = r.get();
  ExecutorListener* listener = listener_;
  r->out->set_consumer([raw, listener](absl::string_view c) {
    raw->OnStdout(c);
    listener->TestOutput(*raw->test, "stdout", c);
  });
  r->err->set_consumer([raw, listener](absl::string_view c) {
    listener->TestOutput(*raw->test, "stderr", c);
  });

  SpawnOptions spawn;
  std::string outputs = *dir + "/outputs";
  if (test.in_guest()) {
    r->guest = true;
    GuestPool* guest = options_.guest;
    if (guest == nullptr) {
      fail("where=guest but the job has no guest");
      return;
    }
    if (!guest->Alive() || (options_.vm_per_test && guest->used())) {
      job_->Log(absl::StrCat(test.dir, ": booting a fresh guest"));
      absl::Status booted = guest->Boot();
      if (!booted.ok()) {
        fail(absl::StrCat("cannot boot the guest: ", booted.message()));
        return;
      }
    }
    guest->MarkUsed();
    std::string guest_path = guest->GuestPath(test.path);
    if (guest_path.empty()) {
      fail(
          "a guest test must lie under the first PATH, which the guest sees as "
          "/tests");
      return;
    }
    spawn.argv =
        guest->ExecArgv(guest_path, test.requires_,
                        {{"DATA", guest->GuestPath(options_.data_dir)},
                         {"AUTOTEST_DATA", guest->GuestPath(options_.data_dir)},
                         {"OUTPUTDIR", GuestPool::GuestOutputDir(test.index)},
                         {"PROCTOR_WHERE", "guest"},
                         {"PROCTOR_TEST_NAME", test.name},
                         {"PROCTOR_JOB_ID", options_.job_id}});
    spawn.env = options_.env;
  } else {
    std::string tmpl =
        absl::StrCat(options_.tmp_root, "/proctor-",
                     options_.job_id.substr(0, 7), "-", test.index, "-XXXXXX");
    if (mkdtemp(&tmpl[0]) == nullptr) {
      fail(absl::StrCat("cannot create TEMPDIR under ", options_.tmp_root));
      return;
    }
    r->tmpdir = tmpl;
    spawn.argv = {test.path};
    spawn.env = options_.env;
    for (const auto& [k, v] :
         std::initializer_list<std::pair<const char*, std::string>>{
             {"DATA", options_.data_dir},
             {"AUTOTEST_DATA", options_.data_dir},
             {"TEMPDIR", r->tmpdir},
             {"TMPDIR", r->tmpdir},
             {"OUTPUTDIR", outputs},
             {"PROCTOR_WHERE", WhereName(test.where)},
             {"PROCTOR_TEST_NAME", test.name},
             {"PROCTOR_JOB_ID", options_.job_id}}) {
      spawn.env.push_back(absl::StrCat(k, "=", v));
    }
    if (!options_.vm_dir.empty())
      spawn.env.push_back("PROCTOR_VM=" + options_.vm_dir);
    spawn.cwd = std::filesystem::path(test.path).parent_path().string();
  }
  spawn.stdout_fd = r->out->write_fd();
  spawn.stderr_fd = r->err->write_fd();
  absl::StatusOr<Subprocess> proc = Subprocess::Spawn(spawn);
  r->out->CloseWriteEnd();
  r->err->CloseWriteEnd();
  if (!proc.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(r->tmpdir, ec);
    fail(proc.status().message());
    return;
  }
  r->proc = *std::move(proc);
  r->deadline = now + test.timeout;
  job_->Log(absl::StrCat("started ", test.dir, " pid ", r->proc.pid()));
  running_.push_back(std::move(r));
  listener_->TestStarted(test);
}

void Executor::Finish(Running* r) {
  const PlannedTest& test = *r->test;
  absl::Time end = absl::Now();
  r->DecideAtEnd();
  std::optional<tap::Document> doc;
  if (r->tap != nullptr) doc = r->tap->Finish();

  Outcome outcome;
  outcome.exit = r->exit;
  outcome.timed_out = r->timed_out;
  outcome.timeout_seconds = absl::ToDoubleSeconds(test.timeout);
  outcome.interrupted = r->interrupted;
  outcome.tap = doc ? &*doc : nullptr;
  Verdict v = Judge(outcome);
  // guest-exec exits 255 when it lost the guest: if QEMU is gone too, the
  // guest crashed or powered off under the test.
  if (r->guest && r->exit.exited && r->exit.code == 255 && !r->timed_out &&
      !r->interrupted && options_.guest != nullptr &&
      options_.guest->DeadWithin(absl::Seconds(3))) {
    std::error_code ec;
    std::filesystem::create_directories(r->abs_dir + "/guest", ec);
    std::filesystem::copy_file(
        options_.guest->console_log(), r->abs_dir + "/guest/console.log",
        std::filesystem::copy_options::overwrite_existing, ec);
    std::string said = options_.guest->ConsoleVerdict();
    v = {ERROR,
         absl::StrCat("the guest crashed or powered off during the test (QEMU "
                      "exited",
                      said.empty() ? "" : "; the console says \"" + said + "\"",
                      "); its console log is in guest/console.log")};
    job_->Log(absl::StrCat(test.dir, ": ", v.reason));
  }

  if (r->guest && options_.guest != nullptr && options_.guest->Alive()) {
    absl::Status fetched =
        options_.guest->FetchOutputs(test.index, r->abs_dir + "/outputs");
    if (!fetched.ok()) {
      job_->Log(absl::StrCat(
          test.dir, ": guest outputs not copied: ", fetched.message()));
    }
    if (options_.vm_per_test) {
      // The VM was this test's alone: its console log belongs with it.
      std::error_code ec;
      std::filesystem::create_directories(r->abs_dir + "/guest", ec);
      std::filesystem::copy_file(
          options_.guest->console_log(), r->abs_dir + "/guest/console.log",
          std::filesystem::copy_options::overwrite_existing, ec);
      options_.guest->Shutdown();
    }
  }

  // A guest test skipped for a requirement the guest lacks: the script
  // guest-exec ran said which on stderr ("proctor: requires cmd:cc: ...").
  if (r->guest && v.status == SKIPPED && v.reason == "exit status 77") {
    std::string reason = GuestSkipReason(r->abs_dir + "/stderr");
    if (!reason.empty()) v.reason = reason;
  }

  TestResult res = BaseResult(test);
  res.set_start_time(FormatRfc3339(r->start));
  res.set_duration_seconds(absl::ToDoubleSeconds(end - r->start));
  res.set_status(v.status);
  res.set_reason(SanitizeUtf8(v.reason));
  if (r->exit.exited) res.set_exit_code(r->exit.code);
  res.set_signal(r->exit.signal);
  for (auto [capture, stats] :
       {std::make_pair(&*r->out, res.mutable_stdout_stats()),
        std::make_pair(&*r->err, res.mutable_stderr_stats())}) {
    stats->set_bytes(capture->bytes());
    stats->set_kept_bytes(capture->kept_bytes());
    stats->set_truncated(capture->truncated());
  }
  if (doc) {
    res.set_tap(true);
    TapSummary* s = res.mutable_tap_summary();
    s->set_version(doc->version);
    s->set_ktap(doc->ktap);
    s->set_planned(doc->plan.count);
    s->set_points(doc->point_count);
    s->set_failed(doc->failed);
    s->set_skipped(doc->skipped);
    s->set_todo(doc->todo);
    s->set_bailed_out(doc->bailed_out);
    s->set_bail_reason(SanitizeUtf8(doc->bail_reason));
    for (const std::string& d : doc->diagnostics) {
      s->add_diagnostics(SanitizeUtf8(d));
    }
    ConvertPoints(doc->points, res.mutable_tap_points());
  }
  if (!options_.keep_tmp && !r->tmpdir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(r->tmpdir, ec);
  }
  if (options_.per_test_sysinfo != nullptr) {
    CollectSysinfo(*options_.per_test_sysinfo, r->abs_dir + "/sysinfo/post",
                   options_.path_env);
    WriteDmesgDiff(r->abs_dir + "/sysinfo/pre", r->abs_dir + "/sysinfo/post",
                   r->abs_dir + "/sysinfo/post/dmesg.diff")
        .IgnoreError();
  }
  Record(std::move(res));
}

bool Executor::WaitsForGuest(const PlannedTest& test) const {
  if (!options_.vm_per_test || !test.in_guest() ||
      test.preset != STATUS_UNSPECIFIED) {
    return false;
  }
  return std::any_of(
      running_.begin(), running_.end(),
      [](const std::unique_ptr<Running>& r) { return r->guest; });
}

bool Executor::Run(const std::vector<PlannedTest>& tests) {
  size_t next = 0;
  bool interrupting = false;
  absl::Time next_tick = absl::InfiniteFuture();
  std::vector<struct pollfd> fds;
  std::vector<OutputCapture*> owners;

  for (;;) {
    if (signals_->interrupted() && !interrupting) {
      interrupting = true;
      absl::Time now = absl::Now();
      absl::Duration grace = std::min(options_.kill_grace, absl::Seconds(2));
      for (auto& r : running_) {
        r->interrupted = true;
        r->proc.SignalGroup(SIGTERM);
        r->kill_at = std::min(r->kill_at, now + grace);
      }
    }
    while (!interrupting && next < tests.size() &&
           running_.size() < static_cast<size_t>(options_.jobs) &&
           !WaitsForGuest(tests[next])) {
      Start(tests[next++]);
    }
    if (running_.empty() && (interrupting || next >= tests.size())) break;

    absl::Time now = absl::Now();
    absl::Time wake = next_tick;
    fds.clear();
    owners.clear();
    fds.push_back({signals_->fd(), POLLIN, 0});
    owners.push_back(nullptr);
    for (auto& r : running_) {
      wake = std::min({wake, r->deadline, r->kill_at, r->drain_until});
      for (OutputCapture* c : {&*r->out, &*r->err}) {
        if (c->open()) {
          fds.push_back({c->read_fd(), POLLIN, 0});
          owners.push_back(c);
        }
      }
    }
    if (running_.empty()) wake = absl::Now();  // only presets left to record
    poll(fds.data(), fds.size(), PollMillis(now, wake));

    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents != 0) owners[i]->Pump();
    }
    if (fds[0].revents != 0) {
      std::vector<int> sigs = signals_->Read();
      bool second_interrupt =
          interrupting && std::count_if(sigs.begin(), sigs.end(),
                                        [](int s) { return s != SIGCHLD; }) > 0;
      if (second_interrupt) {
        for (auto& r : running_) r->proc.SignalGroup(SIGKILL);
      }
      int status;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (auto& r : running_) {
          if (r->proc.pid() == pid && !r->exited) {
            r->exited = true;
            r->deadline = absl::InfiniteFuture();
            r->exit = DecodeWaitStatus(status);
            r->proc.MarkReaped();
            // The test is over: end what it left running in its group.
            r->proc.SignalGroup(SIGKILL);
            r->drain_until = absl::Now() + kDrainLimit;
          }
        }
      }
    }

    now = absl::Now();
    for (auto it = running_.begin(); it != running_.end();) {
      Running* r = it->get();
      if (!r->exited && now >= r->deadline) {
        r->timed_out = true;
        r->deadline = absl::InfiniteFuture();
        r->proc.SignalGroup(SIGTERM);
        r->kill_at = now + options_.kill_grace;
        job_->Log(absl::StrCat(r->test->dir, ": timed out, sent SIGTERM"));
      }
      if (now >= r->kill_at) {
        r->proc.SignalGroup(SIGKILL);
        r->kill_at = absl::InfiniteFuture();
      }
      if (r->exited && now >= r->drain_until) {
        r->out->Pump();
        r->err->Pump();
        r->out->Close();
        r->err->Close();
      }
      if (r->exited && !r->out->open() && !r->err->open()) {
        Finish(r);
        it = running_.erase(it);
      } else {
        ++it;
      }
    }
    next_tick = listener_->Tick(absl::Now());
  }

  for (; next < tests.size(); ++next) {
    TestResult r = BaseResult(tests[next]);
    r.set_status(INTERRUPTED);
    r.set_reason("not started: the job was interrupted");
    job_->MakeTestDir(tests[next].dir).IgnoreError();
    Record(std::move(r));
  }
  // Orphaned test processes end here; the job's VM is not one of them.
  std::vector<pid_t> keep;
  if (options_.guest != nullptr && options_.guest->pid() > 0) {
    keep.push_back(options_.guest->pid());
  }
  KillAdoptedOrphans(keep);
  return !interrupting;
}

}  // namespace proctor
