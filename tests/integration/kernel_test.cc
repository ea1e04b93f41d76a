// The kernel developer's loop end to end: proctor boots a kernel built here
// from Debian's linux-source (@test_kernel, tests/kernel/) with the JeOS
// userspace under TCG, and checks config: requirements against it.
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace fs = std::filesystem;

constexpr char kRelease[] = "6.1.192";

std::string ImageDir() {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/proctor/images/jeos_python");
}

// The kernel as its build tree holds it: arch/x86/boot/bzImage, with the
// tree's .config three directories up.
std::string TreeKernel() {
  return absl::StrCat(getenv("TEST_SRCDIR"),
                      "/test_kernel/arch/x86/boot/bzImage");
}

// The same kernel with the guest's drivers as modules, and their
// modules_install tree.
std::string ModularKernel() {
  return absl::StrCat(getenv("TEST_SRCDIR"),
                      "/test_kernel/modular/arch/x86/boot/bzImage");
}
std::string ModularModules() {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/test_kernel/modular/modules");
}

class KernelTest : public ProctorTest {
 protected:
  void SetUp() override {
    ProctorTest::SetUp();
    // Unpacked kernels are cached per test, not in the user's cache.
    cache_ = results() + "-cache";
  }
  RunOutput RunGuest(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"run", "--results-dir=" + results(),
                                     "--sysinfo=off", "--where=guest",
                                     "--image=" + ImageDir()};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(suite());
    return Run(args, {"XDG_CACHE_HOME=" + cache_});
  }
  // A copy of `kernel` alone in a directory: no .config beside it.
  std::string LoneKernel(const std::string& kernel = TreeKernel()) {
    std::string dir = results() + "-lone";
    fs::create_directories(dir);
    fs::copy_file(kernel, dir + "/bzImage");
    return dir + "/bzImage";
  }
  // A copy of the build tree whose .config has `edit` applied.
  std::string TreeWithConfig(const std::string& from, const std::string& to) {
    std::string tree = results() + "-tree";
    fs::create_directories(tree + "/arch/x86/boot");
    fs::copy_file(TreeKernel(), tree + "/arch/x86/boot/bzImage");
    std::string config =
        ReadFile(absl::StrCat(getenv("TEST_SRCDIR"), "/test_kernel/.config"));
    size_t at = config.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) config.replace(at, from.size(), to);
    std::ofstream(tree + "/.config") << config;
    return tree + "/arch/x86/boot/bzImage";
  }

  std::string cache_;
};

TEST_F(KernelTest, GuestTestsRunOnTheGivenKernel) {
  Script("release.sh", absl::StrCat("#!/bin/sh\n[ \"$(uname -r)\" = ", kRelease,
                                    " ] || { uname -r; exit 1; }\n"));
  Script("cmdline.sh",
         "#!/bin/sh\ngrep -q proctor.test=hello /proc/cmdline || "
         "{ cat /proc/cmdline; exit 1; }\n");
  // The guest's /dev has what udev would make: /dev/fd and its names.
  Script("devfd.sh",
         "#!/bin/sh\n[ -L /dev/stdout ] && echo to-stderr >/dev/stderr\n");
  RunOutput r = RunGuest(
      {"--kernel=" + TreeKernel(), "--append=proctor.test=hello quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ReadFile(LatestJobDir() + "/tests/002-devfd.sh/stderr"),
            "to-stderr\n");
  EXPECT_THAT(r.out, HasSubstr("release.sh -- PASS"));
  EXPECT_THAT(r.out, HasSubstr("cmdline.sh -- PASS"));
  std::string vm = LatestJobDir() + "/vm/";
  std::string kernel = ReadFile(vm + "kernel");
  EXPECT_THAT(kernel, HasSubstr(absl::StrCat("release: ", kRelease, "\n")));
  EXPECT_THAT(kernel, HasSubstr("format: bzImage\n"));
  // The bzImage has the PVH entry: its ELF was unpacked once and booted.
  EXPECT_THAT(kernel, HasSubstr(cache_ + "/proctor/kernels/"));
  EXPECT_THAT(kernel, HasSubstr("(its ELF, unpacked)"));
  EXPECT_THAT(kernel, HasSubstr("/test_kernel/.config"));
  EXPECT_THAT(ReadFile(vm + "qemu.cmdline"), HasSubstr("/vmlinux "));
  EXPECT_THAT(kernel, HasSubstr(absl::StrCat("version: ", kRelease,
                                             " (proctor@proctor) #1")));
  EXPECT_THAT(ReadFile(vm + "console.log"), HasSubstr("proctor: guest ready"));
}

TEST_F(KernelTest, ModulesGiveTheGuestItsDrivers) {
  Script("lsmod.sh",
         "#!/bin/sh\ngrep -q '^virtio_net ' /proc/modules && "
         "grep -q '^9p ' /proc/modules || { cat /proc/modules; exit 1; }\n");
  RunOutput r = RunGuest(
      {"--kernel=" + ModularKernel(), "--modules=" + ModularModules()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("lsmod.sh -- PASS"));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/vm/kernel"),
              HasSubstr("modules: " + ModularModules()));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/vm/qemu.cmdline"),
              HasSubstr(cache_ + "/proctor/kernels/initramfs-"));
}

TEST_F(KernelTest, ModularKernelWithoutItsModulesNamesWhatIsMissing) {
  Script("t.sh", "#!/bin/sh\n");
  RunOutput r = RunGuest({"--kernel=" + ModularKernel()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("CONFIG_VIRTIO_NET (=m, and no --modules)"));
  EXPECT_THAT(r.err, HasSubstr("CONFIG_9P_FS (=m, and no --modules)"));
}

TEST_F(KernelTest, ModulesForAnotherKernelVersionNameBoth) {
  Script("t.sh", "#!/bin/sh\n");
  std::string other = results() + "-other";
  fs::create_directories(other + "/lib/modules/6.1.0-56-amd64");
  std::ofstream(other + "/lib/modules/6.1.0-56-amd64/modules.dep") << "";
  RunOutput r = RunGuest({"--kernel=" + ModularKernel(), "--modules=" + other});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(
                         "modules for 6.1.0-56-amd64, not for the kernel's ",
                         kRelease)));
}

// kselftest collections built here (@test_kselftest), installed as `make
// -C tools/testing/selftests install` does, run in the guest.
TEST_F(KernelTest, KselftestCollectionsAreTestsAndTheirTestsCases) {
  // Runfiles are symlinks out of the share: the guest gets real files.
  fs::copy(absl::StrCat(getenv("TEST_SRCDIR"), "/test_kselftest/kselftest"),
           suite() + "/kselftest", fs::copy_options::recursive);
  RunOutput r = RunGuest({});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("kselftest/size -- PASS"));
  EXPECT_THAT(r.out, HasSubstr("kselftest/sigaltstack -- PASS"));
  JobResult job = LatestJob();
  std::optional<TestResult> sas = Find(job, "kselftest/sigaltstack");
  ASSERT_TRUE(sas.has_value());
  ASSERT_EQ(sas->tap_points_size(), 1);
  EXPECT_EQ(sas->tap_points(0).description(), "selftests: sigaltstack: sas");
  // The test's own TAP, which kselftest prints as "# " comments, is the
  // point's subtest: its cases.
  ASSERT_EQ(sas->tap_points(0).subtest_size(), 3);
  EXPECT_EQ(sas->tap_points(0).subtest(1).description(),
            "sigaltstack is disabled in sighandler");
  // mincore's readahead case needs a file system with readahead, and the
  // guest's TEMPDIR is tmpfs: kselftest's own verdict, kept, with the
  // case that failed.
  std::optional<TestResult> mincore = Find(job, "kselftest/mincore");
  ASSERT_TRUE(mincore.has_value());
  EXPECT_EQ(mincore->status(), FAIL);
  ASSERT_EQ(mincore->tap_points_size(), 1);
  ASSERT_EQ(mincore->tap_points(0).subtest_size(), 5);
  EXPECT_FALSE(mincore->tap_points(0).subtest(3).ok());
  EXPECT_EQ(mincore->tap_points(0).subtest(3).description(),
            "global.check_file_mmap");
  // The collection's settings (none: 45 s a test) give the timeout.
  EXPECT_EQ(Find(job, "kselftest/size")->timeout_seconds(), 105);
  EXPECT_THAT(ReadFile(LatestJobDir() + "/results.xml"),
              HasSubstr("sigaltstack is disabled in sighandler"));
}

TEST_F(KernelTest, KselftestCollectionsRunOnTheHostToo) {
  std::string install = suite() + "/kselftest";
  fs::copy(absl::StrCat(getenv("TEST_SRCDIR"), "/test_kselftest/kselftest"),
           install, fs::copy_options::recursive);
  RunOutput r =
      Run({"run", "--results-dir=" + results(), "--sysinfo=off", suite()});
  EXPECT_THAT(r.out, HasSubstr("kselftest/sigaltstack -- PASS"));
  EXPECT_THAT(r.out, HasSubstr("kselftest/size -- PASS"));
  // It ran in a copy in its TEMPDIR, which is gone with the test.
  std::optional<TestResult> sas = Find(LatestJob(), "kselftest/sigaltstack");
  ASSERT_TRUE(sas.has_value());
  EXPECT_EQ(sas->tap_points_size(), 1);
}

TEST_F(KernelTest, ResultsDiffNamesTheOtherGuestKernel) {
  Script("t.sh", "#!/bin/sh\n");
  ASSERT_EQ(RunGuest({}).exit_code, 0);
  std::string before = LatestJobDir();
  EXPECT_THAT(ReadFile(before + "/vm/kernel"),
              HasSubstr("kernel: " + ImageDir() + "/vmlinux\n"));
  ASSERT_EQ(RunGuest({"--kernel=" + TreeKernel()}).exit_code, 0);
  RunOutput diff = Run({"results", "diff", "--results-dir=" + results(), before,
                        LatestJobDir()});
  EXPECT_THAT(diff.out, HasSubstr("guest kernel"));
  EXPECT_THAT(diff.out, HasSubstr("6.1.192 (proctor@proctor)"));
}

TEST_F(KernelTest, ConfigRequirementsAreCheckedAgainstTheTreesConfig) {
  Script("kunit.sh", "#!/bin/sh\n# proctor: requires=config:CONFIG_KUNIT=y\n");
  Script("no-kunit.sh",
         "#!/bin/sh\n# proctor: requires=config:!CONFIG_KUNIT\n");
  Script("modules.sh",
         "#!/bin/sh\n# proctor: requires=config:CONFIG_MODULES\n");
  RunOutput r = RunGuest({"--kernel=" + TreeKernel()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  JobResult job = LatestJob();
  EXPECT_EQ(Find(job, "kunit.sh")->status(), PASS);
  std::string config = fs::path(TreeKernel())
                           .parent_path()
                           .parent_path()
                           .parent_path()
                           .parent_path() /
                       ".config";
  EXPECT_EQ(Find(job, "no-kunit.sh")->reason(),
            absl::StrCat("requires config:!CONFIG_KUNIT: CONFIG_KUNIT=y in the "
                         "guest kernel (",
                         config, ")"));
  EXPECT_EQ(Find(job, "modules.sh")->reason(),
            absl::StrCat("requires config:CONFIG_MODULES: CONFIG_MODULES is "
                         "not set in the guest kernel (",
                         config, ")"));
}

TEST_F(KernelTest, WithoutConfigBesideItTheGuestChecksProcConfigGz) {
  Script("kunit.sh", "#!/bin/sh\n# proctor: requires=config:CONFIG_KUNIT=y\n");
  Script("modules.sh",
         "#!/bin/sh\n# proctor: requires=config:CONFIG_MODULES\n");
  RunOutput r = RunGuest({"--kernel=" + LoneKernel()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  JobResult job = LatestJob();
  EXPECT_EQ(Find(job, "kunit.sh")->status(), PASS);
  EXPECT_EQ(Find(job, "modules.sh")->status(), SKIPPED);
  EXPECT_EQ(Find(job, "modules.sh")->reason(),
            "requires config:CONFIG_MODULES: CONFIG_MODULES is not set in the "
            "guest kernel (/proc/config.gz)");
  EXPECT_THAT(ReadFile(LatestJobDir() + "/vm/kernel"),
              HasSubstr("config: none found beside the kernel"));
}

// A host test's virt_run_* helper boots what the job's guests boot: the
// console and QEMU command line it leaves in the test's outputs/ say so.
constexpr char kHelperScript[] =
    "#!/bin/sh\n"
    "virt_run_timedrift --duration=1s --log-dir=\"$OUTPUTDIR/helper\"\n";

TEST_F(KernelTest, HelpersInTestsBootTheGivenKernelWithItsParameters) {
  Script("helper.sh", kHelperScript);
  std::vector<std::string> args = {"run",
                                   "--results-dir=" + results(),
                                   "--sysinfo=off",
                                   "--image=" + ImageDir(),
                                   "--kernel=" + TreeKernel(),
                                   "--append=proctor.helper=yes",
                                   suite()};
  RunOutput r = Run(args, {"XDG_CACHE_HOME=" + cache_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string guest =
      LatestJobDir() + "/tests/001-helper.sh/outputs/helper/guest/";
  // No guest in the job: the bzImage as given, booted by QEMU itself.
  std::string cmdline = ReadFile(guest + "qemu.cmdline");
  EXPECT_THAT(cmdline, HasSubstr(TreeKernel() + " "));
  EXPECT_THAT(cmdline, HasSubstr("proctor.helper=yes"));
  EXPECT_THAT(ReadFile(guest + "console.log"),
              HasSubstr("proctor: guest ready"));
}

TEST_F(KernelTest, HelpersBootTheUnpackedKernelTheGuestsBoot) {
  Script("helper.sh", kHelperScript);
  Script("guest.sh", "#!/bin/sh\n# proctor: where=guest\n");
  std::vector<std::string> args = {"run",
                                   "--results-dir=" + results(),
                                   "--sysinfo=off",
                                   "--image=" + ImageDir(),
                                   "--kernel=" + TreeKernel(),
                                   suite()};
  RunOutput r = Run(args, {"XDG_CACHE_HOME=" + cache_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string guest =
      LatestJobDir() + "/tests/002-helper.sh/outputs/helper/guest/";
  EXPECT_THAT(ReadFile(guest + "qemu.cmdline"),
              HasSubstr(cache_ + "/proctor/kernels/"));
  EXPECT_THAT(ReadFile(guest + "console.log"),
              HasSubstr("proctor: guest ready"));
}

TEST_F(KernelTest, HelperGivenAFileThatIsNotAKernelIsAUsageError) {
  std::string notes = Script("notes.txt", "not a kernel\n", 0644);
  RunOutput r =
      RunBinary(Runfile("tools/virt/virt_run_timedrift"), {"--kernel=" + notes},
                {"PROCTOR_IMAGE=" + ImageDir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out + r.err, HasSubstr("--kernel=" + notes + ": not a kernel"));
}

TEST_F(KernelTest, ImageKernelIsJudgedByTheConfigTheImageShips) {
  // Debian's kernel has no /proc/config.gz; the image holds its
  // /boot/config-RELEASE, as a Debian system does.
  Script("virtio-net.sh",
         "#!/bin/sh\n# proctor: requires=config:CONFIG_VIRTIO_NET=m\n");
  Script("kunit.sh", "#!/bin/sh\n# proctor: requires=config:CONFIG_KUNIT\n");
  Script("no-9p.sh", "#!/bin/sh\n# proctor: requires=config:!CONFIG_9P_FS\n");
  RunOutput r = RunGuest({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  JobResult job = LatestJob();
  EXPECT_EQ(Find(job, "virtio-net.sh")->status(), PASS);
  EXPECT_EQ(Find(job, "kunit.sh")->reason(),
            "requires config:CONFIG_KUNIT: CONFIG_KUNIT is not set in the "
            "guest kernel (/boot/config-6.1.0-56-amd64)");
  EXPECT_EQ(Find(job, "no-9p.sh")->reason(),
            "requires config:!CONFIG_9P_FS: CONFIG_9P_FS=m in the guest "
            "kernel (/boot/config-6.1.0-56-amd64)");
}

TEST_F(KernelTest, ConfigThatCannotBeKnownSkipsSayingWhy) {
  // The modular kernel has no /proc/config.gz, and the image's
  // /boot/config-* is for another release.
  Script("kunit.sh", "#!/bin/sh\n# proctor: requires=config:CONFIG_KUNIT\n");
  RunOutput r = RunGuest({"--kernel=" + LoneKernel(ModularKernel()),
                          "--modules=" + ModularModules()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Find(LatestJob(), "kunit.sh")->status(), SKIPPED);
  EXPECT_EQ(Find(LatestJob(), "kunit.sh")->reason(),
            "requires config:CONFIG_KUNIT: the guest kernel's configuration "
            "cannot be known (no /proc/config.gz in the guest, no "
            "/boot/config-RELEASE for its release, no .config beside "
            "--kernel)");
}

TEST_F(KernelTest, MalformedConfigOptionIsAUsageError) {
  Script("typo.sh", "#!/bin/sh\n# proctor: requires=config:VIRTIO_NET\n");
  RunOutput r = RunGuest({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("typo.sh: requires config:VIRTIO_NET: "
                               "'VIRTIO_NET' is not a kernel option"));
}

TEST_F(KernelTest, FileThatIsNotAKernelIsAUsageError) {
  Script("t.sh", "#!/bin/sh\n");
  std::string notes = Script("notes.txt", "not a kernel\n", 0644);
  RunOutput r = RunGuest({"--kernel=" + notes});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a kernel: neither a bzImage"));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(KernelTest, KernelForAnotherArchitectureIsAUsageError) {
  Script("t.sh", "#!/bin/sh\n");
  // An arm64 kernel Image's header: its magic at 0x38.
  std::string image(0x1000, '\0');
  image.replace(0x38, 4, "ARM\x64");
  std::string path = results() + "-Image";
  std::ofstream(path, std::ios::binary) << image;
  RunOutput r = RunGuest({"--kernel=" + path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("a kernel for arm64, not x86_64"));
}

TEST_F(KernelTest, MissingDriversInTheConfigStopTheJobBeforeBoot) {
  Script("t.sh", "#!/bin/sh\n");
  std::string kernel =
      TreeWithConfig("CONFIG_VIRTIO_NET=y", "# CONFIG_VIRTIO_NET is not set");
  RunOutput r = RunGuest({"--kernel=" + kernel});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("the kernel lacks what the guest needs"));
  EXPECT_THAT(r.err, HasSubstr("CONFIG_VIRTIO_NET"));
  // Said before any boot: no console was written.
  EXPECT_FALSE(fs::exists(LatestJobDir() + "/vm/console.log"));
}

TEST_F(KernelTest, MissingDriverFoundDuringBootIsNamedAtOnce) {
  Script("t.sh", "#!/bin/sh\n");
  // No .config to check before: the driver's initcall is switched off, so
  // the kernel boots without a network card and the guest's init says so.
  RunOutput r = RunGuest({"--kernel=" + LoneKernel(),
                          "--append=initcall_blacklist=virtio_net_driver_init",
                          "--boot-timeout=100s"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("proctor: the guest kernel lacks: "
                               "CONFIG_VIRTIO_PCI CONFIG_VIRTIO_NET"));
  EXPECT_THAT(r.err, HasSubstr("QEMU exited before the guest answered SSH"));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(KernelTest, KernelThatPanicsAtBootQuotesThePanic) {
  Script("t.sh", "#!/bin/sh\n");
  // busybox run as init prints its help and exits: init has died.
  RunOutput r =
      RunGuest({"--kernel=" + TreeKernel(), "--append=rdinit=/bin/busybox"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("Kernel panic - not syncing: Attempted to kill "
                               "init!"));
  EXPECT_TRUE(Leftovers().empty());
}

// `proctor kunit`: the kernel's KUnit suites (tests/kernel/kunit.config
// and proctor's own, tests/kernel/proctor_kunit_test.c) as results.
class KunitTest : public KernelTest {
 protected:
  RunOutput Kunit(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"kunit", "--results-dir=" + results(),
                                     "--sysinfo=off"};
    args.insert(args.end(), flags.begin(), flags.end());
    return Run(args, {"XDG_CACHE_HOME=" + cache_});
  }
  // The top-level point (a suite) named `suite` of the kunit test.
  std::optional<TapPoint> Suite(const std::string& suite) {
    std::optional<TestResult> t = Find(LatestJob(), "kunit");
    if (!t) return std::nullopt;
    for (const TapPoint& p : t->tap_points()) {
      if (p.description() == suite || p.subtest_name() == suite) return p;
    }
    return std::nullopt;
  }
};

TEST_F(KunitTest, SuitesAndCasesBecomeResults) {
  RunOutput r = Kunit({"--kernel=" + TreeKernel()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("kunit -- PASS"));
  std::optional<TapPoint> proctor = Suite("proctor");
  ASSERT_TRUE(proctor.has_value());
  EXPECT_TRUE(proctor->ok());
  ASSERT_EQ(proctor->subtest_size(), 5);
  EXPECT_EQ(proctor->subtest(0).description(), "proctor_passes");
  EXPECT_EQ(proctor->subtest(1).description(), "proctor_skips");
  EXPECT_EQ(proctor->subtest(1).directive(), "SKIP");
  EXPECT_TRUE(Suite("example").has_value());
  EXPECT_TRUE(Suite("list-kunit-test").has_value());
  // Every case is a JUnit test case, and in the TAP report.
  std::string xml = ReadFile(LatestJobDir() + "/results.xml");
  EXPECT_THAT(xml, HasSubstr("proctor_passes"));
  EXPECT_THAT(xml, HasSubstr("example_simple_test"));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/results.tap"),
              HasSubstr("proctor_skips # SKIP"));
  std::string outputs = LatestJobDir() + "/tests/001-kunit/outputs/";
  EXPECT_THAT(ReadFile(outputs + "kernel"),
              HasSubstr(absl::StrCat("release: ", kRelease)));
  EXPECT_THAT(ReadFile(outputs + "console.log"), HasSubstr("KTAP version 1"));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(KunitTest, FilterRunsTheSuitesItNames) {
  RunOutput r = Kunit({"--kernel=" + TreeKernel(), "--kunit-filter=example"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::optional<TestResult> t = Find(LatestJob(), "kunit");
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->tap_points_size(), 1);
  EXPECT_EQ(t->tap_points(0).description(), "example");
}

TEST_F(KunitTest, FailingCaseFailsTheTestNamingTheSuite) {
  RunOutput r =
      Kunit({"--kernel=" + TreeKernel(), "--append=proctor_kunit_test.fail=1"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::optional<TestResult> t = Find(LatestJob(), "kunit");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_THAT(t->reason(), HasSubstr("proctor"));
  std::optional<TapPoint> proctor = Suite("proctor");
  ASSERT_TRUE(proctor.has_value());
  EXPECT_FALSE(proctor->ok());
  ASSERT_GE(proctor->subtest_size(), 3);
  EXPECT_FALSE(proctor->subtest(2).ok());
  EXPECT_EQ(proctor->subtest(2).description(), "proctor_fails");
}

TEST_F(KunitTest, KernelCrashIsAnErrorNamingTheSuite) {
  RunOutput r = Kunit(
      {"--kernel=" + TreeKernel(), "--append=proctor_kunit_test.crash=1"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::optional<TestResult> t = Find(LatestJob(), "kunit");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), ERROR);
  EXPECT_THAT(t->reason(),
              HasSubstr("the kernel crashed during suite proctor: Kernel "
                        "panic - not syncing: proctor_kunit_test: the crash "
                        "asked for"));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(KunitTest, KernelHangIsAnErrorNamingTheSuite) {
  RunOutput r =
      Kunit({"--kernel=" + TreeKernel(), "--append=proctor_kunit_test.hang=1",
             "--hang-after=5s"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::optional<TestResult> t = Find(LatestJob(), "kunit");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), ERROR);
  EXPECT_THAT(t->reason(),
              HasSubstr("the kernel printed nothing for 5s during suite "
                        "proctor (hung?)"));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(KunitTest, KernelWithoutKunitIsAnErrorSayingSo) {
  // The image's Debian kernel has no KUnit: it boots, finds no root file
  // system and panics.
  RunOutput r = Kunit({"--kernel=" + ImageDir() + "/vmlinux"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::optional<TestResult> t = Find(LatestJob(), "kunit");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), ERROR);
  EXPECT_THAT(t->reason(), HasSubstr("the kernel printed no KTAP: it needs "
                                     "CONFIG_KUNIT=y"));
}

TEST_F(KunitTest, FileThatIsNotAKernelIsAUsageError) {
  std::string notes = Script("notes.txt", "text\n", 0644);
  RunOutput r = Kunit({"--kernel=" + notes});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a kernel"));
}

TEST_F(KunitTest, NoKernelIsAUsageError) {
  RunOutput r = Kunit({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("proctor kunit: no kernel"));
}

}  // namespace
}  // namespace proctor::testing
