#include "runner/plan/kselftest.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/test_dir.h"
#include "runner/plan/discovery.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;
namespace fs = std::filesystem;

// An install as `make -C tools/testing/selftests install` lays it out.
class KselftestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = FreshTestDir();
    dir_ = root_ + "/kselftest";
    Write("run_kselftest.sh", "#!/bin/sh\n", 0755);
    Write("kselftest-list.txt",
          "size:get_size\nmincore:mincore_selftest\nsplice:a.sh\nsplice:b.sh\n");
    Write("size/get_size", "binary", 0755);
    Write("mincore/mincore_selftest", "binary", 0755);
    Write("splice/a.sh", "#!/bin/sh\n", 0755);
    Write("splice/settings", "# comment\ntimeout=5\n");
  }
  void Write(const std::string& name, const std::string& text, int mode = 0644) {
    std::string path = dir_ + "/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
    chmod(path.c_str(), mode);
  }
  std::vector<std::string> Names(const std::vector<TestSpec>& specs) {
    std::vector<std::string> names;
    for (const TestSpec& s : specs) names.push_back(s.name);
    return names;
  }
  std::string root_, dir_;
};

TEST_F(KselftestTest, EachCollectionIsATestInTheListsOrder) {
  absl::StatusOr<std::vector<TestSpec>> specs = KselftestSpecs(dir_, "");
  ASSERT_TRUE(specs.ok()) << specs.status();
  EXPECT_THAT(Names(*specs), ElementsAre("size", "mincore", "splice"));
  const TestSpec& splice = (*specs)[2];
  EXPECT_EQ(splice.path, dir_ + "/run_kselftest.sh");
  EXPECT_THAT(splice.args, ElementsAre("-c", "splice"));
  EXPECT_THAT(splice.run_in_copy_of,
              ElementsAre("run_kselftest.sh", "kselftest-list.txt", "kselftest",
                          "splice"));
  EXPECT_EQ(splice.metadata.format, OutputFormat::kTap);
}

TEST_F(KselftestTest, TimeoutIsTheSettingsTimesTheTestsPlusAMinute) {
  absl::StatusOr<std::vector<TestSpec>> specs = KselftestSpecs(dir_, "");
  ASSERT_TRUE(specs.ok()) << specs.status();
  EXPECT_EQ((*specs)[0].metadata.timeout, absl::Seconds(45 + 60));
  EXPECT_EQ((*specs)[2].metadata.timeout, absl::Seconds(2 * 5 + 60));
}

TEST_F(KselftestTest, DiscoveryGivesCollectionsNotTheirFiles) {
  std::ofstream(root_ + "/other.sh") << "#!/bin/sh\n";
  chmod((root_ + "/other.sh").c_str(), 0755);
  absl::StatusOr<std::vector<TestSpec>> specs = Discover({root_}, {});
  ASSERT_TRUE(specs.ok()) << specs.status();
  EXPECT_THAT(Names(*specs), ElementsAre("kselftest/size", "kselftest/mincore",
                                         "kselftest/splice", "other.sh"));
}

TEST_F(KselftestTest, TheListFileNamedOnTheCommandLineIsTheInstall) {
  absl::StatusOr<std::vector<TestSpec>> specs =
      Discover({dir_ + "/kselftest-list.txt"}, {});
  ASSERT_TRUE(specs.ok()) << specs.status();
  EXPECT_THAT(Names(*specs), ElementsAre("size", "mincore", "splice"));
}

TEST_F(KselftestTest, EmptyListIsAnError) {
  Write("kselftest-list.txt", "\n");
  EXPECT_FALSE(KselftestSpecs(dir_, "").ok());
}

TEST(KselftestTimeoutTest, DefaultIsKselftests) {
  EXPECT_EQ(KselftestTimeout(""), 45);
  EXPECT_EQ(KselftestTimeout("timeout=300\n"), 300);
  EXPECT_EQ(KselftestTimeout("timeout=abc\n"), 45);
}

}  // namespace
}  // namespace proctor
