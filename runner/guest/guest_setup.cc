#include "runner/guest/guest_setup.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "runner/base/text.h"
#include "vmm/accel_probe.h"

namespace proctor {
namespace {

vmm::QemuConfig Config(const GuestOptions& o, const std::string& accel) {
  vmm::QemuConfig c;
  c.qemu = o.qemu;
  c.kernel = o.kernel ? o.kernel->boot_path : o.image_dir + "/vmlinux";
  c.kernel_args = o.kernel_args;
  c.initramfs = o.initramfs.empty() ? o.image_dir + "/initramfs" : o.initramfs;
  c.accel = accel;
  c.memory_mb = o.memory_mb;
  c.share_dir = o.share_dir;
  c.run_dir = o.run_dir;
  return c;
}

std::string Took(absl::Time start) {
  return absl::FormatDuration(
      absl::Trunc(absl::Now() - start, absl::Milliseconds(1)));
}

absl::Status Sanitized(const absl::Status& s) {
  return absl::Status(s.code(), SanitizeUtf8(s.message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<GuestSetup>> GuestSetup::Create(
    GuestOptions options) {
  auto setup = std::unique_ptr<GuestSetup>(new GuestSetup(std::move(options)));
  const GuestOptions& o = setup->options_;
  absl::StatusOr<vmm::GuestKey> key = vmm::GuestKey::Generate();
  if (!key.ok()) return key.status();
  setup->key_ = std::make_shared<const vmm::GuestKey>(*std::move(key));
  std::error_code ec;
  std::filesystem::create_directories(o.run_dir, ec);
  absl::Status saved = setup->key_->Save(o.run_dir + "/id_ed25519");
  if (!saved.ok()) return saved;
  std::ofstream(o.run_dir + "/kernel")
      << (o.kernel ? *o.kernel : ImageKernel(o.image_dir + "/vmlinux"))
             .Describe();
  // The probe boots the image's own kernel, which powers off as the probe
  // wants: a kernel of the user's own may lack ACPI, and KVM is the host's
  // question, not the kernel's.
  GuestOptions probe = o;
  probe.kernel.reset();
  probe.initramfs.clear();
  probe.kernel_args.clear();
  std::string why;
  setup->accel_ = vmm::ChooseAccel(o.accel, Config(probe, "kvm"), &why);
  std::ofstream(o.run_dir + "/accel")
      << setup->accel_ << (why.empty() ? "" : absl::StrCat(" (", why, ")"))
      << "\n";
  if (o.accel == "auto" && setup->accel_ == "tcg") {
    fprintf(stderr, "proctor: KVM not usable (%s): guests run under TCG\n",
            why.c_str());
  }
  return setup;
}

void GuestSetup::Note(const std::string& line, bool say) {
  absl::MutexLock lock(&mu_);
  std::ofstream(options_.run_dir + "/guests.log", std::ios::app)
      << line << "\n";
  if (say) fprintf(stderr, "proctor: %s\n", line.c_str());
}

bool GuestSetup::restoring() const {
  absl::MutexLock lock(&mu_);
  return saved_ == Saved::kYes;
}

int GuestSetup::TakeForTest() {
  absl::MutexLock lock(&mu_);
  ++taken_;
  return std::max(0, static_cast<int>(options_.guest_tests.size()) - taken_);
}

std::string GuestSetup::RunDir(int number) const {
  return number == 1 ? options_.run_dir
                     : absl::StrCat(options_.run_dir, "/guest.", number);
}

int GuestSetup::NextNumber() {
  absl::MutexLock lock(&mu_);
  return ++started_;
}

vmm::VmOptions GuestSetup::VmOptionsFor(const std::string& run_dir,
                                        const std::string& user_qmp,
                                        const std::string& state_dir) const {
  vmm::VmOptions vm;
  vm.qemu = Config(options_, accel_);
  vm.qemu.run_dir = run_dir;
  vm.qemu.user_qmp_socket = user_qmp;
  vm.boot_timeout = options_.boot_timeout;
  vm.key = key_;
  vm.state_dir = state_dir;
  return vm;
}

vmm::VmOptions GuestSetup::RestoreOptionsFor(
    const std::string& run_dir, const std::string& user_qmp) const {
  vmm::VmOptions vm = VmOptionsFor(run_dir, user_qmp, state_dir_);
  // The guest's first command completes the restore (guest.h).
  vm.owner_completes_restore = true;
  return vm;
}

std::string GuestTestDir(int index) {
  return absl::StrCat("/tmp/proctor-outputs/", index);
}

std::string GuestTestDirs(const std::vector<int>& tests) {
  std::string dirs;
  for (int index : tests) {
    absl::StrAppend(&dirs, GuestTestDir(index), "/outputs\n",
                    GuestTestDir(index), "/tmp\n");
  }
  return dirs;
}

absl::Status GuestSetup::SaveTemplate(const std::string& state_dir) {
  absl::Time start = absl::Now();
  int number = NextNumber();
  // The template has no users: tests reach the guests restored from it.
  absl::StatusOr<std::unique_ptr<vmm::Vm>> booted =
      vmm::Vm::Boot(VmOptionsFor(RunDir(number), "", state_dir));
  if (!booted.ok()) return Sanitized(booted.status());
  if (!options_.guest_tests.empty()) {
    // Once here rather than in each restored guest, where a process
    // started costs tens of ms of translation.
    absl::StatusOr<std::string> made = (*booted)->Cmd(
        absl::StrCat("xargs mkdir -p <<'PROCTOR_DIRS'\n",
                     GuestTestDirs(options_.guest_tests), "PROCTOR_DIRS"));
    if (!made.ok()) {
      Note(absl::StrCat("guest ", number, ": test directories not made ahead: ",
                        SanitizeUtf8(made.status().message())));
    }
  }
  absl::Status saved = (*booted)->Save();
  if (!saved.ok()) {
    Note(
        absl::StrCat("guest ", number, ": booted, cannot save it (",
                     SanitizeUtf8(saved.message()), "): every guest is booted"),
        true);
    return absl::OkStatus();
  }
  {
    absl::MutexLock lock(&mu_);
    state_dir_ = state_dir;
    saved_ = Saved::kYes;
  }
  Note(absl::StrCat("guest ", number, ": booted and saved in ", Took(start)));
  return absl::OkStatus();
}

std::unique_ptr<vmm::Vm> GuestSetup::Restore(int number,
                                             const std::string& user_qmp) {
  absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<vmm::Vm>> restored =
      vmm::Vm::Restore(RestoreOptionsFor(RunDir(number), user_qmp));
  if (restored.ok()) {
    Note(absl::StrCat("guest ", number, ": restored in ", Took(start)));
    return *std::move(restored);
  }
  bool first_failure;
  {
    absl::MutexLock lock(&mu_);
    first_failure = saved_ == Saved::kYes;
    saved_ = Saved::kUnusable;
  }
  Note(absl::StrCat("guest ", number, ": cannot restore the saved guest (",
                    SanitizeUtf8(restored.status().message()), ")",
                    first_failure ? ": booting guests from now on" : ""),
       first_failure);
  return nullptr;
}

absl::StatusOr<StartedGuest> GuestSetup::Start(const std::string& user_qmp,
                                               bool may_boot) {
  if (!may_boot && !restoring()) {
    return absl::NotFoundError("no saved guest to restore");
  }
  StartedGuest started;
  started.number = NextNumber();
  if (restoring()) started.vm = Restore(started.number, user_qmp);
  if (started.vm == nullptr && !may_boot) {
    return absl::NotFoundError("the saved guest cannot be restored");
  }
  if (started.vm == nullptr) {
    absl::Time start = absl::Now();
    absl::StatusOr<std::unique_ptr<vmm::Vm>> booted =
        vmm::Vm::Boot(VmOptionsFor(RunDir(started.number), user_qmp, ""));
    if (!booted.ok()) return Sanitized(booted.status());
    started.vm = *std::move(booted);
    Note(absl::StrCat("guest ", started.number, ": booted in ", Took(start)));
  }
  absl::MutexLock lock(&mu_);
  if (!version_written_) {
    // For `proctor results`: the QEMU this job's guests ran on.
    std::ofstream(options_.run_dir + "/qemu_version")
        << started.vm->qemu().qmp().version() << "\n";
    version_written_ = true;
  }
  return started;
}

}  // namespace proctor
