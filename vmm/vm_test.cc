// The Vm API against a real JeOS guest under QEMU (TCG here): the RFC's
// instrumented example, QMP, NIC and disk hotplug, and migration. One
// guest serves the suite (VmTest); each test leaves it as it found it.
#include "vmm/vm.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "vmm/vm_fixture.h"

namespace proctor::vmm {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class VmApiTest : public VmTest {};

std::string Strip(absl::StatusOr<std::string> s) {
  return s.ok() ? std::string(absl::StripAsciiWhitespace(*s)) : "";
}

// The pid of a process whose command line holds `needle`, or 0.
pid_t FindProcess(const std::string& needle) {
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    pid_t pid = atoi(e.path().filename().c_str());
    if (pid <= 0 || pid == getpid()) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos) return pid;
  }
  return 0;
}

// The RFC's uptime example: the VM, alive, logged in, a command in the
// guest and one on the host.
TEST_F(VmApiTest, GuestAndHostBothAnswerLikeTheRfcExample) {
  ASSERT_TRUE(vm().VerifyAlive().ok());
  ASSERT_TRUE(vm().WaitForLogin().ok());
  absl::StatusOr<std::string> guest = vm().Cmd("cat /proc/uptime");
  ASSERT_TRUE(guest.ok()) << guest.status();
  absl::StatusOr<std::string> host = HostCmd("cat /proc/uptime");
  ASSERT_TRUE(host.ok()) << host.status();
  // The guest booted seconds ago; the host long before.
  EXPECT_LT(std::stod(*guest), std::stod(*host));
  // And Cmd ran in the guest, not here: the two kernels' boot ids differ.
  std::string guest_boot =
      Strip(vm().Cmd("cat /proc/sys/kernel/random/boot_id"));
  std::string host_boot = Strip(HostCmd("cat /proc/sys/kernel/random/boot_id"));
  ASSERT_EQ(guest_boot.size(), 36u) << guest_boot;
  ASSERT_EQ(host_boot.size(), 36u) << host_boot;
  EXPECT_NE(guest_boot, host_boot);
}

TEST_F(VmApiTest, CmdFailureCarriesTheExitStatusAndStderr) {
  absl::StatusOr<std::string> r = vm().Cmd("echo oops >&2; exit 3");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("exited 3: oops"));
}

TEST_F(VmApiTest, QmpErrorNamesTheCommandAndQemusReason) {
  absl::StatusOr<google::protobuf::Value> ok = vm().Qmp("query-status");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->struct_value().fields().at("status").string_value(), "running");
  absl::StatusOr<google::protobuf::Value> bad = vm().Qmp("no-such-command");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              StartsWith("no-such-command: CommandNotFound"));
}

TEST_F(VmApiTest, HotpluggedNicAppearsAndUnplugRemovesIt) {
  absl::StatusOr<std::string> eth = vm().HotplugNic("nic1", {});
  ASSERT_TRUE(eth.ok()) << eth.status();
  EXPECT_TRUE(vm().Cmd("test -e /sys/class/net/" + *eth).ok());
  ASSERT_TRUE(vm().Unplug("nic1").ok());
  EXPECT_FALSE(vm().Cmd("test -e /sys/class/net/" + *eth).ok());
}

TEST_F(VmApiTest, NicTheGuestHasNoDriverForTimesOutNamingTheStep) {
  NicOptions o;
  o.model = "e1000e";  // the JeOS kernel has virtio drivers only
  o.timeout = absl::Seconds(3);
  absl::StatusOr<std::string> eth = vm().HotplugNic("nic2", o);
  ASSERT_FALSE(eth.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(eth.status()));
  EXPECT_THAT(std::string(eth.status().message()),
              HasSubstr("device_add: the guest showed no new network "
                        "interface"));
  EXPECT_TRUE(vm().Unplug("nic2").ok());
}

TEST_F(VmApiTest, HotpluggedDiskTakesAPatternAndGoesAway) {
  std::string image = std::string(getenv("TEST_TMPDIR")) + "/disk.raw";
  {
    std::ofstream f(image, std::ios::binary);
    f.seekp(8 * 1024 * 1024 - 1);
    f.put('\0');
  }
  absl::StatusOr<std::string> dev = vm().HotplugDisk("disk1", image, "raw");
  ASSERT_TRUE(dev.ok()) << dev.status();
  EXPECT_THAT(*dev, StartsWith("/dev/vd"));
  ASSERT_TRUE(vm().Cmd(absl::StrCat("printf proctor-pattern | dd of=", *dev,
                                    " bs=512 conv=fsync 2>/dev/null"))
                  .ok());
  EXPECT_EQ(Strip(vm().Cmd(absl::StrCat("head -c 15 ", *dev))),
            "proctor-pattern");
  ASSERT_TRUE(vm().Unplug("disk1").ok());
  EXPECT_FALSE(vm().Cmd("test -e " + *dev).ok());
  // What the guest wrote is in the host's file.
  std::ifstream f(image, std::ios::binary);
  std::string head(15, '\0');
  f.read(&head[0], 15);
  EXPECT_EQ(head, "proctor-pattern");
}

TEST_F(VmApiTest, DiskInAFormatQemuDoesNotKnowIsAQmpError) {
  absl::StatusOr<std::string> dev =
      vm().HotplugDisk("disk2", "/nonexistent", "no-such-format");
  ASSERT_FALSE(dev.ok());
  EXPECT_THAT(std::string(dev.status().message()),
              StartsWith("blockdev-add: "));
}

TEST_F(VmApiTest, MigrationKeepsTheGuestsStateBootIdAndUptime) {
  ASSERT_TRUE(vm().Cmd("echo kept > /tmp/marker").ok());
  std::string boot_id = Strip(vm().Cmd("cat /proc/sys/kernel/random/boot_id"));
  double before = std::stod(Strip(vm().Cmd("cut -d' ' -f1 /proc/uptime")));
  pid_t source = vm().qemu().pid();
  int migrations = vm().migrations();

  absl::StatusOr<MigrationResult> m = vm().Migrate({});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->uri, StartsWith("tcp:127.0.0.1:"));
  EXPECT_GT(m->total_ms, 0);
  EXPECT_GT(m->transferred_bytes, 0);
  EXPECT_NE(vm().qemu().pid(), source);
  EXPECT_EQ(vm().migrations(), migrations + 1);

  ASSERT_TRUE(vm().VerifyAlive().ok());
  EXPECT_EQ(Strip(vm().Cmd("cat /tmp/marker")), "kept");
  EXPECT_EQ(Strip(vm().Cmd("cat /proc/sys/kernel/random/boot_id")), boot_id);
  EXPECT_GE(std::stod(Strip(vm().Cmd("cut -d' ' -f1 /proc/uptime"))), before);
}

TEST_F(VmApiTest, MigrationOverAUnixSocket) {
  // Socket paths are short (108 bytes); test output trees are deep.
  char dir[] = "/tmp/proctor-vm-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  absl::Cleanup remove = [&dir] { std::filesystem::remove_all(dir); };
  MigrationOptions o;
  o.uri = absl::StrCat("unix:", dir, "/migrate.sock");
  absl::StatusOr<MigrationResult> m = vm().Migrate(o);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(vm().VerifyAlive().ok());
}

// After a migration that failed once its destination was up, the next
// destination's logs are in a directory of their own, and the error for a
// destination that dies names that directory, not an earlier one.
TEST_F(VmApiTest, DestinationThatExitsIsNamedByItsOwnLogDirectory) {
  MigrationOptions bad;
  bad.downtime_limit_ms = -5;
  ASSERT_FALSE(vm().Migrate(bad).ok());

  absl::StatusOr<int> port = FreeLocalPort();
  ASSERT_TRUE(port.ok());
  MigrationOptions o;
  o.uri = absl::StrCat("tcp:127.0.0.1:", *port);
  o.max_bandwidth = 1 << 20;  // 1 MiB/s: long enough to kill its destination
  o.timeout = absl::Seconds(60);
  // The limit stays with the source QEMU: QEMU's default again afterwards.
  absl::Cleanup restore = [this] {
    google::protobuf::Struct p;
    (*p.mutable_fields())["max-bandwidth"].set_number_value(128 << 20);
    vm().Qmp("migrate-set-parameters", p).IgnoreError();
  };
  std::atomic<pid_t> killed{0};
  std::thread killer([&] {
    for (absl::Time end = absl::Now() + absl::Seconds(30); absl::Now() < end;
         absl::SleepFor(absl::Milliseconds(50))) {
      if (pid_t pid = FindProcess(o.uri); pid > 0) {
        // Once it takes the stream, not while it starts.
        absl::SleepFor(absl::Milliseconds(500));
        kill(pid, SIGKILL);
        killed = pid;
        return;
      }
    }
  });
  absl::StatusOr<MigrationResult> m = vm().Migrate(o);
  killer.join();
  ASSERT_GT(killed.load(), 0) << "the destination never showed up";
  ASSERT_FALSE(m.ok());
  std::string message(m.status().message());
  const std::string kSee = "the destination QEMU exited (see ";
  size_t at = message.find(kSee);
  ASSERT_NE(at, std::string::npos) << message;
  std::string named = message.substr(at + kSee.size());
  named = named.substr(0, named.find("/qemu.stderr)"));
  std::ifstream cmdline(named + "/qemu.cmdline");
  std::string text((std::istreambuf_iterator<char>(cmdline)),
                   std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("-incoming " + o.uri)) << named;
  EXPECT_TRUE(vm().VerifyAlive().ok());
}

TEST_F(VmApiTest, MigrationToNobodyFailsNamingTheUriAndKeepsTheSource) {
  absl::StatusOr<int> port = FreeLocalPort();
  ASSERT_TRUE(port.ok());
  MigrationOptions o;
  o.uri = absl::StrCat("tcp:127.0.0.1:", *port);
  o.external_destination = true;
  absl::StatusOr<MigrationResult> m = vm().Migrate(o);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(std::string(m.status().message()),
              HasSubstr(absl::StrCat("migrate to ", o.uri, ": failed")));
  EXPECT_TRUE(vm().VerifyAlive().ok());
}

TEST_F(VmApiTest, BadMigrationParameterIsAQmpErrorNamingTheCommand) {
  MigrationOptions o;
  o.downtime_limit_ms = -5;
  absl::StatusOr<MigrationResult> m = vm().Migrate(o);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(std::string(m.status().message()),
              StartsWith("migrate-set-parameters: "));
  EXPECT_TRUE(vm().VerifyAlive().ok());
}

}  // namespace
}  // namespace proctor::vmm
