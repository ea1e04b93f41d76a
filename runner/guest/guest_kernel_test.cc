#include "runner/guest/guest_kernel.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace proctor {

extern const char kGuestKernelConfig[];
extern const char kGuestKernelModulesConfig[];

namespace {

namespace fs = std::filesystem;

// A bzImage header whose payload is not a compressed kernel: it inspects
// as a kernel and boots as it is.
std::string BzImageHeader() {
  std::string image(0x400, '\0');
  image[0x1f1] = 1;
  image.replace(0x202, 4, "HdrS");
  image[0x206] = 0x0f;  // boot protocol 2.15
  image[0x207] = 0x02;
  image[0x236] = 1;     // XLF_KERNEL_64
  image[0x20e] = 0x00;  // kernel_version at 0x200 + 0x100
  image[0x20f] = 0x01;
  image.replace(0x300, 8, std::string("6.1.99 \0", 8));
  image[0x248] = 0x10;  // payload_offset
  image[0x24c] = 0x20;  // payload_length
  return image + std::string(0x100, 'p');
}

std::string FullConfig() {
  return std::string(kGuestKernelConfig) + kGuestKernelModulesConfig;
}

class GuestKernelTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(getenv("TEST_TMPDIR")) /
            testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(root_ / "arch/x86/boot");
    cache_ = (root_ / "cache").string();
  }
  std::string Write(const std::string& relative, const std::string& bytes) {
    fs::path p = root_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

  fs::path root_;
  std::string cache_;
};

TEST_F(GuestKernelTest, FindsTheBuildTreesConfigAboveABzImage) {
  std::string kernel = Write("arch/x86/boot/bzImage", BzImageHeader());
  Write(".config", FullConfig());
  absl::StatusOr<GuestKernel> k = PrepareKernel(kernel, false, cache_);
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->config_path, (root_ / ".config").string());
  ASSERT_TRUE(k->config.has_value());
  EXPECT_EQ(k->file.release(), "6.1.99");
  // Its payload does not unpack: the bzImage boots as it is, and says why.
  EXPECT_EQ(k->boot_path, kernel);
  EXPECT_NE(k->as_given_because.find("did not unpack"), std::string::npos);
}

TEST_F(GuestKernelTest, FindsConfigBesideABootStyleVmlinuz) {
  std::string kernel = Write("boot/vmlinuz-6.1.99-custom", BzImageHeader());
  Write("boot/config-6.1.99-custom", FullConfig());
  absl::StatusOr<GuestKernel> k = PrepareKernel(kernel, false, cache_);
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->config_path, (root_ / "boot/config-6.1.99-custom").string());
}

TEST_F(GuestKernelTest, KernelWithoutConfigIsBootedUnchecked) {
  std::string kernel = Write("k/bzImage", BzImageHeader());
  absl::StatusOr<GuestKernel> k = PrepareKernel(kernel, false, cache_);
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->config_path, "");
  EXPECT_FALSE(k->config.has_value());
  EXPECT_NE(k->Describe().find("config: none found"), std::string::npos);
}

TEST_F(GuestKernelTest, MissingDriversAreAllNamedBeforeBoot) {
  std::string kernel = Write("arch/x86/boot/bzImage", BzImageHeader());
  std::string config = absl::StrReplaceAll(
      FullConfig(), {{"CONFIG_VIRTIO_NET=y", "# CONFIG_VIRTIO_NET is not set"},
                     {"CONFIG_DEVTMPFS=y", ""}});
  Write(".config", config);
  absl::StatusOr<GuestKernel> k = PrepareKernel(kernel, false, cache_);
  ASSERT_FALSE(k.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(k.status())) << k.status();
  EXPECT_NE(k.status().message().find(
                "the kernel lacks what the guest needs"),
            std::string::npos);
  EXPECT_NE(k.status().message().find("CONFIG_DEVTMPFS"), std::string::npos);
  EXPECT_NE(k.status().message().find("CONFIG_VIRTIO_NET"), std::string::npos);
}

TEST_F(GuestKernelTest, ModularDriversNeedModules) {
  std::string config = absl::StrReplaceAll(
      FullConfig(), {{"CONFIG_9P_FS=y", "CONFIG_9P_FS=m"}});
  KernelConfig c = KernelConfig::Parse(config);
  EXPECT_EQ(MissingGuestOptions(c, /*modules=*/false),
            std::vector<std::string>{"CONFIG_9P_FS (=m, and no --modules)"});
  EXPECT_TRUE(MissingGuestOptions(c, /*modules=*/true).empty());
}

TEST_F(GuestKernelTest, CoreOptionsMustBeBuiltInEvenWithModules) {
  std::string config = absl::StrReplaceAll(
      FullConfig(), {{"CONFIG_DEVTMPFS=y", "CONFIG_DEVTMPFS=m"}});
  EXPECT_EQ(MissingGuestOptions(KernelConfig::Parse(config), true),
            std::vector<std::string>{
                "CONFIG_DEVTMPFS (=m: the guest needs it built in)"});
}

TEST_F(GuestKernelTest, FileThatIsNotAKernelIsAUsageError) {
  std::string kernel = Write("notes.txt", "just some text\n");
  absl::StatusOr<GuestKernel> k = PrepareKernel(kernel, false, cache_);
  ASSERT_FALSE(k.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(k.status()));
  EXPECT_NE(k.status().message().find("not a kernel"), std::string::npos);
}

TEST_F(GuestKernelTest, MissingFileIsAUsageError) {
  absl::StatusOr<GuestKernel> k =
      PrepareKernel((root_ / "nothing").string(), false, cache_);
  ASSERT_FALSE(k.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(k.status()));
}

}  // namespace
}  // namespace proctor
