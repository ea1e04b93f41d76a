#include "runner/base/private_dir.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runner/base/read_file.h"

namespace proctor {
namespace {

namespace fs = std::filesystem;

// A prefix of this test process alone, so that runs side by side do not
// sweep each other's directories.
std::string Prefix() { return absl::StrCat("proctor-pdtest", getpid()); }

// The pid of a process that has exited and been reaped.
pid_t DeadPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

// /tmp/PREFIX-NAME (NAME six characters) with `owner` as its owner file,
// or none if `owner` is empty.
std::string Dir(const std::string& name, const std::string& owner) {
  std::string path = absl::StrCat("/tmp/", Prefix(), "-", name);
  fs::create_directories(path);
  if (!owner.empty()) std::ofstream(path + "/.owner") << owner;
  return path;
}

std::string NamespaceOf(const std::string& owner) {
  return owner.substr(owner.find(' ') + 1);
}

class PrivateDirTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& e : fs::directory_iterator("/tmp")) {
      if (e.path().filename().string().rfind(Prefix() + "-", 0) == 0) {
        fs::remove_all(e.path());
      }
    }
  }
};

TEST_F(PrivateDirTest, MadeDirectoryIsPrivateAndNamesItsOwner) {
  absl::StatusOr<std::string> dir = MakePrivateDir(Prefix());
  ASSERT_TRUE(dir.ok()) << dir.status();
  struct stat st;
  ASSERT_EQ(stat(dir->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(*ReadFile(*dir + "/.owner"), PrivateDirOwner());
  EXPECT_EQ(PrivateDirOwner().rfind(absl::StrCat(getpid(), " pid:["), 0), 0u);
}

TEST_F(PrivateDirTest, DirectoryOfADeadOwnerIsRemovedByTheNextOne) {
  std::string ns = NamespaceOf(PrivateDirOwner());
  std::string dead = Dir("dead01", absl::StrCat(DeadPid(), " ", ns));
  std::ofstream(dead + "/ram") << "left by a killed job";
  ASSERT_TRUE(MakePrivateDir(Prefix()).ok());
  EXPECT_FALSE(fs::exists(dead));
}

TEST_F(PrivateDirTest, AnotherRootIsSweptAndUsedLikeTmp) {
  std::string root = getenv("TEST_TMPDIR");
  std::string ns = NamespaceOf(PrivateDirOwner());
  std::string dead = absl::StrCat(root, "/", Prefix(), "-dead02");
  fs::create_directories(dead);
  std::ofstream(dead + "/.owner") << DeadPid() << " " << ns;
  absl::StatusOr<std::string> dir = MakePrivateDir(Prefix(), root);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(dir->rfind(absl::StrCat(root, "/", Prefix(), "-"), 0), 0u);
  EXPECT_FALSE(fs::exists(dead));
}

TEST_F(PrivateDirTest, LiveOwnersAndUnownedDirectoriesAreKept) {
  std::string ns = NamespaceOf(PrivateDirOwner());
  std::string live = Dir("live01", PrivateDirOwner());
  std::string unowned = Dir("none01", "");
  // A pid that is dead here may live in another pid namespace.
  std::string elsewhere = Dir("else01", absl::StrCat(DeadPid(), " pid:[1]\n"));
  // Not PREFIX-XXXXXX: another prefix that starts with this one.
  std::string longer = Dir("dead01-x", absl::StrCat(DeadPid(), " ", ns));
  ASSERT_TRUE(MakePrivateDir(Prefix()).ok());
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(unowned));
  EXPECT_TRUE(fs::exists(elsewhere));
  EXPECT_TRUE(fs::exists(longer));
}

}  // namespace
}  // namespace proctor
