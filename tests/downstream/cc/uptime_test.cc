// The RFC's instrumented uptime example in C++: get the VM, verify it is
// alive, log in, run a command in the guest and one on the host.
#include <string>

#include "gtest/gtest.h"
#include "vmm/vm_fixture.h"

namespace {

class UptimeTest : public proctor::vmm::VmTest {};

TEST_F(UptimeTest, GuestAndHostBothReportAnUptime) {
  ASSERT_TRUE(vm().VerifyAlive().ok());
  ASSERT_TRUE(vm().WaitForLogin().ok());
  absl::StatusOr<std::string> guest = vm().Cmd("cut -d' ' -f1 /proc/uptime");
  ASSERT_TRUE(guest.ok()) << guest.status();
  absl::StatusOr<std::string> host = HostCmd("cut -d' ' -f1 /proc/uptime");
  ASSERT_TRUE(host.ok()) << host.status();
  // The guest was booted for this test; the host long before.
  EXPECT_LT(std::stod(*guest), std::stod(*host));
}

TEST_F(UptimeTest, QmpSaysTheGuestRuns) {
  absl::StatusOr<google::protobuf::Value> status = vm().Qmp("query-status");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->struct_value().fields().at("status").string_value(),
            "running");
}

}  // namespace
