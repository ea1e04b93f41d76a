#include "container/rootfs.h"

#include <cstdlib>

#include "container/elf_deps.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor::container {
namespace {

using ::testing::Contains;
using ::testing::Not;

std::string Deb(const std::string& name) {
  return std::string(getenv("TEST_SRCDIR")) + "/debian/debs/" + name +
         "_amd64.deb";
}

TEST(PackagePoolTest, PicksABinaryWithItsInterpreterAndLibraries) {
  images::ArchiveTree tree;
  PackagePool pool;
  ASSERT_TRUE(pool.Index({Deb("bash"), Deb("libc6"), Deb("libtinfo6")}).ok());
  absl::Status s = pool.Pick({"bin/bash"}, {}, &tree);
  ASSERT_TRUE(s.ok()) << s;
  const std::set<std::string>& p = pool.picked();
  EXPECT_THAT(p, Contains("bin/bash"));
  EXPECT_THAT(p, Contains("lib/x86_64-linux-gnu/libtinfo.so.6"));
  EXPECT_THAT(p, Contains("lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_THAT(p, Contains("lib64/ld-linux-x86-64.so.2"));
  // What nothing asks for stays out.
  EXPECT_THAT(p, Not(Contains("usr/share/doc/bash/copyright")));
  EXPECT_THAT(p, Not(Contains("lib/x86_64-linux-gnu/libm.so.6")));
  absl::StatusOr<ElfDeps> deps = ReadElfDeps(*tree.Content("bin/bash"));
  ASSERT_TRUE(deps.ok());
  EXPECT_EQ(deps->interpreter, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_THAT(deps->needed, Contains("libtinfo.so.6"));
}

TEST(PackagePoolTest, MissingLibraryNamesItAndWhoNeedsIt) {
  images::ArchiveTree tree;
  PackagePool pool;
  ASSERT_TRUE(pool.Index({Deb("bash"), Deb("libc6")}).ok());
  absl::Status s = pool.Pick({"bin/bash"}, {}, &tree);
  EXPECT_TRUE(absl::IsNotFound(s));
  EXPECT_EQ(s.message(),
            "/bin/bash needs libtinfo.so.6, which no package holds");
}

TEST(PackagePoolTest, DirectoryRootTakesTheTreeButNotExcludes) {
  images::ArchiveTree tree;
  PackagePool pool;
  ASSERT_TRUE(pool.Index({Deb("bash"), Deb("libc6"), Deb("libtinfo6")}).ok());
  ASSERT_TRUE(pool.Pick({"usr/share/"}, {"usr/share/doc"}, &tree).ok());
  for (const std::string& path : pool.picked()) {
    EXPECT_EQ(path.rfind("usr/share/doc/", 0), std::string::npos) << path;
  }
  EXPECT_GT(pool.picked().size(), 10u);
}

TEST(PackagePoolTest, UnknownRootIsAnError) {
  images::ArchiveTree tree;
  PackagePool pool;
  ASSERT_TRUE(pool.Index({Deb("bash")}).ok());
  absl::Status s = pool.Pick({"usr/bin/nope"}, {}, &tree);
  EXPECT_EQ(s.message(),
            "no package holds /usr/bin/nope (needed by asked for)");
}

}  // namespace
}  // namespace proctor::container
