// The accelerator probe against real QEMU booting the JeOS image under TCG
// (KVM does not work on the machines CI runs on, so its success is only
// reached through TCG here).
#include "vmm/accel_probe.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor::vmm {
namespace {

using ::testing::HasSubstr;

QemuConfig TcgConfig(const std::string& name) {
  std::string image =
      absl::StrCat(getenv("TEST_SRCDIR"), "/proctor/images/jeos_minimal/");
  QemuConfig c;
  c.kernel = image + "vmlinux";
  c.initramfs = image + "initramfs";
  c.run_dir = absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
  return c;
}

TEST(ProbeBootTest, SucceedsWhenTheGuestPowersOff) {
  absl::Status s = ProbeBoot(TcgConfig("clean"), absl::Seconds(60));
  EXPECT_TRUE(s.ok()) << s;
}

TEST(ProbeBootTest, FailsWhenTheGuestIsNotOffInTime) {
  absl::Status s = ProbeBoot(TcgConfig("slow"), absl::Milliseconds(300));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("did not power off within 300ms"));
  EXPECT_THAT(s.message(), HasSubstr("console.log"));
}

TEST(ProbeBootTest, FailsWhenQemuExitsWithAnError) {
  // A fake for QEMU asserting after start-up (seen with kvm_pvm): the real
  // QEMU boots the guest, then the wrapper reports failure.
  std::string wrapper = absl::StrCat(getenv("TEST_TMPDIR"), "/qemu-fails");
  std::ofstream(wrapper) << "#!/bin/sh\nqemu-system-x86_64 \"$@\"\nexit 134\n";
  chmod(wrapper.c_str(), 0755);
  QemuConfig c = TcgConfig("fails");
  c.qemu = wrapper;
  absl::Status s = ProbeBoot(c, absl::Seconds(60));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("exited with status 134"));
}

TEST(ProbeBootTest, FailsInOneLineWhenQemuDoesNotStart) {
  QemuConfig c = TcgConfig("bad-option");
  c.extra_args = {"-no-such-option"};
  absl::Status s = ProbeBoot(c, absl::Seconds(20));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("probe boot did not start"));
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("\n")));
}

TEST(ChooseAccelTest, TakesAnExplicitAcceleratorWithoutProbing) {
  std::string why;
  QemuConfig c = TcgConfig("explicit");
  c.qemu = "/nonexistent/qemu";
  EXPECT_EQ(ChooseAccel("tcg", c, &why), "tcg");
  EXPECT_EQ(ChooseAccel("kvm", c, &why), "kvm");
}

TEST(ChooseAccelTest, AutoUsesTheVerdictCachedForThisHostBoot) {
  if (!KvmDeviceUsable()) GTEST_SKIP() << "no /dev/kvm to consult a cache for";
  std::string cache = absl::StrCat(getenv("TEST_TMPDIR"), "/xdg");
  setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  std::string path = AccelCachePath();
  ASSERT_EQ(path.rfind(cache + "/proctor/accel-", 0), 0u) << path;
  std::filesystem::create_directories(cache + "/proctor");
  std::ofstream(path) << "tcg probe boot hung last time\n";
  QemuConfig c = TcgConfig("cached");
  c.qemu = "/nonexistent/qemu";  // a probe would fail differently
  std::string why;
  EXPECT_EQ(ChooseAccel("auto", c, &why), "tcg");
  EXPECT_EQ(why, "probe boot hung last time");
  EXPECT_TRUE(KvmKnownBroken());
}

TEST(ChooseAccelTest, AutoProbesOnceAndCachesAFailedProbe) {
  if (!KvmDeviceUsable()) GTEST_SKIP() << "no /dev/kvm to probe";
  std::string cache = absl::StrCat(getenv("TEST_TMPDIR"), "/xdg-probe");
  setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  QemuConfig c = TcgConfig("probe");
  c.qemu = "/nonexistent/qemu";  // the probe fails whatever /dev/kvm does
  std::string why;
  EXPECT_EQ(ChooseAccel("auto", c, &why), "tcg");
  EXPECT_THAT(why, HasSubstr("/nonexistent/qemu"));
  std::ifstream in(AccelCachePath());
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "tcg " + why);
}

}  // namespace
}  // namespace proctor::vmm
