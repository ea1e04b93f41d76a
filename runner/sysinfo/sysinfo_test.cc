#include "runner/sysinfo/sysinfo.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;

TEST(SysinfoConfigTest, DefaultConfigParses) {
  absl::StatusOr<std::vector<SysinfoEntry>> e = LoadSysinfoConfig("");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_GT(e->size(), 15u);
}

TEST(SysinfoConfigTest, CommandsAndFilesGetFileNames) {
  absl::StatusOr<std::vector<SysinfoEntry>> e = ParseSysinfoConfig(
      "# comment\n\ncommand timeout=3 lspci -vvnn\nfile /proc/cpuinfo\n");
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 2u);
  EXPECT_THAT((*e)[0].argv, ElementsAre("lspci", "-vvnn"));
  EXPECT_EQ((*e)[0].timeout, absl::Seconds(3));
  EXPECT_EQ((*e)[0].output_name, "lspci_-vvnn");
  EXPECT_TRUE((*e)[1].is_file);
  EXPECT_EQ((*e)[1].output_name, "proc_cpuinfo");
}

TEST(SysinfoConfigTest, BadLinesAreErrorsWithTheLineNumber) {
  absl::StatusOr<std::vector<SysinfoEntry>> e =
      ParseSysinfoConfig("command ls\nrun ls\n");
  EXPECT_THAT(e.status().message(), ::testing::HasSubstr("line 2"));
  EXPECT_FALSE(ParseSysinfoConfig("file\n").ok());
  EXPECT_FALSE(ParseSysinfoConfig("command timeout=x ls\n").ok());
}

TEST(SysinfoCollectTest, AMissingCommandIsAProblemUnlessIfInstalled) {
  absl::StatusOr<std::vector<SysinfoEntry>> e = ParseSysinfoConfig(
      "command if-installed no-such-compiler-xyz --version\n"
      "command timeout=5 if-installed echo here\n"
      "command no-such-tool-xyz\n");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE((*e)[0].if_installed);
  EXPECT_EQ((*e)[1].timeout, absl::Seconds(5));
  std::string dir = std::string(getenv("TEST_TMPDIR")) + "/if-installed";
  std::vector<std::string> problems = CollectSysinfo(*e, dir, "/usr/bin:/bin");
  EXPECT_THAT(problems, ElementsAre("no-such-tool-xyz: command not found"));
  EXPECT_FALSE(
      std::filesystem::exists(dir + "/no-such-compiler-xyz_--version"));
  std::ifstream here(dir + "/echo_here");
  std::string line;
  std::getline(here, line);
  EXPECT_EQ(line, "here");
}

TEST(DmesgDiffTest, KeepsOnlyNewLines) {
  std::string dir = std::string(getenv("TEST_TMPDIR")) + "/dmesg";
  std::filesystem::create_directories(dir + "/pre");
  std::filesystem::create_directories(dir + "/post");
  std::ofstream(dir + "/pre/dmesg") << "[1] a\n[2] b\n";
  std::ofstream(dir + "/post/dmesg") << "[1] a\n[2] b\n[3] c\n[4] d\n";
  ASSERT_TRUE(WriteDmesgDiff(dir + "/pre", dir + "/post", dir + "/diff").ok());
  std::ifstream in(dir + "/diff");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "+[3] c\n+[4] d\n");
}

}  // namespace
}  // namespace proctor
