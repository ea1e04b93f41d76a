#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"
#include "vmm/vm.h"

namespace proctor::vmm {
namespace {

std::string Console(const std::string& name, const std::string& text) {
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(TellingConsoleLineTest, IsTheLastLineWithoutAPanic) {
  EXPECT_EQ(TellingConsoleLine(Console("plain", "booting\nproctor: guest "
                                                "ready\n\n  \n")),
            "proctor: guest ready");
}

TEST(TellingConsoleLineTest, PrefersThePanicToWhatFollowsIt) {
  EXPECT_EQ(TellingConsoleLine(Console(
                "panic",
                "Run /init\nKernel panic - not syncing: Attempted to kill "
                "init!\nKernel Offset: disabled\n---[ end Kernel panic ]---\n")),
            "---[ end Kernel panic ]---");
}

TEST(TellingConsoleLineTest, PrefersTheInitsVerdictOnTheKernelToThePanic) {
  EXPECT_EQ(
      TellingConsoleLine(Console(
          "lacks",
          "Run /init as init process\nproctor: the guest kernel lacks: "
          "CONFIG_VIRTIO_PCI CONFIG_VIRTIO_NET\nKernel panic - not syncing: "
          "Attempted to kill init! exitcode=0x00000100\n")),
      "proctor: the guest kernel lacks: CONFIG_VIRTIO_PCI CONFIG_VIRTIO_NET");
}

TEST(TellingConsoleLineTest, MissingLogIsEmpty) {
  EXPECT_EQ(TellingConsoleLine("/nonexistent/console.log"), "");
}

}  // namespace
}  // namespace proctor::vmm
