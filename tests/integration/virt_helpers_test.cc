// The virt_run_* helpers as a test calls them: real binaries booting the
// real JeOS image under the pinned QEMU. Each case checks the exit status,
// the one-line reason, and (ProctorTest's TearDown) that no QEMU is left.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/subprocess.h"
#include "runner/base/unique_fd.h"
#include "tests/integration/harness.h"
#include "vmm/qemu_process.h"

namespace proctor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Helper(const std::string& name) {
  return Runfile("tools/virt/" + name);
}

class VirtHelpersTest : public ProctorTest {
 protected:
  // Logs go under the test's own directory, so its QEMUs can be told apart.
  std::string LogDir() { return results() + "/logs"; }
  std::vector<std::string> Env() {
    return {"PROCTOR_IMAGE=" + Runfile("images/jeos_python"),
            "PROCTOR_QEMU=" + Runfile("container/qemu/bin/qemu-system-x86_64"),
            "OUTPUTDIR=" + LogDir()};
  }
  RunOutput RunHelper(const std::string& name,
                      const std::vector<std::string>& args) {
    return RunBinary(Helper(name), args, Env());
  }
  static std::string LastLine(const RunOutput& r) {
    return r.lines.empty() ? "" : r.lines.back();
  }
};

TEST_F(VirtHelpersTest, HelpSaysWhatItDoesAndExitsZero) {
  for (const char* name : {"virt_run_migration", "virt_run_timedrift",
                           "virt_run_nic_hotplug", "virt_run_block_hotplug"}) {
    RunOutput r = RunBinary(Helper(name), {"--help"});
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_THAT(r.out, StartsWith(absl::StrCat("usage: ", name)));
    EXPECT_THAT(r.out, HasSubstr("--json"));
    EXPECT_THAT(r.out, HasSubstr("exit status: 0 passed, 1 failed"));
  }
}

TEST_F(VirtHelpersTest, UnknownFlagIsExitTwoOnOneLine) {
  RunOutput r = RunHelper("virt_run_migration", {"--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "virt_run_migration: unknown flag --bogus (see --help)\n");
}

TEST_F(VirtHelpersTest, BadOptionValueIsExitTwo) {
  RunOutput r = RunHelper("virt_run_block_hotplug", {"--format=vmdk"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(LastLine(r), StartsWith("virt_run_block_hotplug: FAIL: "
                                      "--format=vmdk: want raw or qcow2"));
}

TEST_F(VirtHelpersTest, NoImageIsExitThree) {
  RunOutput r = RunBinary(Helper("virt_run_timedrift"), {},
                          {"PROCTOR_IMAGE=", "OUTPUTDIR=" + LogDir()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(LastLine(r), HasSubstr("no guest image: give --image=DIR"));
}

TEST_F(VirtHelpersTest, DamagedImageIsExitThreeNamingTheFile) {
  std::string image = results() + "/image";
  std::filesystem::create_directories(image);
  for (const char* f : {"vmlinux", "initramfs", "SHA256SUMS"}) {
    std::filesystem::copy_file(Runfile(std::string("images/jeos_python/") + f),
                               image + "/" + f);
  }
  std::ofstream(image + "/initramfs", std::ios::app) << "tampered";
  RunOutput r = RunBinary(Helper("virt_run_nic_hotplug"), {},
                          {"PROCTOR_IMAGE=" + image, "OUTPUTDIR=" + LogDir()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(LastLine(r), HasSubstr("initramfs: sha256 mismatch"));
}

TEST_F(VirtHelpersTest, MigrationKeepsStateAndReportsJson) {
  RunOutput r = RunHelper("virt_run_migration", {"--count=2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"passed\": true"));
  EXPECT_THAT(r.out, HasSubstr("\"migrations\": 2"));
  EXPECT_THAT(r.out, HasSubstr("\"downtime_ms\""));
  // The logs are in $OUTPUTDIR: both QEMUs' command lines and QMP traffic.
  std::string dir = LogDir() + "/virt_run_migration/source";
  EXPECT_THAT(ReadFile(dir + "/qmp.log"), HasSubstr("\"execute\":\"migrate\""));
  EXPECT_THAT(ReadFile(dir + "/destination.2/qemu.cmdline"),
              HasSubstr("-incoming tcp:127.0.0.1:"));
  EXPECT_TRUE(
      std::filesystem::exists(LogDir() + "/virt_run_migration/result.json"));
}

// Migration sources and hotplug rounds from a guest saved by the first
// run: the second restores it.
TEST_F(VirtHelpersTest, SavedGuestIsBootedOnceAndRestoredByTheNextRuns) {
  std::string saved = results() + "/saved-guest";
  RunOutput first = RunHelper("virt_run_migration", {"--saved-guest=" + saved});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("source: booted and saved in " + saved));
  RunOutput again =
      RunHelper("virt_run_migration", {"--saved-guest=" + saved, "--count=2"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("source: restored from " + saved));
  EXPECT_THAT(again.out, HasSubstr("PASS"));
  // Hotplug ports change the machine: a guest of its own, then restored.
  RunOutput plug =
      RunHelper("virt_run_nic_hotplug", {"--saved-guest=" + saved});
  ASSERT_EQ(plug.exit_code, 0) << plug.out << plug.err;
  EXPECT_THAT(plug.out, HasSubstr("booted and saved in " + saved));
  RunOutput replug =
      RunHelper("virt_run_nic_hotplug", {"--saved-guest=" + saved});
  ASSERT_EQ(replug.exit_code, 0) << replug.out << replug.err;
  EXPECT_THAT(replug.out, HasSubstr("restored from " + saved));
}

TEST_F(VirtHelpersTest, MigrationToADestinationThatNeverListensNamesTheStep) {
  absl::StatusOr<int> port = vmm::FreeLocalPort();
  ASSERT_TRUE(port.ok());
  std::string uri = absl::StrCat("tcp:127.0.0.1:", *port);
  RunOutput r = RunHelper("virt_run_migration", {"--to=" + uri});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(LastLine(r),
              StartsWith(absl::StrCat("virt_run_migration: FAIL: migrate to ",
                                      uri, ": failed: ")));
  EXPECT_THAT(LastLine(r), HasSubstr("Connection refused"));
}

// A destination that takes the connection but never reads: the migration
// stalls, is cancelled at the timeout, and the helper says so.
TEST_F(VirtHelpersTest, MigrationToADestinationThatNeverReadsTimesOut) {
  UniqueFd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(
      bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)),
      0);
  ASSERT_EQ(listen(listener.get(), 1), 0);
  getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  std::string uri = absl::StrCat("tcp:127.0.0.1:", ntohs(addr.sin_port));
  RunOutput r = RunHelper("virt_run_migration",
                          {"--to=" + uri, "--migration-timeout=3s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(LastLine(r), HasSubstr(absl::StrCat("migrate to ", uri,
                                                  ": not complete within 3s")));
}

TEST_F(VirtHelpersTest, BadMigrationParameterIsAQmpErrorNamingTheCommand) {
  RunOutput r = RunHelper("virt_run_migration", {"--downtime-limit=-1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(LastLine(r), StartsWith("virt_run_migration: FAIL: "
                                      "migrate-set-parameters: GenericError"));
}

TEST_F(VirtHelpersTest, NicHotplugMovesTrafficAndUnplugs) {
  RunOutput r = RunHelper("virt_run_nic_hotplug", {"--count=2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.lines[0], HasSubstr("round 1: eth1 plugged in"));
  EXPECT_THAT(LastLine(r), StartsWith("virt_run_nic_hotplug: PASS: 2 rounds"));
  EXPECT_THAT(ReadFile(LogDir() + "/virt_run_nic_hotplug/guest/qmp.log"),
              HasSubstr("\"event\": \"DEVICE_DELETED\""));
}

TEST_F(VirtHelpersTest, NicTheGuestNeverSeesFailsNamingDeviceAdd) {
  RunOutput r = RunHelper("virt_run_nic_hotplug",
                          {"--model=e1000e", "--device-timeout=3s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(LastLine(r),
              HasSubstr("round 1: device_add: the guest showed no new network "
                        "interface in /sys/class/net within 3s"));
}

TEST_F(VirtHelpersTest, NicModelQemuDoesNotKnowIsAQmpError) {
  RunOutput r = RunHelper("virt_run_nic_hotplug", {"--model=no-such-nic"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(LastLine(r), HasSubstr("round 1: device_add: GenericError"));
}

TEST_F(VirtHelpersTest, BlockHotplugWritesThePatternIntoTheImage) {
  for (const char* format : {"raw", "qcow2"}) {
    RunOutput r = RunHelper("virt_run_block_hotplug",
                            {std::string("--format=") + format});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(LastLine(r), HasSubstr(absl::StrCat("1 round (", format, ")")));
  }
}

TEST_F(VirtHelpersTest, TimedriftPassesAndFailsByTheThreshold) {
  RunOutput ok = RunHelper("virt_run_timedrift", {"--duration=2s"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(LastLine(ok), HasSubstr("within 10%"));
  // Under TCG the guest clock is never exact to a millionth of a percent.
  RunOutput tight = RunHelper("virt_run_timedrift",
                              {"--duration=2s", "--threshold=0.000001"});
  EXPECT_EQ(tight.exit_code, 1);
  EXPECT_THAT(LastLine(tight), HasSubstr("threshold"));
}

// A helper killed while its guest runs takes its QEMU along (TearDown
// checks nothing was re-parented to this test).
TEST_F(VirtHelpersTest, SigtermKillsTheGuestsQemu) {
  SpawnOptions o;
  o.argv = {Helper("virt_run_timedrift"), "--duration=60s"};
  for (char** e = environ; *e != nullptr; ++e) o.env.push_back(*e);
  for (const std::string& e : Env()) o.env.push_back(e);
  absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
  ASSERT_TRUE(p.ok());
  // Once the guest has booted the console log has its marker.
  std::string console = LogDir() + "/virt_run_timedrift/guest/console.log";
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (ReadFile(console).find("guest ready") == std::string::npos &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  kill(p->pid(), SIGTERM);
  int status = 0;
  waitpid(p->pid(), &status, 0);
  p->MarkReaped();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
}

}  // namespace
}  // namespace proctor::testing
