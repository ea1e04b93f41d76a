#include "images/vmlinux.h"

#include <archive.h>
#include <archive_entry.h>

#include <vector>

#include "gtest/gtest.h"

namespace proctor::images {
namespace {

// An XZ stream of `payload`, written by libarchive's raw format.
std::string Xz(const std::string& payload) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  archive_write_add_filter_xz(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_write_header(a, e);
  archive_write_data(a, payload.data(), payload.size());
  archive_write_close(a);
  archive_entry_free(e);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

// A bzImage as the boot protocol lays it out: one setup sector after the
// boot sector, then the protected-mode code holding the payload.
std::string BzImage(const std::string& payload) {
  std::string image(1024, '\0');
  image[0x1f1] = 1;  // setup_sects
  image.replace(0x202, 4, "HdrS");
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) image[at + i] = static_cast<char>(v >> (8 * i));
  };
  put32(0x248, 100);  // payload_offset
  put32(0x24c, static_cast<uint32_t>(payload.size()));
  return image + std::string(100, '\x01') + payload + "trailing code";
}

TEST(ExtractVmlinuxTest, FindsAndUnpacksTheXzPayload) {
  std::string elf = std::string(
                        "\x7f"
                        "ELF",
                        4) +
                    std::string(5000, 'k');
  std::string bzimage = BzImage(Xz(elf));
  absl::StatusOr<std::string> out = ExtractVmlinux(bzimage);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, elf);
}

TEST(ExtractVmlinuxTest, ImageWithoutXzPayloadIsAnError) {
  EXPECT_FALSE(ExtractVmlinux(std::string(4096, 'x')).ok());
}

TEST(ExtractVmlinuxTest, PayloadThatIsNotElfIsAnError) {
  absl::StatusOr<std::string> out = ExtractVmlinux(Xz("plain text"));
  EXPECT_FALSE(out.ok());
}

}  // namespace
}  // namespace proctor::images
