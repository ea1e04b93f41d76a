#include "vmm/kernel_image.h"

#include <archive.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "runner/base/test_compress.h"

namespace proctor::vmm {
namespace {

void Put(std::string* s, size_t at, uint64_t v, int bytes) {
  if (s->size() < at + bytes) s->resize(at + bytes, '\0');
  for (int i = 0; i < bytes; ++i)
    (*s)[at + i] = static_cast<char>(v >> (8 * i));
}

// A bzImage as the boot protocol lays it out: one setup sector after the
// boot sector, the version string in the setup, then the protected-mode
// code holding the payload. `xloadflags` 1 says it is a 64-bit kernel.
std::string BzImage(const std::string& payload, int xloadflags = 1) {
  std::string image(1024, '\0');
  image[0x1f1] = 1;  // setup_sects
  image.replace(0x202, 4, "HdrS");
  Put(&image, 0x206, 0x20f, 2);  // boot protocol 2.15
  Put(&image, 0x20e, 0x100, 2);  // kernel_version, from 0x200
  std::string version = "6.1.192 (proctor@proctor) #1 Thu Jan  1 1970";
  image.replace(0x300, version.size() + 1, version + '\0');
  Put(&image, 0x236, xloadflags, 2);
  Put(&image, 0x248, 100, 4);  // payload_offset
  Put(&image, 0x24c, payload.size(), 4);
  return image + std::string(100, '\x01') + payload + "trailing code";
}

// An ELF executable's header for `machine` (62: x86_64), 64-bit, with one
// PT_NOTE program header over `notes`, then `body`.
std::string Elf(uint16_t machine, const std::string& notes,
                const std::string& body) {
  std::string elf =
      "\x7f"
      "ELF";
  elf += '\x02';  // 64-bit
  elf += '\x01';  // little-endian
  elf.resize(0x40, '\0');
  Put(&elf, 0x10, 2, 2);  // ET_EXEC
  Put(&elf, 0x12, machine, 2);
  Put(&elf, 0x20, 0x40, 8);  // e_phoff
  Put(&elf, 0x36, 0x38, 2);  // e_phentsize
  Put(&elf, 0x38, 1, 2);     // e_phnum
  std::string ph(0x38, '\0');
  Put(&ph, 0, 4, 4);            // PT_NOTE
  Put(&ph, 8, 0x40 + 0x38, 8);  // p_offset
  Put(&ph, 0x20, notes.size(), 8);
  return elf + ph + notes + body;
}

// One ELF note.
std::string Note(const std::string& name, uint32_t type) {
  std::string n;
  Put(&n, 0, name.size() + 1, 4);
  Put(&n, 4, 4, 4);  // descsz
  Put(&n, 8, type, 4);
  n += name + '\0';
  n.resize((n.size() + 3) & ~size_t{3}, '\0');
  return n + std::string(4, '\x11');
}

const std::string kBanner = "Linux version 6.1.192 (proctor@proctor) #1\n";

// A kernel's payload as its build writes it: the stream, then the
// kernel's size (gzip's own trailer holds it already).
std::string KernelPayload(const std::string& elf, int filter) {
  std::string payload = Compressed(elf, filter);
  if (filter != ARCHIVE_FILTER_GZIP)
    Put(&payload, payload.size(), elf.size(), 4);
  return payload;
}

// Big enough that its stream outlasts libarchive's first reads: a payload
// cut at the size's 4 bytes once lost the end of the kernel.
std::string BigElf() {
  std::string body;
  for (int i = 0; i < 300000; ++i) body += std::to_string(i * 7919);
  return Elf(62, "", body);
}

TEST(ExtractVmlinuxTest, UnpacksAnXzPayloadWhole) {
  std::string elf = BigElf();
  absl::StatusOr<std::string> out =
      ExtractVmlinux(BzImage(KernelPayload(elf, ARCHIVE_FILTER_XZ)));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), elf.size());
  EXPECT_EQ(*out, elf);
}

TEST(ExtractVmlinuxTest, UnpacksAGzipPayload) {
  std::string elf = BigElf();
  absl::StatusOr<std::string> out =
      ExtractVmlinux(BzImage(KernelPayload(elf, ARCHIVE_FILTER_GZIP)));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, elf);
}

TEST(ExtractVmlinuxTest, UnpacksAZstdPayload) {
  std::string elf = BigElf();
  absl::StatusOr<std::string> out =
      ExtractVmlinux(BzImage(KernelPayload(elf, ARCHIVE_FILTER_ZSTD)));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, elf);
}

TEST(ExtractVmlinuxTest, PayloadShorterThanItsSizeSaysIsAnError) {
  std::string elf = BigElf();
  std::string payload = Compressed(elf, ARCHIVE_FILTER_XZ);
  Put(&payload, payload.size(), elf.size() + 10, 4);
  absl::StatusOr<std::string> out = ExtractVmlinux(BzImage(payload));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("not the"), std::string::npos);
}

TEST(ExtractVmlinuxTest, FileWithoutBootHeaderIsAnError) {
  absl::StatusOr<std::string> out = ExtractVmlinux(std::string(4096, 'x'));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("not a bzImage"), std::string::npos);
}

TEST(ExtractVmlinuxTest, PayloadThatIsNotElfIsAnError) {
  absl::StatusOr<std::string> out =
      ExtractVmlinux(BzImage(KernelPayload("plain text", ARCHIVE_FILTER_XZ)));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("did not decompress to an ELF"),
            std::string::npos);
}

TEST(InspectKernelTest, ReadsABzImagesVersionFromItsHeader) {
  absl::StatusOr<KernelFile> k = InspectKernel(BzImage("payload"));
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->kind, KernelFile::Kind::kBzImage);
  EXPECT_EQ(k->version, "6.1.192 (proctor@proctor) #1 Thu Jan  1 1970");
  EXPECT_EQ(k->release(), "6.1.192");
  EXPECT_FALSE(k->pvh);
}

TEST(InspectKernelTest, RefusesA32BitBzImage) {
  absl::StatusOr<KernelFile> k = InspectKernel(BzImage("payload", 0));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().message(),
            "a 32-bit x86 bzImage: not a 64-bit x86_64 kernel");
}

TEST(InspectKernelTest, FindsThePvhNoteOfAnElfKernel) {
  absl::StatusOr<KernelFile> k =
      InspectKernel(Elf(62, Note("GNU", 3) + Note("Xen", 18), kBanner));
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->kind, KernelFile::Kind::kElf);
  EXPECT_TRUE(k->pvh);
  EXPECT_EQ(k->release(), "6.1.192");
}

TEST(InspectKernelTest, ElfKernelWithoutThePvhNoteSaysSo) {
  absl::StatusOr<KernelFile> k =
      InspectKernel(Elf(62, Note("Xen", 17), kBanner));
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_FALSE(k->pvh);
}

TEST(InspectKernelTest, NamesTheArchitectureOfAnotherArchitecturesElf) {
  absl::StatusOr<KernelFile> k = InspectKernel(Elf(183, "", kBanner));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().message(), "a kernel for arm64, not x86_64");
}

TEST(InspectKernelTest, NamesAnArm64Image) {
  std::string image(0x1000, '\0');
  image.replace(0x38, 4, "ARM\x64");
  absl::StatusOr<KernelFile> k = InspectKernel(image);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().message(), "a kernel for arm64, not x86_64");
}

TEST(InspectKernelTest, ElfProgramWithoutLinuxBannerIsNotAKernel) {
  absl::StatusOr<KernelFile> k = InspectKernel(Elf(62, "", "int main()"));
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("not a kernel"), std::string::npos);
}

TEST(InspectKernelTest, TextFileIsNotAKernel) {
  absl::StatusOr<KernelFile> k = InspectKernel("#!/bin/sh\necho hi\n");
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("not a kernel"), std::string::npos);
}

// The image's own kernel, as the JeOS build unpacked it.
TEST(InspectKernelTest, TheJeosVmlinuxIsAPvhKernel) {
  std::ifstream in("images/jeos_minimal/vmlinux", std::ios::binary);
  ASSERT_TRUE(in.good());
  std::stringstream bytes;
  bytes << in.rdbuf();
  absl::StatusOr<KernelFile> k = InspectKernel(bytes.str());
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->kind, KernelFile::Kind::kElf);
  EXPECT_TRUE(k->pvh);
  EXPECT_EQ(k->release().substr(0, 4), "6.1.");
}

}  // namespace
}  // namespace proctor::vmm
