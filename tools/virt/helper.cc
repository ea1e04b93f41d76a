#include "tools/virt/helper.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/cli.h"
#include "runner/base/mapped_file.h"
#include "runner/base/sorted_json.h"
#include "vmm/accel_probe.h"
#include "vmm/image.h"
#include "vmm/kernel_image.h"
#include "vmm/qemu_process.h"
#include "vmm/qmp_client.h"
#include "vmm/saved_guest.h"

ABSL_FLAG(std::string, image, "",
          "the guest image directory: vmlinux, initramfs, SHA256SUMS "
          "(default: $PROCTOR_IMAGE)");
ABSL_FLAG(std::string, kernel, "",
          "a kernel to boot instead of the image's: a bzImage, or an ELF "
          "vmlinux with the PVH entry (default: $PROCTOR_KERNEL, which "
          "`proctor run --kernel` sets)");
ABSL_FLAG(std::string, initramfs, "",
          "an initramfs to boot instead of the image's (default: "
          "$PROCTOR_INITRAMFS, which `proctor run --modules` sets)");
ABSL_FLAG(std::string, append, "",
          "kernel parameters to add (default: $PROCTOR_KERNEL_APPEND, which "
          "`proctor run --append` sets)");
ABSL_FLAG(std::string, qemu, "",
          "the QEMU system emulator, a path or a name in PATH (default: "
          "$PROCTOR_QEMU, else qemu-system-x86_64)");
ABSL_FLAG(std::string, qemu_img, "",
          "qemu-img (default: $PROCTOR_QEMU_IMG, else the one beside --qemu, "
          "else qemu-img in PATH)");
ABSL_FLAG(std::string, accel, "auto",
          "auto (KVM when a probe boot proves it works), kvm or tcg");
ABSL_FLAG(int, memory, 512, "guest memory in MiB");
ABSL_FLAG(absl::Duration, boot_timeout, absl::Seconds(120),
          "how long a guest may take to boot");
ABSL_FLAG(bool, json, false, "print one JSON object instead of lines");
ABSL_FLAG(std::string, log_dir, "",
          "where logs go (default: $OUTPUTDIR/NAME under proctor, else a "
          "temporary directory removed when the check passes)");
ABSL_FLAG(std::string, saved_guest, "",
          "a directory that keeps the guest saved between runs: the first "
          "run boots and saves it there, later runs with the same options "
          "restore it (a fraction of a boot); one that cannot be restored "
          "is saved anew");

namespace proctor::virt {
namespace {

constexpr char kInfrastructure[] = "proctor.infrastructure";

const std::vector<std::string> kCommonFlags = {
    "image", "kernel",       "initramfs", "append", "qemu",    "qemu_img",
    "accel", "boot_timeout", "memory",    "json",   "log_dir", "saved_guest"};

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v == nullptr ? "" : v;
}

// QEMU runs in its own process group: a helper killed by a signal would
// leave it running. A thread takes the signals instead and kills them.
void KillQemusOnSignals(const char* name) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, name]() {
    int sig = 0;
    sigwait(&set, &sig);
    vmm::KillAllQemus();
    std::string line =
        absl::StrCat(name, ": interrupted by signal ", sig, "\n");
    (void)!write(2, line.data(), line.size());
    _exit(128 + sig);
  }).detach();
}

// The kernel to boot: --kernel (checked: a kernel QEMU boots as it is),
// else the image's. InvalidArgument for a file that is not one.
absl::StatusOr<std::string> KernelToBoot(const std::string& image) {
  std::string kernel = FlagOrEnv(absl::GetFlag(FLAGS_kernel), "PROCTOR_KERNEL");
  if (kernel.empty()) return image + "/vmlinux";
  absl::StatusOr<MappedFile> bytes = MappedFile::Open(kernel);
  absl::StatusOr<vmm::KernelFile> file =
      bytes.ok() ? vmm::InspectKernel(bytes->bytes())
                 : absl::StatusOr<vmm::KernelFile>(bytes.status());
  absl::Status bootable = file.ok() ? vmm::CheckBootable(*file) : file.status();
  if (!bootable.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--kernel=", kernel, ": ", bootable.message()));
  }
  return kernel;
}

}  // namespace

Helper Helper::Init(int argc, char** argv, const HelperInfo& info) {
  Helper h(info);
  std::vector<std::string> allowed = kCommonFlags;
  allowed.insert(allowed.end(), info.flags.begin(), info.flags.end());
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs(std::vector<std::string>(argv + 1, argv + argc), allowed);
  if (!parsed.ok() || !parsed->positional.empty()) {
    std::cerr << info.name << ": "
              << (parsed.ok() ? "unexpected argument " + parsed->positional[0]
                              : std::string(parsed.status().message()))
              << " (see --help)\n";
    exit(2);
  }
  if (parsed->help) {
    std::cout << "usage: " << info.name << " [options]\n\n"
              << info.synopsis << "\n\n"
              << info.description << "\n\noptions:\n"
              << FlagHelp(info.flags) << FlagHelp(kCommonFlags)
              << "\nexit status: 0 passed, 1 failed (the last line says "
                 "which step and why), 2 usage error, 3 no guest (image, "
                 "QEMU or boot)\n";
    exit(0);
  }
  KillQemusOnSignals(info.name);

  h.log_dir_ = absl::GetFlag(FLAGS_log_dir);
  if (h.log_dir_.empty() && !Env("OUTPUTDIR").empty())
    h.log_dir_ = absl::StrCat(Env("OUTPUTDIR"), "/", info.name);
  if (h.log_dir_.empty()) {
    std::string tmpl = absl::StrCat("/tmp/", info.name, "-XXXXXX");
    if (mkdtemp(&tmpl[0]) != nullptr) {
      h.log_dir_ = tmpl;
      h.temporary_log_dir_ = true;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(h.log_dir_, ec);
  return h;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Milliseconds(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

absl::Status Helper::Infrastructure(const absl::Status& s) {
  absl::Status marked = s;
  marked.SetPayload(kInfrastructure, absl::Cord("1"));
  return marked;
}

absl::StatusOr<std::unique_ptr<vmm::Vm>> Helper::Boot(const std::string& name,
                                                      int hotplug_ports) {
  std::string image = FlagOrEnv(absl::GetFlag(FLAGS_image), "PROCTOR_IMAGE");
  if (image.empty()) {
    return Infrastructure(absl::FailedPreconditionError(
        "no guest image: give --image=DIR or set PROCTOR_IMAGE"));
  }
  // The image is checked against its SHA256SUMS, as proctor checks it.
  absl::Status verified = vmm::VerifyImage(image);
  if (!verified.ok()) return Infrastructure(verified);
  absl::StatusOr<std::string> kernel = KernelToBoot(image);
  if (!kernel.ok()) return kernel.status();
  vmm::VmOptions o;
  o.qemu.kernel = image + "/vmlinux";
  o.qemu.initramfs = image + "/initramfs";
  std::string qemu = FlagOrEnv(absl::GetFlag(FLAGS_qemu), "PROCTOR_QEMU");
  if (!qemu.empty()) o.qemu.qemu = qemu;
  o.qemu.memory_mb = absl::GetFlag(FLAGS_memory);
  o.qemu.run_dir = absl::StrCat(log_dir_, "/", name);
  o.boot_timeout = absl::GetFlag(FLAGS_boot_timeout);
  o.hotplug_ports = hotplug_ports;
  // The KVM probe boots the image's own kernel, which powers off as the
  // probe waits for (as proctor's does: a kernel of the user's own may
  // lack ACPI).
  std::string why;
  o.qemu.accel = vmm::ChooseAccel(absl::GetFlag(FLAGS_accel), o.qemu, &why);
  Set("accel", vmm::StringValue(o.qemu.accel));
  o.qemu.kernel = *kernel;
  if (std::string initramfs =
          FlagOrEnv(absl::GetFlag(FLAGS_initramfs), "PROCTOR_INITRAMFS");
      !initramfs.empty()) {
    o.qemu.initramfs = initramfs;
  }
  o.qemu.kernel_args = absl::StrSplit(
      FlagOrEnv(absl::GetFlag(FLAGS_append), "PROCTOR_KERNEL_APPEND"), ' ',
      absl::SkipEmpty());
  std::string saved = absl::GetFlag(FLAGS_saved_guest);
  if (!saved.empty()) {
    std::string how;
    absl::Time start = absl::Now();
    absl::StatusOr<std::unique_ptr<vmm::Vm>> vm =
        vmm::StartSavedGuest(o, saved, &how);
    if (!vm.ok()) {
      return Infrastructure(
          absl::Status(vm.status().code(),
                       absl::StrCat("saved guest: ", vm.status().message())));
    }
    Line(absl::StrCat(name, ": ", how, " (",
                      absl::ToInt64Milliseconds(absl::Now() - start), " ms)"));
    return vm;
  }
  absl::StatusOr<std::unique_ptr<vmm::Vm>> vm = vmm::Vm::Boot(o);
  if (!vm.ok()) {
    return Infrastructure(absl::Status(
        vm.status().code(), absl::StrCat("boot: ", vm.status().message())));
  }
  return vm;
}

std::string Helper::QemuImg() const {
  std::string img =
      FlagOrEnv(absl::GetFlag(FLAGS_qemu_img), "PROCTOR_QEMU_IMG");
  if (!img.empty()) return img;
  std::string qemu = FlagOrEnv(absl::GetFlag(FLAGS_qemu), "PROCTOR_QEMU");
  if (qemu.find('/') != std::string::npos) {
    std::string beside =
        (std::filesystem::path(qemu).parent_path() / "qemu-img").string();
    if (access(beside.c_str(), X_OK) == 0) return beside;
  }
  return "qemu-img";
}

void Helper::Line(const std::string& text) {
  lines_.push_back(text);
  if (!absl::GetFlag(FLAGS_json)) {
    std::cout << info_.name << ": " << text << std::endl;
  }
}

void Helper::Set(const std::string& key, google::protobuf::Value value) {
  (*report_.mutable_fields())[key] = std::move(value);
}

void Helper::AddRun(google::protobuf::Struct run) {
  google::protobuf::Value& runs = (*report_.mutable_fields())["runs"];
  *runs.mutable_list_value()->add_values()->mutable_struct_value() =
      std::move(run);
}

int Helper::Finish(const absl::Status& outcome, const std::string& summary) {
  bool infrastructure = outcome.GetPayload(kInfrastructure).has_value();
  int code = outcome.ok()                       ? 0
             : infrastructure                   ? 3
             : absl::IsInvalidArgument(outcome) ? 2
                                                : 1;
  Set("helper", vmm::StringValue(info_.name));
  Set("passed", vmm::BoolValue(outcome.ok()));
  // The reason is one line, whatever a guest printed into it.
  std::string why = absl::StrReplaceAll(
      absl::StripAsciiWhitespace(outcome.message()), {{"\n", " | "}});
  if (!outcome.ok()) Set("error", vmm::StringValue(why));
  Set("log_dir",
      vmm::StringValue(temporary_log_dir_ && outcome.ok() ? "" : log_dir_));
  std::string json = SortedJson(report_, true).value_or("{}\n");
  std::ofstream(log_dir_ + "/result.json") << json;
  std::ofstream(log_dir_ + "/lines.txt") << absl::StrJoin(lines_, "\n") << "\n";
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << json;
  } else if (outcome.ok()) {
    std::cout << info_.name << ": PASS" << (summary.empty() ? "" : ": ")
              << summary << "\n";
  } else {
    std::cout << info_.name << ": FAIL: " << why << " (logs: " << log_dir_
              << ")\n";
  }
  std::cout.flush();
  if (outcome.ok() && temporary_log_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(log_dir_, ec);
  }
  return code;
}

}  // namespace proctor::virt
