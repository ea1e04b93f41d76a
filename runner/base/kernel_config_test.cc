#include "runner/base/kernel_config.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "gtest/gtest.h"

namespace proctor {
namespace {

constexpr char kConfig[] =
    "#\n"
    "# Automatically generated file; DO NOT EDIT.\n"
    "#\n"
    "CONFIG_VIRTIO_NET=y\n"
    "CONFIG_9P_FS=m\n"
    "# CONFIG_KUNIT is not set\n"
    "CONFIG_HZ=250\n"
    "CONFIG_DEFAULT_HOSTNAME=\"(none)\"\n"
    "CONFIG_OLD=n\n";

ConfigRequirement Req(absl::string_view text) {
  absl::StatusOr<ConfigRequirement> r = ParseConfigRequirement(text);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : ConfigRequirement{};
}

TEST(KernelConfigTest, ReadsValuesAndTreatsCommentsAsNotSet) {
  KernelConfig c = KernelConfig::Parse(kConfig);
  EXPECT_EQ(c.Value("CONFIG_VIRTIO_NET"), "y");
  EXPECT_EQ(c.Value("CONFIG_9P_FS"), "m");
  EXPECT_EQ(c.Value("CONFIG_KUNIT"), "");
  EXPECT_EQ(c.Value("CONFIG_HZ"), "250");
  EXPECT_EQ(c.Value("CONFIG_DEFAULT_HOSTNAME"), "\"(none)\"");
  EXPECT_EQ(c.Value("CONFIG_OLD"), "");
  EXPECT_FALSE(c.empty());
}

TEST(KernelConfigTest, TextWithoutOptionsIsEmpty) {
  EXPECT_TRUE(KernelConfig::Parse("hello\nworld=1\n").empty());
}

TEST(ConfigRequirementTest, BareOptionWantsBuiltInOrModule) {
  KernelConfig c = KernelConfig::Parse(kConfig);
  EXPECT_EQ(Unmet(Req("CONFIG_VIRTIO_NET"), c), "");
  EXPECT_EQ(Unmet(Req("CONFIG_9P_FS"), c), "");
  EXPECT_EQ(Unmet(Req("CONFIG_KUNIT"), c), "CONFIG_KUNIT is not set");
}

TEST(ConfigRequirementTest, ValueMustMatch) {
  KernelConfig c = KernelConfig::Parse(kConfig);
  EXPECT_EQ(Unmet(Req("CONFIG_9P_FS=m"), c), "");
  EXPECT_EQ(Unmet(Req("CONFIG_9P_FS=y"), c), "CONFIG_9P_FS=m, not y");
  EXPECT_EQ(Unmet(Req("CONFIG_HZ=250"), c), "");
  EXPECT_EQ(Unmet(Req("CONFIG_HZ=1000"), c), "CONFIG_HZ=250, not 1000");
}

TEST(ConfigRequirementTest, NegationWantsTheOptionUnset) {
  KernelConfig c = KernelConfig::Parse(kConfig);
  EXPECT_EQ(Unmet(Req("!CONFIG_KUNIT"), c), "");
  EXPECT_EQ(Unmet(Req("!CONFIG_OLD"), c), "");
  EXPECT_EQ(Unmet(Req("!CONFIG_VIRTIO_NET"), c), "CONFIG_VIRTIO_NET=y");
}

TEST(ConfigRequirementTest, MalformedNamesAreRefused) {
  for (const char* bad : {"VIRTIO_NET", "CONFIG_", "CONFIG_FOO BAR",
                          "CONFIG_FOO-BAR", "CONFIG_FOO=", "!", ""}) {
    absl::StatusOr<ConfigRequirement> r = ParseConfigRequirement(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << bad;
  }
}

TEST(ConfigRequirementTest, ErrorNamesTheRequirementAndTheRule) {
  absl::StatusOr<ConfigRequirement> r = ParseConfigRequirement("VIRTIO_NET=y");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "requires config:VIRTIO_NET=y: 'VIRTIO_NET' is not a kernel "
            "option (CONFIG_ and then letters, digits, _)");
}

class ReadKernelConfigTest : public testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = std::string(getenv("TEST_TMPDIR")) + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
};

TEST_F(ReadKernelConfigTest, ReadsAPlainFile) {
  absl::StatusOr<KernelConfig> c = ReadKernelConfig(Write("plain", kConfig));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->Value("CONFIG_9P_FS"), "m");
}

TEST_F(ReadKernelConfigTest, ReadsAGzipFileAsProcConfigGzIs) {
  std::vector<char> buf(1 << 16);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  archive_write_add_filter_gzip(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_write_header(a, e);
  archive_write_data(a, kConfig, sizeof(kConfig) - 1);
  archive_write_close(a);
  archive_entry_free(e);
  archive_write_free(a);
  absl::StatusOr<KernelConfig> c =
      ReadKernelConfig(Write("config.gz", std::string(buf.data(), used)));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->Value("CONFIG_VIRTIO_NET"), "y");
}

TEST_F(ReadKernelConfigTest, FileWithoutOptionsIsAnError) {
  absl::StatusOr<KernelConfig> c = ReadKernelConfig(Write("text", "hello\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("not a kernel configuration"),
            std::string::npos);
}

TEST_F(ReadKernelConfigTest, MissingFileIsAnError) {
  EXPECT_FALSE(ReadKernelConfig("/nonexistent/.config").ok());
}

}  // namespace
}  // namespace proctor
