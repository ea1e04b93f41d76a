// Packs a checked JeOS image (SHA256SUMS, initramfs, vmlinux) into one
// tarball, the form in which an image travels: `proctor run --image=FILE|URL
// --image-sha256=HEX` unpacks it into the content-addressed image cache.
// The tar is deterministic (archive_tree.h): same image, same bytes.
//
//   image_tar --out=jeos.tar DIR/SHA256SUMS DIR/initramfs DIR/vmlinux
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "images/archive_tree.h"

ABSL_FLAG(std::string, out, "", "the tarball to write");

int main(int argc, char** argv) {
  std::vector<char*> files = absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_out).empty() || files.size() < 2) {
    std::cerr << "usage: image_tar --out=FILE.tar FILE...\n";
    return 2;
  }
  proctor::images::ArchiveTree tree;
  for (size_t i = 1; i < files.size(); ++i) {
    std::ifstream in(files[i], std::ios::binary);
    if (!in) {
      std::cerr << "image_tar: cannot read " << files[i] << "\n";
      return 1;
    }
    std::ostringstream content;
    content << in.rdbuf();
    tree.AddFile(std::filesystem::path(files[i]).filename().string(),
                 content.str(), 0644);
  }
  absl::Status written = tree.Write(
      absl::GetFlag(FLAGS_out), proctor::images::ArchiveFormat::kTar, false);
  if (!written.ok()) {
    std::cerr << "image_tar: " << written.message() << "\n";
    return 1;
  }
  return 0;
}
