#include "vmm/vm_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "vmm/accel_probe.h"

namespace proctor::vmm {
namespace {

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v == nullptr ? "" : v;
}

VmOptions& SuiteOptions() {
  static VmOptions* options = [] {
    auto* o = new VmOptions;
    std::string image = Env("PROCTOR_IMAGE");
    if (image.empty())
      image = Env("TEST_SRCDIR") + "/proctor/images/jeos_python";
    o->qemu.kernel = image + "/vmlinux";
    o->qemu.initramfs = image + "/initramfs";
    // The pinned QEMU when the test has @proctor//container:qemu in its
    // runfiles; else the one in PATH.
    std::string bundled =
        Env("TEST_SRCDIR") + "/proctor/container/qemu/bin/qemu-system-x86_64";
    if (!Env("PROCTOR_QEMU").empty()) {
      o->qemu.qemu = Env("PROCTOR_QEMU");
    } else if (!Env("TEST_SRCDIR").empty() &&
               access(bundled.c_str(), X_OK) == 0) {
      o->qemu.qemu = bundled;
    }
    std::string logs = Env("OUTPUTDIR");
    if (logs.empty()) logs = Env("TEST_UNDECLARED_OUTPUTS_DIR");
    if (logs.empty()) {
      char tmpl[] = "/tmp/proctor-vm-test-XXXXXX";
      if (mkdtemp(tmpl) != nullptr) logs = tmpl;
    }
    o->qemu.run_dir = logs;
    std::string why;
    o->qemu.accel = ChooseAccel("auto", o->qemu, &why);
    o->hotplug_ports = 4;
    return o;
  }();
  return *options;
}

}  // namespace

std::unique_ptr<Vm> VmTest::vm_;
absl::Status VmTest::boot_;

void VmTest::Boot() {
  vm_ = nullptr;
  // Each boot logs to a directory of its own: vm-SUITE.N.
  static int boots = 0;
  VmOptions options = SuiteOptions();
  const ::testing::TestSuite* suite =
      ::testing::UnitTest::GetInstance()->current_test_suite();
  options.qemu.run_dir =
      absl::StrCat(options.qemu.run_dir, "/vm-",
                   suite != nullptr ? suite->name() : "suite", ".", ++boots);
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Boot(options);
  boot_ = vm.status();
  if (vm.ok()) vm_ = *std::move(vm);
}

void VmTest::SetUpTestSuite() { Boot(); }

void VmTest::TearDownTestSuite() { vm_ = nullptr; }

void VmTest::SetUp() {
  if (vm_ != nullptr && !vm_->VerifyAlive().ok()) Boot();
  ASSERT_TRUE(boot_.ok()) << "the guest did not boot: " << boot_.message();
}

const VmOptions& VmTest::options() { return SuiteOptions(); }

absl::StatusOr<std::string> VmTest::HostCmd(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return absl::InternalError("popen failed");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("host command `", command,
                                            "` ended with status ", status));
  }
  return out;
}

}  // namespace proctor::vmm
