#include "runner/guest/guest_pool.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runner/base/sha256.h"
#include "runner/base/tar_extract.h"
#include "runner/base/text.h"
#include "vmm/accel_probe.h"

namespace proctor {
namespace {

vmm::QemuConfig Config(const GuestOptions& o, const std::string& accel) {
  vmm::QemuConfig c;
  c.qemu = o.qemu;
  c.kernel = o.image_dir + "/vmlinux";
  c.initramfs = o.image_dir + "/initramfs";
  c.accel = accel;
  c.memory_mb = o.memory_mb;
  c.share_dir = o.share_dir;
  c.run_dir = o.run_dir;
  return c;
}

// A shell test for requirement `r` as the guest sees it, and what an
// unmet one lacks. Requirements are checked where the test runs: a guest
// test needs its command in the guest, not on the host.
std::pair<std::string, std::string> GuestCheck(absl::string_view r) {
  absl::string_view arg = r;
  if (absl::ConsumePrefix(&arg, "cmd:")) {
    return {absl::StrCat("command -v ", ShellQuote(arg), " >/dev/null"),
            "not found"};
  }
  if (absl::ConsumePrefix(&arg, "file:")) {
    return {absl::StrCat("[ -e ", ShellQuote(arg), " ]"), "no such file"};
  }
  if (absl::ConsumePrefix(&arg, "env:")) {
    // Only the variables proctor gives a guest test are set there. The
    // metadata parser let only a variable name through.
    return {absl::StrCat("[ -n \"${", arg, ":-}\" ]"), "not set"};
  }
  if (r == "root") return {"[ \"$(id -u)\" = 0 ]", "not root"};
  // vm: the job's guest is driven from the host (planning skips such a
  // test before it gets here).
  if (r == "vm") return {"false", "a host test's requirement"};
  // kvm: the JeOS guest has no nested virtualization to offer.
  return {"[ -c /dev/kvm ]", "no /dev/kvm"};
}

}  // namespace

GuestPool::~GuestPool() {
  // QEMU first: the mux's directory holds the saved guest it may map.
  vm_ = nullptr;
  mux_ = nullptr;
}

void GuestPool::Shutdown() {
  if (mux_ != nullptr) mux_->DropSessions();
  vm_ = nullptr;
}

void GuestPool::Note(const std::string& line, bool say) {
  std::ofstream(options_.run_dir + "/guests.log", std::ios::app)
      << line << "\n";
  if (say) fprintf(stderr, "proctor: %s\n", line.c_str());
}

vmm::VmOptions GuestPool::VmOptionsFor(const std::string& state_dir) const {
  vmm::VmOptions vm;
  vm.qemu = Config(options_, accel_);
  // A second QMP monitor for tests (`proctor vm qmp`), beside the mux's
  // socket: the first is the runner's own.
  vm.qemu.extra_args.insert(
      vm.qemu.extra_args.end(),
      {"-qmp",
       absl::StrCat("unix:", shared_dir(), "/qmp.sock,server=on,wait=off")});
  vm.boot_timeout = options_.boot_timeout;
  vm.key = key_;
  vm.state_dir = state_dir;
  return vm;
}

void GuestPool::KeepConsoleLog() {
  // console.log is the current VM's, console.N.log the one of guest N.
  std::error_code ec;
  std::filesystem::rename(
      options_.run_dir + "/console.log",
      absl::StrCat(options_.run_dir, "/console.", boots_, ".log"), ec);
}

namespace {

std::string Took(absl::Time start) {
  return absl::FormatDuration(
      absl::Trunc(absl::Now() - start, absl::Milliseconds(1)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<vmm::Vm>> GuestPool::StartFromSavedState(
    absl::Time start) {
  std::string state_dir = shared_dir() + "/state";
  if (saved_ == Saved::kNotYet) {
    absl::StatusOr<std::unique_ptr<vmm::Vm>> booted =
        vmm::Vm::Boot(VmOptionsFor(state_dir));
    ++boots_;
    if (!booted.ok()) return booted.status();
    absl::Status saved = (*booted)->Save();
    KeepConsoleLog();
    if (!saved.ok()) {
      saved_ = Saved::kUnusable;
      Note(absl::StrCat("guest ", boots_, ": booted, cannot save it (",
                        SanitizeUtf8(saved.message()),
                        "): every guest is booted"),
           true);
      return nullptr;
    }
    saved_ = Saved::kYes;
    Note(absl::StrCat("guest ", boots_, ": booted and saved in ", Took(start)));
    start = absl::Now();
  }
  if (saved_ != Saved::kYes) return nullptr;
  absl::StatusOr<std::unique_ptr<vmm::Vm>> restored =
      vmm::Vm::Restore(VmOptionsFor(state_dir));
  ++boots_;
  if (!restored.ok()) {
    saved_ = Saved::kUnusable;
    Note(absl::StrCat("guest ", boots_, ": cannot restore the saved guest (",
                      SanitizeUtf8(restored.status().message()),
                      "): booting guests from now on"),
         true);
    KeepConsoleLog();
    return nullptr;
  }
  Note(absl::StrCat("guest ", boots_, ": restored in ", Took(start)));
  return restored;
}

absl::Status GuestPool::Boot() {
  Shutdown();
  used_ = false;
  if (boots_ > 0) KeepConsoleLog();
  if (key_ == nullptr) {
    absl::StatusOr<vmm::GuestKey> key = vmm::GuestKey::Generate();
    if (!key.ok()) return key.status();
    key_ = std::make_shared<const vmm::GuestKey>(*std::move(key));
    std::error_code ec;
    std::filesystem::create_directories(options_.run_dir, ec);
    absl::Status saved = key_->Save(options_.run_dir + "/id_ed25519");
    if (!saved.ok()) return saved;
  }
  if (accel_.empty()) {
    std::string why;
    accel_ = vmm::ChooseAccel(options_.accel, Config(options_, "kvm"), &why);
    std::ofstream(options_.run_dir + "/accel")
        << accel_ << (why.empty() ? "" : absl::StrCat(" (", why, ")")) << "\n";
    if (options_.accel == "auto" && accel_ == "tcg") {
      fprintf(stderr, "proctor: KVM not usable (%s): guests run under TCG\n",
              why.c_str());
    }
  }
  if (mux_ == nullptr) {
    absl::StatusOr<std::unique_ptr<GuestMux>> mux = GuestMux::Start(
        [this]() -> absl::StatusOr<std::unique_ptr<vmm::SshSession>> {
          int port = vm_ != nullptr ? vm_->qemu().ssh_port() : 0;
          absl::StatusOr<vmm::SshSession> s = vmm::SshSession::WaitForLogin(
              "127.0.0.1", port, *key_, absl::Seconds(20));
          if (!s.ok()) return s.status();
          return std::make_unique<vmm::SshSession>(*std::move(s));
        });
    if (!mux.ok()) return mux.status();
    mux_ = *std::move(mux);
  }
  absl::Time start = absl::Now();
  if (options_.fresh_guests) {
    absl::StatusOr<std::unique_ptr<vmm::Vm>> vm = StartFromSavedState(start);
    if (!vm.ok()) {
      return absl::Status(vm.status().code(),
                          SanitizeUtf8(vm.status().message()));
    }
    vm_ = *std::move(vm);
  }
  if (vm_ == nullptr) {
    absl::StatusOr<std::unique_ptr<vmm::Vm>> booted =
        vmm::Vm::Boot(VmOptionsFor(""));
    ++boots_;
    if (!booted.ok()) {
      return absl::Status(booted.status().code(),
                          SanitizeUtf8(booted.status().message()));
    }
    vm_ = *std::move(booted);
    Note(absl::StrCat("guest ", boots_, ": booted in ", Took(start)));
  }
  // The guest's first session serves the first test: a login costs more
  // than a small test under TCG.
  mux_->Adopt(vm_->ReleaseSession());
  // For `proctor results`: the QEMU this job's guests ran on.
  std::ofstream(options_.run_dir + "/qemu_version")
      << vm_->qemu().qmp().version() << "\n";
  return absl::OkStatus();
}

std::string GuestPool::shared_dir() const {
  return mux_ != nullptr
             ? std::filesystem::path(mux_->socket_path()).parent_path().string()
             : "";
}

bool GuestPool::Alive() { return vm_ != nullptr && vm_->qemu().Running(); }

bool GuestPool::DeadWithin(absl::Duration timeout) {
  return vm_ == nullptr || vm_->qemu().WaitForExit(timeout);
}

const std::string& GuestPool::console_log() const {
  static const std::string none;
  return vm_ != nullptr ? vm_->console_log() : none;
}

std::string GuestPool::ConsoleVerdict() const {
  return vm_ != nullptr
             ? SanitizeUtf8(vmm::TellingConsoleLine(vm_->console_log()))
             : "";
}

namespace {

// Guest test `index`'s directory in the guest: outputs/ ($OUTPUTDIR) and
// test.xml ($XML_OUTPUT_FILE), as in its directory on the host.
std::string GuestTestDir(int index) {
  return absl::StrCat("/tmp/proctor-outputs/", index);
}

}  // namespace

std::string GuestPool::GuestOutputDir(int index) {
  return GuestTestDir(index) + "/outputs";
}

std::string GuestPool::GuestJunitFile(int index) {
  return GuestTestDir(index) + "/test.xml";
}

absl::Status GuestPool::WithSession(
    const std::function<absl::Status(vmm::SshSession*)>& use) {
  if (vm_ == nullptr || mux_ == nullptr) {
    return absl::UnavailableError("no guest");
  }
  return mux_->WithSession(use);
}

absl::Status GuestPool::FetchOutputs(int index, const std::string& test_dir) {
  // Only those two names: nothing else the guest leaves there reaches the
  // test's directory on the host.
  std::string d = ShellQuote(GuestTestDir(index));
  std::string tar;
  absl::Status fetched = WithSession([&](vmm::SshSession* s) -> absl::Status {
    absl::StatusOr<vmm::CmdResult> r = s->Cmd(
        absl::StrCat("cd ", d,
                     " 2>/dev/null && tar -cf - $(for f in outputs test.xml; "
                     "do [ -e \"$f\" ] || [ -L \"$f\" ] && echo \"$f\"; "
                     "done) 2>/dev/null; cd / && rm -rf ",
                     d),
        "", absl::Minutes(5));
    if (!r.ok()) return r.status();
    tar = std::move(r->out);
    return absl::OkStatus();
  });
  if (!fetched.ok()) return fetched;
  return ExtractTar(tar, test_dir);
}

std::string GuestPool::GuestPath(const std::string& host_path) const {
  std::string root = options_.share_dir;
  if (!absl::StartsWith(host_path, root + "/")) return "";
  return "/tests" + host_path.substr(root.size());
}

std::vector<std::string> GuestPool::ExecArgv(
    const std::string& guest_path, const std::vector<std::string>& requires_,
    const std::vector<std::pair<std::string, std::string>>& env) const {
  // The script the guest's shell runs: the environment, a fresh TEMPDIR,
  // the requirements checked where the test runs, then the test.
  std::string script = "export PATH=/bin:/sbin:/usr/bin:/usr/sbin";
  for (const auto& [k, v] : env)
    absl::StrAppend(&script, " ", k, "=", ShellQuote(v));
  absl::StrAppend(&script,
                  "; TEMPDIR=$(mktemp -d) && export TEMPDIR TMPDIR=$TEMPDIR"
                  " && mkdir -p \"$OUTPUTDIR\"");
  for (const std::string& r : requires_) {
    auto [check, unmet] = GuestCheck(r);
    absl::StrAppend(&script, "; ", check, " || { echo ",
                    ShellQuote(absl::StrCat("proctor: requires ", r, ": ",
                                            unmet, " in the guest")),
                    " >&2; exit 77; }");
  }
  std::string dir = guest_path.substr(0, guest_path.rfind('/'));
  absl::StrAppend(&script, "; cd ", ShellQuote(dir), " && ",
                  ShellQuote(guest_path),
                  "; rc=$?; rm -rf \"$TEMPDIR\"; exit $rc");
  std::string mux =
      "--mux=" + (mux_ != nullptr ? mux_->socket_path() : std::string());
  if (!options_.helper.empty()) return {options_.helper, mux, "--", script};
  return {options_.self, "guest-exec", mux, "--", script};
}

}  // namespace proctor
