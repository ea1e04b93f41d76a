#include "runner/guest/guest.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "runner/base/kernel_config.h"
#include "runner/base/tar_extract.h"
#include "runner/base/text.h"

namespace proctor {
namespace {

// A shell test for requirement `r` as the guest sees it, and what an
// unmet one lacks as a shell word (it may expand variables the test set).
// Requirements are checked where the test runs: a guest test needs its
// command in the guest, not on the host.
struct ShellCheck {
  std::string test;
  std::string unmet;
};

// requires=config:..., checked in the guest when the job did not know the
// guest kernel's configuration (no .config beside --kernel): against its
// /proc/config.gz, else the /boot/config-RELEASE of its release (which the
// JeOS image holds for its own Debian kernel), and skipped saying so when
// there is neither. Planning let only well-formed requirements through.
ShellCheck GuestConfigCheck(absl::string_view r, absl::string_view arg) {
  absl::StatusOr<ConfigRequirement> want = ParseConfigRequirement(arg);
  if (!want.ok()) return {"false", ShellQuote(want.status().message())};
  const std::string& o = want->option;
  // $proctor_have is the option's line, empty when it is not set; what is
  // met is what kernel_config.h's Unmet() says is.
  std::string is =
      want->want == "!" ? "[ -z \"$proctor_have\" ]"
      : want->want.empty()
          ? "[ -n \"$proctor_have\" ]"
          : absl::StrCat("[ \"$proctor_have\" = ",
                         ShellQuote(absl::StrCat(o, "=", want->want)), " ]");
  std::string unknown = ShellQuote(absl::StrCat(
      "proctor: requires ", r,
      ": the guest kernel's configuration cannot be known (no "
      "/proc/config.gz in the guest, no /boot/config-RELEASE for its "
      "release, no .config beside --kernel)"));
  std::string test = absl::StrCat(
      "{ proctor_config=/proc/config.gz; [ -r $proctor_config ] || "
      "proctor_config=/boot/config-$(uname -r); [ -r \"$proctor_config\" ] "
      "|| { echo ",
      unknown,
      " >&2; exit 77; }; proctor_have=$(case $proctor_config in *.gz) zcat "
      "\"$proctor_config\";; *) cat \"$proctor_config\";; esac | grep -m1 ",
      ShellQuote(absl::StrCat("^", o, "=")), "); ", is, "; }");
  // As planning says it (requirements.cc): what the kernel has, and where.
  std::string unmet = absl::StrCat("\"${proctor_have:-", o, " is not set}\"",
                                   ShellQuote(" in the guest kernel ("),
                                   "\"$proctor_config\"", ShellQuote(")"));
  return {test, unmet};
}

ShellCheck GuestCheck(absl::string_view r) {
  absl::string_view arg = r;
  if (absl::ConsumePrefix(&arg, "cmd:")) {
    return {absl::StrCat("command -v ", ShellQuote(arg), " >/dev/null"),
            ShellQuote("not found in the guest")};
  }
  if (absl::ConsumePrefix(&arg, "file:")) {
    return {absl::StrCat("[ -e ", ShellQuote(arg), " ]"),
            ShellQuote("no such file in the guest")};
  }
  if (absl::ConsumePrefix(&arg, "env:")) {
    // Only the variables proctor gives a guest test are set there. The
    // metadata parser let only a variable name through.
    return {absl::StrCat("[ -n \"${", arg, ":-}\" ]"),
            ShellQuote("not set in the guest")};
  }
  if (absl::ConsumePrefix(&arg, "config:")) return GuestConfigCheck(r, arg);
  if (r == "root") {
    return {"[ \"$(id -u)\" = 0 ]", ShellQuote("not root in the guest")};
  }
  // vm: the job's guest is driven from the host (planning skips such a
  // test before it gets here).
  if (r == "vm") return {"false", ShellQuote("a host test's requirement")};
  // kvm: the JeOS guest has no nested virtualization to offer.
  return {"[ -c /dev/kvm ]", ShellQuote("no /dev/kvm in the guest")};
}

// A tar on stdout of what a guest test left, run in its directory: only
// those two names, so nothing else the guest leaves there reaches the
// test's directory on the host.
constexpr char kTarOfOutputs[] =
    "tar -cf - $(for f in outputs test.xml; do "
    "{ [ -e \"$f\" ] || [ -L \"$f\" ]; } && echo \"$f\"; done)";

}  // namespace

absl::StatusOr<std::unique_ptr<Guest>> Guest::Create(int slot,
                                                     GuestSetup* setup) {
  auto guest = std::unique_ptr<Guest>(new Guest(slot, setup));
  Guest* raw = guest.get();
  absl::StatusOr<std::unique_ptr<GuestMux>> mux = GuestMux::Start(
      [raw]() -> absl::StatusOr<std::unique_ptr<vmm::SshSession>> {
        absl::StatusOr<vmm::SshSession> s = vmm::SshSession::WaitForLogin(
            "127.0.0.1", raw->port_.load(), raw->setup_->key(),
            absl::Seconds(20));
        if (!s.ok()) return s.status();
        return std::make_unique<vmm::SshSession>(*std::move(s));
      });
  if (!mux.ok()) return mux.status();
  guest->mux_ = *std::move(mux);
  guest->dir_ =
      std::filesystem::path(guest->mux_->socket_path()).parent_path().string();
  for (int i = 0; i < std::max(1, setup->options().spares); ++i) {
    guest->workers_.emplace_back([raw]() { raw->Work(); });
  }
  return guest;
}

Guest::~Guest() {
  // The VMs first: their QMP sockets for tests are in the mux's directory.
  vm_ = nullptr;
  {
    absl::MutexLock lock(&mu_);
    ready_.clear();
    wanted_.clear();
    stopping_ = true;
  }
  // After the starts on their way, whose VMs their workers stop.
  for (std::thread& w : workers_) w.join();
  mux_ = nullptr;
}

int Guest::Outstanding() const {
  return static_cast<int>(ready_.size() + wanted_.size()) + starting_;
}

void Guest::Work() {
  for (;;) {
    bool may_boot;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Guest* g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g->mu_) {
            return !g->wanted_.empty() || g->stopping_;
          },
          this));
      if (stopping_) return;
      may_boot = wanted_.front();
      wanted_.pop_front();
      ++starting_;
    }
    absl::StatusOr<StartedGuest> started =
        setup_->Start(dir_ + "/qmp.sock", may_boot);
    absl::MutexLock lock(&mu_);
    --starting_;
    // Else its VM stops here, on the thread whose end would kill it.
    if (!stopping_) ready_.push_back(std::move(started));
  }
}

void Guest::StartNext() {
  absl::MutexLock lock(&mu_);
  if (Outstanding() == 0) wanted_.push_back(true);
}

absl::StatusOr<StartedGuest> Guest::TakeNext() {
  absl::MutexLock lock(&mu_);
  if (Outstanding() == 0) wanted_.push_back(true);
  // Each restore ahead that found no saved guest asks for a boot instead
  // (one the next test may use, if this one gets another first).
  for (int skipped = 0;; ++skipped) {
    mu_.Await(absl::Condition(
        +[](Guest* g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g->mu_) {
          return !g->ready_.empty();
        },
        this));
    absl::StatusOr<StartedGuest> next = std::move(ready_.front());
    ready_.pop_front();
    if (!absl::IsNotFound(next.status()) ||
        skipped > setup_->options().spares) {
      return next;
    }
    wanted_.push_back(true);
  }
}

void Guest::RestoreAhead(int tests_left) {
  // The job's guests share what is left: none restored for no test, which
  // the job's end would wait for.
  const GuestOptions& o = setup_->options();
  int guests = std::max(1, o.guests);
  int ahead = std::min(o.spares, (tests_left + guests - 1) / guests);
  absl::MutexLock lock(&mu_);
  while (Outstanding() < ahead) wanted_.push_back(false);
}

void Guest::MakeTestDirs() {
  const std::vector<int>& tests = setup_->options().guest_tests;
  if (tests.empty()) return;
  std::string dirs = GuestTestDirs(tests);
  absl::Status made = mux_->WithSession([&](vmm::GuestShell* s) {
    absl::StatusOr<vmm::CmdResult> r =
        s->Cmd("xargs mkdir -p", dirs, absl::Minutes(1));
    return r.ok() ? absl::OkStatus() : r.status();
  });
  // Not needed, only faster: each test's script makes its own otherwise.
  if (!made.ok()) {
    setup_->Note(
        absl::StrCat("guest ", number_,
                     ": test directories not made ahead: ", made.message()));
  }
}

absl::Status Guest::Fresh() {
  Shutdown();
  used_ = false;
  absl::StatusOr<StartedGuest> next = TakeNext();
  // A spare that died while it waited (killed from outside): once more.
  if (next.ok() && !next->vm->qemu().Running()) {
    setup_->Note(
        absl::StrCat("guest ", next->number, ": gone before a test used it"));
    next = TakeNext();
  }
  if (!next.ok()) return next.status();
  vm_ = std::move(next->vm);
  number_ = next->number;
  port_ = vm_->qemu().ssh_port();
  // The guest's first shell serves the first test: a login costs more
  // than a small test under TCG. A restored guest's is its agent.
  mux_->Adopt(vm_->ReleaseAgent());
  mux_->Adopt(vm_->ReleaseSession());
  // A restored guest's clock and share come with the first command run in
  // it, unless its agent saw to them: a command's round trip less per
  // test. It serves one test, whose directories its saved guest made; a
  // booted guest serves many, whose directories it makes at once.
  if (vm_->restored()) {
    if (!vm_->RestoreCompletion().empty()) {
      const vmm::Vm* vm = vm_.get();
      mux_->SetPrologue([vm]() { return vm->RestoreCompletion(); });
    }
  } else {
    MakeTestDirs();
  }
  // Each test's guest is restored while the tests before it run.
  int tests_left = setup_->TakeForTest();
  if (setup_->restoring()) RestoreAhead(tests_left);
  return absl::OkStatus();
}

void Guest::Shutdown() {
  mux_->DropSessions();
  vm_ = nullptr;
  number_ = 0;
}

bool Guest::Alive() { return vm_ != nullptr && vm_->qemu().Running(); }

bool Guest::DeadWithin(absl::Duration timeout) {
  return vm_ == nullptr || vm_->qemu().WaitForExit(timeout);
}

const std::string& Guest::console_log() const {
  static const std::string none;
  return vm_ != nullptr ? vm_->console_log() : none;
}

std::string Guest::ConsoleVerdict() const {
  return vm_ != nullptr
             ? SanitizeUtf8(vmm::TellingConsoleLine(vm_->console_log()))
             : "";
}

std::string Guest::GuestOutputDir(int index) {
  return GuestTestDir(index) + "/outputs";
}

std::string Guest::GuestJunitFile(int index) {
  return GuestTestDir(index) + "/test.xml";
}

absl::Status Guest::WithSession(
    const std::function<absl::Status(vmm::GuestShell*)>& use) {
  if (vm_ == nullptr) return absl::UnavailableError("no guest");
  return mux_->WithSession(use);
}

absl::Status Guest::WithLogin(
    const std::function<absl::Status(vmm::SshSession*)>& use) {
  if (vm_ == nullptr) return absl::UnavailableError("no guest");
  return mux_->WithLogin(use);
}

absl::Status Guest::FetchOutputs(int index, const std::string& test_dir) {
  std::string d = ShellQuote(GuestTestDir(index));
  std::string tar;
  absl::Status fetched = WithSession([&](vmm::GuestShell* s) -> absl::Status {
    absl::StatusOr<vmm::CmdResult> r =
        s->Cmd(absl::StrCat("cd ", d, " 2>/dev/null && ", kTarOfOutputs,
                            " 2>/dev/null; cd / && rm -rf ", d),
               "", absl::Minutes(5));
    if (!r.ok()) return r.status();
    tar = std::move(r->out);
    return absl::OkStatus();
  });
  if (!fetched.ok()) return fetched;
  return ExtractTar(tar, test_dir);
}

std::vector<std::string> Guest::ExecArgv(
    const std::string& guest_path, const std::vector<std::string>& args,
    const std::vector<std::string>& copy, int index,
    const std::vector<std::string>& requires_,
    const std::vector<std::pair<std::string, std::string>>& env,
    const GuestOutputs& outputs) const {
  // The script the guest's shell runs: the environment, a fresh TEMPDIR,
  // the requirements checked where the test runs, the test, then what it
  // left behind (kTarOfOutputs).
  std::string script = "export PATH=/bin:/sbin:/usr/bin:/usr/sbin";
  for (const auto& [k, v] : env)
    absl::StrAppend(&script, " ", k, "=", ShellQuote(v));
  // TEMPDIR beside $OUTPUTDIR, in the test's directory, both made when
  // the guest started (MakeTestDirs) unless a try before this one left
  // something in them: a mkdir and an rm cost some 4 ms each under TCG.
  std::string d = ShellQuote(GuestTestDir(index));
  absl::StrAppend(&script, " TEMPDIR=", d, "/tmp; export TMPDIR=$TEMPDIR",
                  "; [ -d \"$OUTPUTDIR\" ] && [ -d \"$TEMPDIR\" ] || ",
                  "mkdir -p \"$OUTPUTDIR\" \"$TEMPDIR\"");
  for (const std::string& r : requires_) {
    ShellCheck check = GuestCheck(r);
    absl::StrAppend(&script, "; ", check.test, " || { echo ",
                    ShellQuote(absl::StrCat("proctor: requires ", r, ": ")),
                    check.unmet, " >&2; exit 77; }");
  }
  std::string dir = guest_path.substr(0, guest_path.rfind('/'));
  std::string cd = ShellQuote(dir);
  std::string command = ShellQuote(guest_path);
  if (!copy.empty()) {
    absl::StrAppend(&script, "; mkdir -p \"$TEMPDIR/run\" && (cd ",
                    ShellQuote(dir), " && cp -a");
    for (const std::string& e : copy)
      absl::StrAppend(&script, " ", ShellQuote(e));
    absl::StrAppend(&script, " \"$TEMPDIR/run/\") || exit 99");
    cd = "\"$TEMPDIR/run\"";
    command = absl::StrCat("\"$TEMPDIR/run\"/",
                           ShellQuote(guest_path.substr(dir.size() + 1)));
  }
  absl::StrAppend(
      &script, "; cd ", cd, " && ", command,
      absl::StrJoin(args, "",
                    [](std::string* out, const std::string& a) {
                      absl::StrAppend(out, " ", ShellQuote(a));
                    }),
      "; rc=$?; cd ", d, " 2>/dev/null && { has=; ",
      "for f in outputs/* outputs/.[!.]* outputs/..?* test.xml; do ",
      "{ [ -e \"$f\" ] || [ -L \"$f\" ]; } && has=1; done; ",
      "[ -z \"$has\" ] || { printf %s ", ShellQuote(outputs.marker), " >&2; ",
      kTarOfOutputs, " >&2 2>/dev/null; }; left=$has; ",
      "for f in tmp/* tmp/.[!.]* tmp/..?*; do ",
      "{ [ -e \"$f\" ] || [ -L \"$f\" ]; } && left=1; done; ",
      "cd /; [ -z \"$left\" ] || rm -rf ", d, "; }; exit $rc");
  std::vector<std::string> argv;
  const GuestOptions& o = setup_->options();
  if (!o.helper.empty()) {
    argv = {o.helper};
  } else {
    argv = {o.self, "guest-exec"};
  }
  argv.push_back("--mux=" + mux_->socket_path());
  if (!outputs.marker.empty()) {
    argv.push_back("--outputs=" + outputs.file);
    argv.push_back("--marker=" + outputs.marker);
  }
  argv.insert(argv.end(), {"--", script});
  return argv;
}

}  // namespace proctor
