#include "runner/plan/discovery.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/test_dir.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;
namespace fs = std::filesystem;

class DiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = FreshTestDir(); }
  void File(const std::string& name, int mode = 0755) {
    std::string path = root_ + "/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << "#!/bin/sh\n";
    chmod(path.c_str(), mode);
  }
  std::vector<std::string> Names(const DiscoveryOptions& options = {}) {
    absl::StatusOr<std::vector<TestSpec>> specs = Discover({root_}, options);
    if (!specs.ok()) {
      ADD_FAILURE() << specs.status();
      return {};
    }
    std::vector<std::string> names;
    for (const TestSpec& s : *specs) names.push_back(s.name);
    return names;
  }
  std::string root_;
};

TEST_F(DiscoveryTest, WalksRecursivelyInByteOrder) {
  File("b.sh");
  File("B.sh");
  File("a/z.sh");
  File("a/b/c.sh");
  EXPECT_THAT(Names(), ElementsAre("B.sh", "a/b/c.sh", "a/z.sh", "b.sh"));
}

TEST_F(DiscoveryTest, SkipsHiddenEntriesAndNonExecutableFiles) {
  File(".hidden.sh");
  File(".git/hook.sh");
  File("readme.txt", 0644);
  File("t.sh");
  EXPECT_THAT(Names(), ElementsAre("t.sh"));
}

TEST_F(DiscoveryTest, SkipsTheDataDirectory) {
  File("data/helper.sh");
  File("t.sh");
  DiscoveryOptions options;
  options.skip_dir = root_ + "/data";
  EXPECT_THAT(Names(options), ElementsAre("t.sh"));
}

TEST_F(DiscoveryTest, DoesNotEnterSymlinkedDirectories) {
  File("real/t.sh");
  fs::create_directory_symlink(root_ + "/real", root_ + "/loop");
  EXPECT_THAT(Names(), ElementsAre("real/t.sh"));
}

TEST_F(DiscoveryTest, ReadsMetadataAndRecordsItsErrors) {
  File("t.sh");
  std::ofstream(root_ + "/t.sh") << "#!/bin/sh\n# proctor: tags=x where=host\n";
  File("bad.sh");
  std::ofstream(root_ + "/bad.sh") << "#!/bin/sh\n# proctor: where=mars\n";
  absl::StatusOr<std::vector<TestSpec>> specs = Discover({root_}, {});
  ASSERT_TRUE(specs.ok());
  EXPECT_THAT((*specs)[0].error, ::testing::HasSubstr("bad where 'mars'"));
  EXPECT_THAT((*specs)[1].metadata.tags, ElementsAre("x"));
}

TEST_F(DiscoveryTest, MissingPathIsAnError) {
  absl::StatusOr<std::vector<TestSpec>> specs = Discover({root_ + "/nope"}, {});
  EXPECT_EQ(specs.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace proctor
