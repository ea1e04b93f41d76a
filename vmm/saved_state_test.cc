// What a saved guest's identity covers, without starting QEMU: the files
// are hashed, never run.
#include "vmm/saved_state.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor::vmm {
namespace {

using testing::HasSubstr;
using testing::Not;

class StateIdentityTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string dir = getenv("TEST_TMPDIR");
    config_.qemu = "/bin/true";
    config_.kernel = dir + "/vmlinux";
    config_.initramfs = dir + "/initramfs";
    std::ofstream(config_.kernel) << "kernel";
    std::ofstream(config_.initramfs) << "initramfs";
    config_.memory_file = dir + "/state/ram";
    config_.memory_file_shared = true;
  }

  std::string Identity(const QemuConfig& c) {
    absl::StatusOr<std::string> id = StateIdentity(c);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  QemuConfig config_;
};

// The saved guest has no users' monitor; each guest restored from it has
// one of its own.
TEST_F(StateIdentityTest, RestoreWithAUsersMonitorHasTheSavedIdentity) {
  QemuConfig restore = config_;
  restore.memory_file_shared = false;
  restore.incoming = true;
  restore.user_qmp_socket = "/tmp/proctor-mux-b/qmp.sock";
  restore.run_dir = "/elsewhere";
  EXPECT_EQ(Identity(config_), Identity(restore));
}

TEST_F(StateIdentityTest, MemoryIsPartOfTheIdentity) {
  QemuConfig bigger = config_;
  bigger.memory_mb = config_.memory_mb * 2;
  EXPECT_NE(Identity(config_), Identity(bigger));
}

TEST_F(StateIdentityTest, KernelContentIsPartOfTheIdentity) {
  std::string before = Identity(config_);
  std::ofstream(config_.kernel) << "another kernel";
  EXPECT_NE(before, Identity(config_));
}

TEST_F(StateIdentityTest, IdentityNamesNoSocketPath) {
  config_.user_qmp_socket = "/tmp/proctor-mux-a/qmp.sock";
  config_.agent = true;
  EXPECT_THAT(Identity(config_), Not(HasSubstr("proctor-mux")));
  EXPECT_THAT(Identity(config_), Not(HasSubstr("agent.sock")));
}

TEST_F(StateIdentityTest, AgentPortIsPartOfTheIdentity) {
  QemuConfig with_agent = config_;
  with_agent.agent = true;
  EXPECT_NE(Identity(config_), Identity(with_agent));
}

}  // namespace
}  // namespace proctor::vmm
