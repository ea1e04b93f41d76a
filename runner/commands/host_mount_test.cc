#include "runner/commands/host_mount.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

using ::testing::HasSubstr;

// Lines as podman's containers show them.
constexpr char kRoot[] =
    "1070 1001 0:77 / / rw,relatime - overlay overlay rw\n";
constexpr char kBind[] =
    "1080 1070 8:1 /home/me/results /results rw,relatime - ext4 /dev/sda1 "
    "rw\n";
constexpr char kAnonymous[] =
    "1081 1070 8:1 /var/lib/containers/storage/volumes/"
    "3f2a0c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819/_data "
    "/results rw,relatime - ext4 /dev/sda1 rw\n";
constexpr char kNamed[] =
    "1082 1070 8:1 /var/lib/docker/volumes/ci-results/_data /results "
    "rw,relatime - ext4 /dev/sda1 rw\n";

TEST(HostMountTest, BindMountedHostDirectoryIsAccepted) {
  EXPECT_TRUE(CheckHostMount("/results", std::string(kRoot) + kBind).ok());
}

TEST(HostMountTest, NamedVolumeIsAccepted) {
  EXPECT_TRUE(CheckHostMount("/results", std::string(kRoot) + kNamed).ok());
}

TEST(HostMountTest, AnonymousVolumeIsRefusedWithWhatToDo) {
  absl::Status s = CheckHostMount("/results", std::string(kRoot) + kAnonymous);
  EXPECT_TRUE(absl::IsFailedPrecondition(s));
  EXPECT_THAT(s.message(), HasSubstr("anonymous volume"));
  EXPECT_THAT(s.message(), HasSubstr("-v \"$PWD/results:/results\""));
}

TEST(HostMountTest, UnmountedDirectoryIsRefused) {
  absl::Status s = CheckHostMount("/results", kRoot);
  EXPECT_THAT(s.message(), HasSubstr("/results is not mounted"));
}

// GitLab's executors mount the project directory; the results are inside.
TEST(HostMountTest, ADirectoryInsideAMountedProjectIsAccepted) {
  std::string project =
      "1090 1070 8:1 /var/lib/docker/volumes/runner-x-project-1/_data "
      "/builds/group/project rw,relatime - ext4 /dev/sda1 rw\n";
  EXPECT_TRUE(CheckHostMount("/builds/group/project/results",
                             std::string(kRoot) + project)
                  .ok());
  // Not its sibling with a longer name.
  EXPECT_FALSE(CheckHostMount("/builds/group/project2/results",
                              std::string(kRoot) + project)
                   .ok());
}

TEST(HostMountTest, ADirectoryInsideAnAnonymousVolumeIsRefused) {
  absl::Status s =
      CheckHostMount("/results/sub", std::string(kRoot) + kAnonymous);
  EXPECT_THAT(s.message(), HasSubstr("/results/sub is on /results, which is "
                                     "an anonymous volume"));
}

TEST(HostMountTest, ADirectoryOnTheContainersRootIsRefused) {
  absl::Status s = CheckHostMount("/tmp/results", std::string(kRoot) + kBind);
  EXPECT_THAT(s.message(), HasSubstr("/tmp/results is not mounted"));
}

TEST(HostMountTest, TheLastMountOnAPathCounts) {
  EXPECT_TRUE(
      CheckHostMount("/results", std::string(kRoot) + kAnonymous + kBind).ok());
}

}  // namespace
}  // namespace proctor
