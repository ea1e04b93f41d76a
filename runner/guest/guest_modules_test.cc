#include "runner/guest/guest_modules.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// As depmod writes it: every module a module needs, the deepest last.
constexpr char kModulesDep[] =
    "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_ring.ko "
    "kernel/drivers/virtio/virtio.ko\n"
    "kernel/drivers/virtio/virtio_ring.ko: kernel/drivers/virtio/virtio.ko\n"
    "kernel/drivers/virtio/virtio.ko:\n"
    "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
    "kernel/net/core/failover.ko kernel/drivers/virtio/virtio_ring.ko "
    "kernel/drivers/virtio/virtio.ko\n"
    "kernel/net/9p/9pnet.ko:\n"
    "kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko "
    "kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko\n";

TEST(ModulesToLoadTest, DependenciesComeFirstAndOnlyOnce) {
  EXPECT_THAT(
      ModulesToLoad(kModulesDep, {"virtio_pci", "virtio-net", "9pnet_virtio",
                                  "9p"}),
      ElementsAre("kernel/drivers/virtio/virtio.ko",
                  "kernel/drivers/virtio/virtio_ring.ko",
                  "kernel/drivers/virtio/virtio_pci.ko",
                  "kernel/net/core/failover.ko",
                  "kernel/drivers/net/net_failover.ko",
                  "kernel/drivers/net/virtio_net.ko", "kernel/net/9p/9pnet.ko",
                  "kernel/net/9p/9pnet_virtio.ko"));
}

TEST(ModulesToLoadTest, ModulesNotInTheTreeAreBuiltIn) {
  EXPECT_TRUE(ModulesToLoad(kModulesDep, {"virtio_blk"}).empty());
}

class GuestModulesTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(getenv("TEST_TMPDIR")) /
            testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(root_);
  }
  // A modules_install tree for `release` under DIR.
  std::string Tree(const std::string& release) {
    fs::path rel = root_ / "mods" / "lib" / "modules" / release;
    fs::create_directories(rel / "kernel/drivers/virtio");
    std::ofstream(rel / "modules.dep")
        << "kernel/drivers/virtio/virtio_pci.ko: "
           "kernel/drivers/virtio/virtio.ko\n"
           "kernel/drivers/virtio/virtio.ko:\n";
    std::ofstream(rel / "kernel/drivers/virtio/virtio_pci.ko") << "ko one";
    // A symlink, as in Bazel's runfiles: its content goes in, at its name.
    std::ofstream(root_ / "elsewhere.ko") << "ko two";
    fs::create_symlink(root_ / "elsewhere.ko",
                       rel / "kernel/drivers/virtio/virtio.ko");
    return (root_ / "mods").string();
  }
  fs::path root_;
};

TEST_F(GuestModulesTest, FindsTheReleaseUnderLibModules) {
  std::string dir = Tree("6.1.192");
  absl::StatusOr<std::string> d = ModulesDirFor(dir, "6.1.192");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, dir + "/lib/modules/6.1.192");
  absl::StatusOr<std::string> same = ModulesDirFor(*d, "6.1.192");
  ASSERT_TRUE(same.ok()) << same.status();
}

TEST_F(GuestModulesTest, ModulesForAnotherReleaseNameBoth) {
  std::string dir = Tree("6.1.0-9-amd64");
  absl::StatusOr<std::string> d = ModulesDirFor(dir, "6.1.192");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(d.status()));
  EXPECT_THAT(d.status().message(),
              HasSubstr("modules for 6.1.0-9-amd64, not for the kernel's "
                        "6.1.192"));
}

TEST_F(GuestModulesTest, DirectoryWithoutModulesSaysWhatToGive) {
  absl::StatusOr<std::string> d = ModulesDirFor(root_.string(), "6.1.192");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("no lib/modules/ in it"));
}

TEST_F(GuestModulesTest, InitramfsIsTheImagesFollowedByTheModules) {
  std::string dir = Tree("6.1.192");
  std::string image = (root_ / "initramfs").string();
  std::ofstream(image) << std::string(512, 'i');
  std::string cache = (root_ / "cache").string();
  absl::StatusOr<std::string> out =
      ModulesInitramfs(dir, "6.1.192", image, cache);
  ASSERT_TRUE(out.ok()) << out.status();
  std::ifstream in(*out, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 512u);
  EXPECT_EQ(bytes.substr(0, 512), std::string(512, 'i'));
  // The second archive, read back.
  std::string cpio = bytes.substr(512);
  archive* a = archive_read_new();
  archive_read_support_format_cpio(a);
  ASSERT_EQ(archive_read_open_memory(a, cpio.data(), cpio.size()), ARCHIVE_OK);
  std::map<std::string, std::string> files;
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
    if (!data.empty()) archive_read_data(a, data.data(), data.size());
    files[archive_entry_pathname(e)] = data;
    EXPECT_EQ(archive_entry_mtime(e), 0);
  }
  archive_read_free(a);
  EXPECT_EQ(files["etc/proctor/modules.load"],
            "lib/modules/6.1.192/kernel/drivers/virtio/virtio.ko\n"
            "lib/modules/6.1.192/kernel/drivers/virtio/virtio_pci.ko\n");
  EXPECT_EQ(files["lib/modules/6.1.192/kernel/drivers/virtio/virtio.ko"],
            "ko two");
  EXPECT_EQ(files.count("lib/modules/6.1.192/modules.dep"), 1u);
  // The same content is the same file.
  absl::StatusOr<std::string> again =
      ModulesInitramfs(dir, "6.1.192", image, cache);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *out);
}

TEST_F(GuestModulesTest, CompressedDriverIsRefused) {
  fs::path rel = root_ / "z" / "lib/modules/6.1.192";
  fs::create_directories(rel);
  std::ofstream(rel / "modules.dep") << "kernel/fs/9p/9p.ko.xz:\n";
  std::string image = (root_ / "initramfs").string();
  std::ofstream(image) << "i";
  absl::StatusOr<std::string> out = ModulesInitramfs(
      (root_ / "z").string(), "6.1.192", image, (root_ / "c").string());
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("9p.ko.xz is compressed"));
}

}  // namespace
}  // namespace proctor
