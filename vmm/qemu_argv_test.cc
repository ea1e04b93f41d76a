#include "vmm/qemu_argv.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "vmm/qemu_process.h"

namespace proctor::vmm {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

QemuConfig Config() {
  QemuConfig c;
  c.kernel = "/img/vmlinux";
  c.initramfs = "/img/initramfs";
  return c;
}

const QemuEndpoints kEndpoints = {"/run/console.log", "/tmp/p/qmp.sock", 2222};

// The value after `flag`, "" if the flag is absent.
std::string After(const std::vector<std::string>& argv,
                  const std::string& flag) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

// Every value `flag` is given, in order.
std::vector<std::string> AllAfter(const std::vector<std::string>& argv,
                                  const std::string& flag) {
  std::vector<std::string> values;
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag) values.push_back(argv[i + 1]);
  return values;
}

TEST(QemuArgvTest, BootsTheKernelDirectlyOnQ35WithNoDefaultDevices) {
  std::vector<std::string> argv =
      QemuArgv(Config(), "/usr/bin/qemu", kEndpoints);
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(argv[0], "/usr/bin/qemu");
  EXPECT_EQ(After(argv, "-M"), "q35");
  EXPECT_THAT(argv, Contains("-nodefaults"));
  EXPECT_THAT(argv, Contains("-no-reboot"));
  EXPECT_EQ(After(argv, "-kernel"), "/img/vmlinux");
  EXPECT_EQ(After(argv, "-initrd"), "/img/initramfs");
  EXPECT_EQ(After(argv, "-m"), "512");
  EXPECT_EQ(After(argv, "-smp"), "1");
}

TEST(QemuArgvTest, TcgKeepsQemusDefaultCpu) {
  std::vector<std::string> argv = QemuArgv(Config(), "qemu", kEndpoints);
  EXPECT_EQ(After(argv, "-accel"), "tcg");
  EXPECT_THAT(argv, Not(Contains("-cpu")));
}

TEST(QemuArgvTest, KvmGivesTheGuestTheHostCpu) {
  QemuConfig c = Config();
  c.accel = "kvm";
  std::vector<std::string> argv = QemuArgv(c, "qemu", kEndpoints);
  EXPECT_EQ(After(argv, "-accel"), "kvm");
  EXPECT_EQ(After(argv, "-cpu"), "host");
}

TEST(QemuArgvTest, ConsoleQmpAndSshGoWhereTheOwnerListens) {
  std::vector<std::string> argv = QemuArgv(Config(), "qemu", kEndpoints);
  EXPECT_EQ(After(argv, "-serial"), "file:/run/console.log");
  EXPECT_EQ(After(argv, "-qmp"), "unix:/tmp/p/qmp.sock,server=on,wait=off");
  // SSH only on the loopback address.
  EXPECT_EQ(After(argv, "-netdev"),
            "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22");
  EXPECT_THAT(AllAfter(argv, "-device"),
              ElementsAre("virtio-net-pci,netdev=n0", "virtio-rng-pci",
                          "vmgenid,guid=auto"));
}

TEST(QemuArgvTest, KernelCommandLineCarriesTheKeyInBase64) {
  QemuConfig c = Config();
  c.authorized_key = "ssh-ed25519 AAAA proctor";
  std::string append = After(QemuArgv(c, "qemu", kEndpoints), "-append");
  EXPECT_THAT(append, HasSubstr("console=ttyS0"));
  EXPECT_THAT(append, HasSubstr("panic=-1"));
  EXPECT_THAT(append,
              HasSubstr("proctor.key=" +
                        absl::Base64Escape("ssh-ed25519 AAAA proctor")));
  EXPECT_THAT(append, Not(HasSubstr("proctor.share")));
}

TEST(QemuArgvTest, ShareIsReadOnly9pTaggedTests) {
  QemuConfig c = Config();
  c.share_dir = "/work/tests";
  std::vector<std::string> argv = QemuArgv(c, "qemu", kEndpoints);
  EXPECT_EQ(After(argv, "-fsdev"),
            "local,id=t0,path=/work/tests,security_model=none,readonly=on");
  EXPECT_THAT(AllAfter(argv, "-device"),
              Contains("virtio-9p-pci,fsdev=t0,mount_tag=tests"));
  EXPECT_THAT(After(argv, "-append"), HasSubstr("proctor.share=tests"));
}

TEST(QemuArgvTest, ShareLeftToTheOwnerIsNotOnTheKernelCommandLine) {
  QemuConfig c = Config();
  c.share_dir = "/work/tests";
  c.mount_share_at_boot = false;
  std::vector<std::string> argv = QemuArgv(c, "qemu", kEndpoints);
  EXPECT_THAT(AllAfter(argv, "-device"),
              Contains("virtio-9p-pci,fsdev=t0,mount_tag=tests"));
  EXPECT_THAT(After(argv, "-append"), Not(HasSubstr("proctor.share")));
}

TEST(QemuArgvTest, AnonymousRamByDefault) {
  std::vector<std::string> argv = QemuArgv(Config(), "qemu", kEndpoints);
  EXPECT_THAT(argv, Not(Contains("-object")));
  EXPECT_THAT(argv, Not(Contains("-incoming")));
}

TEST(QemuArgvTest, GuestToBeSavedWritesItsRamThroughToTheFile) {
  QemuConfig c = Config();
  c.memory_mb = 768;
  c.memory_file = "/state/ram";
  c.memory_file_shared = true;
  std::vector<std::string> argv = QemuArgv(c, "qemu", kEndpoints);
  EXPECT_EQ(After(argv, "-object"),
            "memory-backend-file,id=ram0,size=768M,mem-path=/state/ram,"
            "share=on");
  EXPECT_EQ(After(argv, "-machine"), "memory-backend=ram0");
  EXPECT_EQ(After(argv, "-m"), "768");
}

TEST(QemuArgvTest, RestoredGuestMapsTheRamPrivatelyAndWaitsForItsState) {
  QemuConfig c = Config();
  c.memory_file = "/state/ram";
  c.incoming = true;
  std::vector<std::string> argv = QemuArgv(c, "qemu", kEndpoints);
  EXPECT_THAT(After(argv, "-object"), testing::EndsWith(",share=off"));
  EXPECT_EQ(After(argv, "-incoming"), "defer");
}

TEST(QemuArgvTest, KvmRestoreKeepsTheHostCpuAndTheSameRamBackend) {
  QemuConfig c = Config();
  c.accel = "kvm";
  c.memory_file = "/state/ram";
  c.incoming = true;
  std::vector<std::string> argv = QemuArgv(c, "qemu", kEndpoints);
  EXPECT_EQ(After(argv, "-accel"), "kvm");
  EXPECT_EQ(After(argv, "-cpu"), "host");
  EXPECT_EQ(After(argv, "-object"),
            "memory-backend-file,id=ram0,size=512M,mem-path=/state/ram,"
            "share=off");
  EXPECT_EQ(After(argv, "-incoming"), "defer");
}

TEST(QemuArgvTest, UsersQmpSocketIsASecondMonitor) {
  QemuConfig c = Config();
  c.user_qmp_socket = "/tmp/m/qmp.sock";
  std::vector<std::string> argv = QemuArgv(c, "qemu", kEndpoints);
  std::vector<std::string> monitors;
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "-qmp") monitors.push_back(argv[i + 1]);
  }
  EXPECT_THAT(monitors,
              testing::ElementsAre("unix:/tmp/p/qmp.sock,server=on,wait=off",
                                   "unix:/tmp/m/qmp.sock,server=on,wait=off"));
}

TEST(QemuArgvTest, NoAgentPortUnlessAsked) {
  std::vector<std::string> argv = QemuArgv(Config(), "qemu", kEndpoints);
  EXPECT_THAT(argv, Not(Contains("-chardev")));
  EXPECT_THAT(argv, Not(Contains(HasSubstr("virtserialport"))));
}

TEST(QemuArgvTest, AgentPortIsAVirtioSerialPortOnTheOwnersSocket) {
  QemuConfig c = Config();
  c.agent = true;
  QemuEndpoints e = kEndpoints;
  e.agent_socket = "/tmp/p/agent.sock";
  std::vector<std::string> argv = QemuArgv(c, "qemu", e);
  EXPECT_EQ(After(argv, "-chardev"),
            "socket,id=agent,path=/tmp/p/agent.sock,server=on,wait=off");
  EXPECT_THAT(AllAfter(argv, "-device"),
              testing::IsSupersetOf(
                  {"virtio-serial-pci,id=vser0",
                   "virtserialport,bus=vser0.0,chardev=agent,name=org."
                   "proctor.agent"}));
}

TEST(QemuArgvTest, KvmGuestGetsTheSameAgentPort) {
  QemuConfig c = Config();
  c.agent = true;
  c.accel = "kvm";
  QemuEndpoints e = kEndpoints;
  e.agent_socket = "/tmp/p/agent.sock";
  std::vector<std::string> argv = QemuArgv(c, "qemu", e);
  EXPECT_EQ(After(argv, "-cpu"), "host");
  EXPECT_THAT(AllAfter(argv, "-device"),
              Contains(HasSubstr("name=org.proctor.agent")));
}

TEST(QemuArgvTest, KernelArgsAndExtraArgsComeLastInOrder) {
  QemuConfig c = Config();
  c.kernel_args = {"proctor.poweroff=1"};
  c.extra_args = {"-incoming", "tcp:127.0.0.1:4444"};
  std::vector<std::string> argv = QemuArgv(c, "qemu", kEndpoints);
  EXPECT_THAT(After(argv, "-append"), testing::EndsWith("proctor.poweroff=1"));
  ASSERT_GE(argv.size(), 2u);
  EXPECT_EQ(argv[argv.size() - 2], "-incoming");
  EXPECT_EQ(argv.back(), "tcp:127.0.0.1:4444");
}

}  // namespace
}  // namespace proctor::vmm

namespace proctor::vmm {
namespace {

KunitBoot Kunit() {
  KunitBoot b;
  b.kernel = "/k/vmlinux";
  return b;
}

TEST(KunitQemuArgvTest, BootsTheKernelAloneWithItsConsoleOnStdout) {
  std::vector<std::string> argv = KunitQemuArgv(Kunit(), "/usr/bin/qemu");
  EXPECT_EQ(argv[0], "/usr/bin/qemu");
  EXPECT_EQ(After(argv, "-kernel"), "/k/vmlinux");
  EXPECT_EQ(After(argv, "-serial"), "stdio");
  EXPECT_THAT(argv, Contains("-no-reboot"));
  EXPECT_THAT(argv, Contains("-nodefaults"));
  EXPECT_THAT(argv, Not(Contains("-initrd")));
  EXPECT_THAT(argv, Not(Contains("-netdev")));
}

TEST(KunitQemuArgvTest, KunitRebootsWhenDoneAndAPanicEndsQemu) {
  std::string append = After(KunitQemuArgv(Kunit(), "qemu"), "-append");
  EXPECT_THAT(append, HasSubstr("console=ttyS0"));
  EXPECT_THAT(append, HasSubstr("kunit_shutdown=reboot"));
  EXPECT_THAT(append, HasSubstr("panic=-1"));
  EXPECT_THAT(append, Not(HasSubstr("quiet")));  // KUnit prints at KERN_INFO
  EXPECT_THAT(append, Not(HasSubstr("filter_glob")));
}

TEST(KunitQemuArgvTest, FilterAndKernelArgumentsGoOnTheCommandLine) {
  KunitBoot b = Kunit();
  b.filter_glob = "example.*";
  b.kernel_args = {"proctor_kunit_test.fail=1"};
  std::string append = After(KunitQemuArgv(b, "qemu"), "-append");
  EXPECT_THAT(append, HasSubstr(" kunit.filter_glob=example.* "));
  EXPECT_THAT(append, HasSubstr("proctor_kunit_test.fail=1"));
}

TEST(KunitQemuArgvTest, KvmGivesTheHostCpuAndTcgKeepsTheDefault) {
  KunitBoot b = Kunit();
  EXPECT_EQ(After(KunitQemuArgv(b, "qemu"), "-cpu"), "");
  b.accel = "kvm";
  std::vector<std::string> argv = KunitQemuArgv(b, "qemu");
  EXPECT_EQ(After(argv, "-accel"), "kvm");
  EXPECT_EQ(After(argv, "-cpu"), "host");
}

}  // namespace
}  // namespace proctor::vmm
