// A GoogleTest fixture that gives an instrumented C++ test a booted guest,
// so that it reads like the RFC's Python example:
//
//   class UptimeTest : public proctor::vmm::VmTest {};
//
//   TEST_F(UptimeTest, GuestAndHostBothAnswer) {
//     ASSERT_TRUE(vm().VerifyAlive().ok());
//     ASSERT_TRUE(vm().WaitForLogin().ok());
//     absl::StatusOr<std::string> guest = vm().Cmd("uptime");
//     absl::StatusOr<std::string> host = HostCmd("uptime");
//   }
//
// One guest serves all tests of a suite (booting costs seconds); a test
// that breaks it gets a fresh one in the next test. The image is
// $PROCTOR_IMAGE, else @proctor//images:jeos_python from the runfiles;
// QEMU is $PROCTOR_QEMU, else @proctor//container:qemu from the runfiles,
// else qemu-system-x86_64 in PATH; KVM is used when
// a probe boot proves it works. Logs (console, QMP traffic) go to
// $OUTPUTDIR under proctor, $TEST_UNDECLARED_OUTPUTS_DIR under Bazel, else
// a temporary directory.
#ifndef PROCTOR_VMM_VM_FIXTURE_H_
#define PROCTOR_VMM_VM_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "vmm/vm.h"

namespace proctor::vmm {

class VmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  // Fails the test when the suite's guest could not boot, and boots a new
  // one if the last test left it dead.
  void SetUp() override;

  static Vm& vm() { return *vm_; }
  // The options the suite's guest was booted with (for a second guest;
  // qemu.run_dir is the directory the logs go under).
  static const VmOptions& options();
  // Runs `command` with the host's /bin/sh: its stdout, or Internal with
  // its exit status.
  static absl::StatusOr<std::string> HostCmd(const std::string& command);

 private:
  static void Boot();
  static std::unique_ptr<Vm> vm_;
  static absl::Status boot_;
};

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_VM_FIXTURE_H_
