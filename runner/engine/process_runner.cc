#include "runner/engine/process_runner.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runner/base/environment.h"
#include "runner/base/read_file.h"
#include "runner/base/subprocess.h"
#include "runner/base/tar_extract.h"
#include "runner/base/text.h"
#include "runner/base/time_format.h"
#include "runner/engine/output_capture.h"
#include "runner/engine/tap_sniffer.h"
#include "runner/engine/test_result.h"
#include "runner/engine/verdict.h"

namespace proctor {

namespace {

// The JUnit file a host test may write ($XML_OUTPUT_FILE), in its
// directory.
constexpr char kJunitFile[] = "test.xml";
// What a guest test's helper writes its outputs to, in its directory: a
// tar, extracted and removed before the test is judged.
constexpr char kGuestOutputsFile[] = ".guest-outputs.tar";

// How long the pipes of a finished test may stay open, held by a process
// that left its process group, before the runner stops reading them.
constexpr absl::Duration kDrainLimit = absl::Milliseconds(500);

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

// Most tests leave their TEMPDIR empty: one rmdir, and the tree walk only
// when it holds something.
void RemoveTempDir(const std::string& dir) {
  if (rmdir(dir.c_str()) == 0) return;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

void CopyConsoleLog(const Guest& guest, const std::string& test_dir) {
  std::error_code ec;
  std::filesystem::create_directories(test_dir + "/guest", ec);
  std::filesystem::copy_file(
      guest.console_log(), test_dir + "/guest/console.log",
      std::filesystem::copy_options::overwrite_existing, ec);
}

}  // namespace

struct ProcessRunner::Running {
  Running(const PlannedTest& t, std::string dir)
      : test(t), abs_dir(std::move(dir)), stdout_judge(t.format) {}

  const PlannedTest& test;
  std::string abs_dir;
  std::string tmpdir;  // host tests' TEMPDIR
  SpawnOptions spawn;
  Subprocess proc;
  std::optional<OutputCapture> out, err;
  TapSniffer stdout_judge;

  absl::Time start;
  absl::Time end;  // when its process was reaped and its pipes drained
  absl::Time deadline = absl::InfiniteFuture();
  absl::Time kill_at = absl::InfiniteFuture();
  absl::Time drain_until = absl::InfiniteFuture();
  std::optional<ExitInfo> exit;  // set once reaped
  // The guest a guest test runs on, given back when it is done.
  GuestPool::Lease guest;
  bool timed_out = false;
  bool interrupted = false;
  // A guest test's guest-exec lost the guest, and QEMU is gone: the guest
  // crashed or powered off under the test.
  bool guest_lost = false;

  bool drained() const { return !out->open() && !err->open(); }
};

ProcessRunner::ProcessRunner(ProcessRunnerOptions options, JobDir* job,
                             SignalWatcher* signals, ExecutorListener* listener)
    : options_(std::move(options)),
      job_(job),
      signals_(signals),
      listener_(listener) {}

ProcessRunner::~ProcessRunner() = default;

bool ProcessRunner::PrepareGuestSpawn(const PlannedTest& test, Running* r,
                                      std::string* why) {
  GuestPool* pool = options_.guest;
  if (pool == nullptr) {
    *why = "where=guest but the job has no guest";
    return false;
  }
  std::string guest_path = pool->GuestPath(test.path);
  if (guest_path.empty()) {
    *why =
        "a guest test must lie under the first PATH, which the guest sees as "
        "/tests";
    return false;
  }
  r->guest = pool->Acquire();
  Guest* guest = r->guest.get();
  if (!guest->Alive() || (options_.vm_per_test && guest->used())) {
    job_->Log(
        absl::StrCat(test.dir, ": a fresh guest on slot ", guest->slot()));
    absl::Status started = guest->Fresh();
    if (!started.ok()) {
      *why = absl::StrCat("cannot boot the guest: ", started.message());
      return false;
    }
  }
  guest->MarkUsed();
  std::string data = pool->GuestPath(options_.data_dir);
  r->spawn.argv = guest->ExecArgv(
      guest_path, test.args, test.run_in_copy_of, test.index, test.requires_,
      {{"DATA", data},
       {"AUTOTEST_DATA", data},
       {"OUTPUTDIR", Guest::GuestOutputDir(test.index)},
       {"XML_OUTPUT_FILE", Guest::GuestJunitFile(test.index)},
       {"PROCTOR_WHERE", "guest"},
       {"PROCTOR_TEST_NAME", test.name},
       {"PROCTOR_JOB_ID", options_.job_id}},
      GuestOutputsOf(test, *r));
  r->spawn.env = options_.env;
  return true;
}

namespace {

// test.run_in_copy_of, from the test's directory into `to`.
absl::Status CopyEntries(const PlannedTest& test, const std::string& to) {
  namespace fs = std::filesystem;
  if (test.run_in_copy_of.empty()) return absl::OkStatus();
  fs::path from = fs::path(test.path).parent_path();
  std::error_code ec;
  fs::create_directories(to, ec);
  for (const std::string& e : test.run_in_copy_of) {
    if (!ec)
      fs::copy(from / e, fs::path(to) / e, fs::copy_options::recursive, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot copy ", (from / e).string(),
                       " into TEMPDIR: ", ec.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void ProcessRunner::PrepareHostSpawn(const PlannedTest& test, Running* r) {
  r->spawn.argv = {test.path};
  r->spawn.argv.insert(r->spawn.argv.end(), test.args.begin(), test.args.end());
  std::vector<std::pair<std::string, std::string>> vars = {
      {"DATA", options_.data_dir},
      {"AUTOTEST_DATA", options_.data_dir},
      {"TEMPDIR", r->tmpdir},
      {"TMPDIR", r->tmpdir},
      {"OUTPUTDIR", r->abs_dir + "/outputs"},
      // Where a GoogleTest binary (or a pytest --junitxml=$XML_OUTPUT_FILE)
      // writes its cases, which become the test's.
      {"XML_OUTPUT_FILE", r->abs_dir + "/" + kJunitFile},
      {"PROCTOR_WHERE", WhereName(test.where)},
      {"PROCTOR_TEST_NAME", test.name},
      {"PROCTOR_JOB_ID", options_.job_id}};
  if (!options_.vm_dir.empty()) vars.push_back({"PROCTOR_VM", options_.vm_dir});
  r->spawn.env = WithVariables(options_.env, vars);
  r->spawn.cwd = std::filesystem::path(test.path).parent_path().string();
  if (!test.run_in_copy_of.empty()) {
    r->spawn.cwd = r->tmpdir + "/run";
    r->spawn.argv[0] =
        absl::StrCat(r->spawn.cwd, "/",
                     std::filesystem::path(test.path).filename().string());
  }
}

absl::Status ProcessRunner::PrepareHostTest(const PlannedTest& test,
                                            Running* r) {
  std::string tmpl =
      absl::StrCat(options_.tmp_root, "/proctor-", options_.job_id.substr(0, 7),
                   "-", test.index, "-XXXXXX");
  if (mkdtemp(&tmpl[0]) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot create TEMPDIR under ", options_.tmp_root));
  }
  r->tmpdir = tmpl;
  absl::Status copied = CopyEntries(test, r->tmpdir + "/run");
  if (!copied.ok()) return copied;
  PrepareHostSpawn(test, r);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ProcessRunner::Running>> ProcessRunner::Ready(
    const PlannedTest& test) {
  auto r = std::make_unique<Running>(test,
                                     absl::StrCat(job_->path(), "/", test.dir));
  absl::StatusOr<OutputCapture> out =
      OutputCapture::Open(r->abs_dir + "/stdout", options_.max_output);
  if (!out.ok()) return out.status();
  absl::StatusOr<OutputCapture> err =
      OutputCapture::Open(r->abs_dir + "/stderr", options_.max_output);
  if (!err.ok()) return err.status();
  r->out.emplace(*std::move(out));
  r->err.emplace(*std::move(err));
  Running* raw = r.get();
  ExecutorListener* listener = listener_;
  r->out->set_consumer([raw, listener](absl::string_view c) {
    raw->stdout_judge.Feed(c);
    listener->TestOutput(raw->test, "stdout", c);
  });
  r->err->set_consumer([raw, listener](absl::string_view c) {
    listener->TestOutput(raw->test, "stderr", c);
  });
  if (!test.in_guest()) {
    if (absl::Status s = PrepareHostTest(test, r.get()); !s.ok()) {
      Discard(r.get());
      return s;
    }
  }
  return r;
}

void ProcessRunner::Discard(Running* r) {
  if (!r->tmpdir.empty()) RemoveTempDir(r->tmpdir);
}

void ProcessRunner::DropReady() {
  if (ready_test_ != nullptr && ready_.ok()) Discard(ready_->get());
  ready_test_ = nullptr;
}

void ProcessRunner::Prepare(const PlannedTest& test) {
  DropReady();
  ready_test_ = &test;
  ready_ = Ready(test);
}

std::optional<TestResult> ProcessRunner::Start(const PlannedTest& test) {
  bool prepared = ready_test_ == &test;
  absl::StatusOr<std::unique_ptr<Running>> ready =
      prepared ? std::move(ready_) : Ready(test);
  if (prepared) ready_test_ = nullptr;
  DropReady();
  absl::Time now = absl::Now();
  if (!ready.ok()) {
    return DecidedResult(test, ERROR, ready.status().message(), now);
  }
  std::unique_ptr<Running> r = *std::move(ready);
  r->start = now;
  if (options_.per_test_sysinfo != nullptr) {
    CollectSysinfo(*options_.per_test_sysinfo, r->abs_dir + "/sysinfo/pre",
                   options_.path_env);
  }
  std::string why;
  if (test.in_guest() && !PrepareGuestSpawn(test, r.get(), &why)) {
    return DecidedResult(test, ERROR, why, now);
  }
  r->spawn.stdout_fd = r->out->write_fd();
  r->spawn.stderr_fd = r->err->write_fd();
  r->spawn.reset_signals = reset_signals_;
  absl::StatusOr<Subprocess> proc = Subprocess::Spawn(r->spawn);
  // The write ends stay open here until the test is reaped: its pipes
  // then never hang up under it, and its end wakes the runner once (the
  // SIGCHLD) instead of three times (stdout, stderr, SIGCHLD).
  if (!proc.ok()) {
    Discard(r.get());
    return DecidedResult(test, ERROR, proc.status().message(), now);
  }
  r->proc = *std::move(proc);
  r->deadline = now + test.timeout;
  job_->Log(absl::StrCat("started ", test.dir, " pid ", r->proc.pid(),
                         r->guest.get() != nullptr
                             ? absl::StrCat(" on guest ", r->guest->number())
                             : ""));
  running_.push_back(std::move(r));
  return std::nullopt;
}

void ProcessRunner::Interrupt() {
  interrupting_ = true;
  absl::Time now = absl::Now();
  absl::Duration grace = std::min(options_.kill_grace, absl::Seconds(2));
  for (auto& r : running_) {
    r->interrupted = true;
    r->proc.SignalGroup(SIGTERM);
    r->kill_at = std::min(r->kill_at, now + grace);
  }
}

void ProcessRunner::ReapChildren() {
  std::vector<int> sigs = signals_->Read();
  // A second interrupt does not wait for the grace.
  if (interrupting_ && std::any_of(sigs.begin(), sigs.end(),
                                   [](int s) { return s != SIGCHLD; })) {
    for (auto& r : running_) r->proc.SignalGroup(SIGKILL);
  }
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (auto& r : running_) {
      if (r->proc.pid() != pid || r->exit.has_value()) continue;
      r->exit = DecodeWaitStatus(status);
      r->deadline = absl::InfiniteFuture();
      r->proc.MarkReaped();
      // The test is over: end what it left running in its group.
      r->proc.SignalGroup(SIGKILL);
      r->drain_until = absl::Now() + kDrainLimit;
      // What it wrote is in the pipes: read to their end at once, unless
      // something it left (outside its group) still holds them.
      for (OutputCapture* c : {&*r->out, &*r->err}) {
        c->CloseWriteEnd();
        c->Pump();
      }
    }
  }
}

void ProcessRunner::EnforceDeadlines(absl::Time now) {
  for (auto& r : running_) {
    if (!r->exit.has_value() && now >= r->deadline) {
      r->timed_out = true;
      r->deadline = absl::InfiniteFuture();
      r->proc.SignalGroup(SIGTERM);
      r->kill_at = now + options_.kill_grace;
      job_->Log(absl::StrCat(r->test.dir, ": timed out, sent SIGTERM"));
    }
    if (now >= r->kill_at) {
      r->proc.SignalGroup(SIGKILL);
      r->kill_at = absl::InfiniteFuture();
    }
    if (r->exit.has_value() && now >= r->drain_until) {
      r->out->Pump();
      r->err->Pump();
      r->out->Close();
      r->err->Close();
    }
  }
}

std::vector<int> ProcessRunner::Wait(absl::Time until) {
  absl::Time now = absl::Now();
  absl::Time wake = until;
  std::vector<struct pollfd> fds = {{signals_->fd(), POLLIN, 0}};
  std::vector<OutputCapture*> owners = {nullptr};
  for (auto& r : running_) {
    wake = std::min({wake, r->deadline, r->kill_at, r->drain_until});
    for (OutputCapture* c : {&*r->out, &*r->err}) {
      if (c->open()) {
        fds.push_back({c->read_fd(), POLLIN, 0});
        owners.push_back(c);
      }
    }
  }
  poll(fds.data(), fds.size(), PollMillis(now, wake));
  for (size_t i = 1; i < fds.size(); ++i) {
    if (fds[i].revents != 0) owners[i]->Pump();
  }
  if (fds[0].revents != 0) ReapChildren();
  EnforceDeadlines(absl::Now());

  std::vector<int> ended;
  absl::Time end = absl::Now();
  for (auto it = running_.begin(); it != running_.end();) {
    if ((*it)->exit.has_value() && (*it)->drained()) {
      (*it)->end = end;
      ended.push_back((*it)->test.index);
      // A guest test gives its guest back when judged; --sysinfo=per-test
      // takes a test's "post" before the next test starts.
      if ((*it)->test.in_guest() || options_.per_test_sysinfo != nullptr) {
        judged_.push_back(Finish(it->get()));
      } else {
        ended_.push_back(std::move(*it));
      }
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  return ended;
}

std::vector<TestResult> ProcessRunner::TakeEnded() {
  std::vector<TestResult> results = std::move(judged_);
  judged_.clear();
  for (std::unique_ptr<Running>& r : ended_) results.push_back(Finish(r.get()));
  ended_.clear();
  return results;
}

GuestOutputs ProcessRunner::GuestOutputsOf(const PlannedTest& test,
                                           const Running& r) const {
  // Not a line a test prints by accident: control characters around the
  // job and the test.
  return {r.abs_dir + "/" + kGuestOutputsFile,
          absl::StrCat("\x1eproctor-outputs ", options_.job_id.substr(0, 12),
                       " ", test.index, "\x1e")};
}

void ProcessRunner::FetchGuestFiles(Running* r) {
  Guest* guest = r->guest.get();
  if (guest == nullptr) return;
  // guest-exec exits 255 when it lost the guest.
  r->guest_lost = r->exit->exited && r->exit->code == 255 && !r->timed_out &&
                  !r->interrupted && guest->DeadWithin(absl::Seconds(3));
  std::string sent = r->abs_dir + "/" + kGuestOutputsFile;
  absl::Status fetched;
  if (r->exit->exited && !r->timed_out && !r->interrupted) {
    // The script ran to its end: what it sent is all there is.
    absl::StatusOr<std::string> tar = ReadFile(sent);
    if (tar.ok()) fetched = ExtractTar(*tar, r->abs_dir);
  } else if (!r->guest_lost && guest->Alive()) {
    // Cut short: whatever it left is still in the guest.
    fetched = guest->FetchOutputs(r->test.index, r->abs_dir);
  }
  std::error_code ec;
  std::filesystem::remove(sent, ec);
  if (!fetched.ok()) {
    job_->Log(absl::StrCat(r->test.dir,
                           ": guest outputs not copied: ", fetched.message()));
  }
}

void ProcessRunner::GuestAftermath(Running* r, Status* status,
                                   std::string* reason) {
  Guest* guest = r->guest.get();
  if (guest == nullptr) return;
  if (r->guest_lost) {
    CopyConsoleLog(*guest, r->abs_dir);
    std::string said = guest->ConsoleVerdict();
    *status = ERROR;
    *reason = absl::StrCat(
        "the guest crashed or powered off during the test (QEMU exited",
        said.empty() ? "" : "; the console says \"" + said + "\"",
        "); its console log is in guest/console.log");
    job_->Log(absl::StrCat(r->test.dir, ": ", *reason));
  }
  if (guest->Alive() && options_.vm_per_test) {
    // The VM was this test's alone: its console log belongs with it.
    CopyConsoleLog(*guest, r->abs_dir);
    guest->Shutdown();
  }
  // A guest test skipped for a requirement the guest lacks: the script
  // guest-exec ran said which on stderr ("proctor: requires cmd:cc: ...").
  if (*status == SKIPPED && r->exit->exited && r->exit->code == kExitSkip) {
    std::string why = GuestSkipReason(r->abs_dir + "/stderr");
    if (!why.empty()) *reason = why;
  }
}

std::string ProcessRunner::JunitFile(const PlannedTest& test) {
  return test.junit.empty() ? kJunitFile : "outputs/" + test.junit;
}

absl::StatusOr<JunitReport> ProcessRunner::ReadTestJunit(Running* r) {
  std::string path = r->abs_dir + "/" + JunitFile(r->test);
  if (!r->test.junit.empty()) {
    // junit=PATH names a file in outputs/: a directory on the way that is a
    // symlink must not lead out of it.
    std::error_code ec;
    std::filesystem::path dir =
        std::filesystem::canonical(r->abs_dir + "/outputs", ec);
    std::filesystem::path parent = std::filesystem::weakly_canonical(
        std::filesystem::path(path).parent_path(), ec);
    std::string prefix = dir.string() + "/";
    if (!ec && parent != dir && (parent.string() + "/").rfind(prefix, 0) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          JunitFile(r->test), " leads out of the test's outputs/: not read"));
    }
  }
  return ReadJunit(path);
}

TestResult ProcessRunner::Finish(Running* r) {
  const PlannedTest& test = r->test;
  std::optional<tap::Document> doc = r->stdout_judge.Finish();
  if (test.in_guest()) FetchGuestFiles(r);
  absl::StatusOr<JunitReport> junit = ReadTestJunit(r);
  Outcome outcome;
  outcome.exit = *r->exit;
  outcome.junit = junit.ok() ? &*junit : nullptr;
  outcome.timed_out = r->timed_out;
  outcome.timeout_seconds = absl::ToDoubleSeconds(test.timeout);
  outcome.interrupted = r->interrupted;
  outcome.tap = doc ? &*doc : nullptr;
  Verdict v = Judge(outcome);
  if (test.in_guest()) GuestAftermath(r, &v.status, &v.reason);

  TestResult res = DecidedResult(test, v.status, v.reason, r->start);
  res.set_duration_seconds(absl::ToDoubleSeconds(r->end - r->start));
  if (r->exit->exited) res.set_exit_code(r->exit->code);
  res.set_signal(r->exit->signal);
  for (auto [capture, stats] :
       {std::make_pair(&*r->out, res.mutable_stdout_stats()),
        std::make_pair(&*r->err, res.mutable_stderr_stats())}) {
    stats->set_bytes(capture->bytes());
    stats->set_kept_bytes(capture->kept_bytes());
    stats->set_truncated(capture->truncated());
  }
  if (doc) AddTap(*doc, &res);
  if (junit.ok()) AddJunit(*junit, JunitFile(test), &res);
  if (!junit.ok() && !absl::IsNotFound(junit.status())) {
    // Refused (a symlink, say): said, not read; the exit status decides.
    res.mutable_junit_summary()->set_file(JunitFile(test));
    res.mutable_junit_summary()->add_diagnostics(
        SanitizeUtf8(junit.status().message()));
  }
  if (!options_.keep_tmp && !r->tmpdir.empty()) RemoveTempDir(r->tmpdir);
  if (options_.per_test_sysinfo != nullptr) {
    CollectSysinfo(*options_.per_test_sysinfo, r->abs_dir + "/sysinfo/post",
                   options_.path_env);
    WriteDmesgDiff(r->abs_dir + "/sysinfo/pre", r->abs_dir + "/sysinfo/post",
                   r->abs_dir + "/sysinfo/post/dmesg.diff")
        .IgnoreError();
  }
  return res;
}

void ProcessRunner::Done() {
  DropReady();
  // The guests' QEMUs are not orphans, nor is one a guest's thread is
  // starting now.
  vmm::QemuStartsHeld held;
  KillAdoptedOrphans(held.live());
}

}  // namespace proctor
