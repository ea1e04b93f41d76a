#include "images/kernel_modules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor::images {
namespace {

using ::testing::ElementsAre;

ModuleIndex SampleIndex() {
  ModuleIndex index;
  auto add = [&](const std::string& name, std::vector<std::string> deps) {
    index.path[name] = "lib/modules/k/" + name + ".ko";
    index.depends[name] = std::move(deps);
  };
  add("virtio_ring", {});
  add("virtio", {});
  add("virtio_pci", {"virtio_ring", "virtio"});
  add("failover", {});
  add("net_failover", {"failover"});
  add("virtio_net", {"net_failover", "virtio_ring", "virtio"});
  index.builtin.insert("crc32c_generic");
  return index;
}

TEST(ResolveModulesTest, DependenciesComeFirstAndOnce) {
  absl::StatusOr<std::vector<std::string>> order =
      ResolveModules(SampleIndex(), {"virtio_pci", "virtio-net"});
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_THAT(*order, ElementsAre("virtio_ring", "virtio", "virtio_pci",
                                  "failover", "net_failover", "virtio_net"));
}

TEST(ResolveModulesTest, BuiltinModulesNeedNoLoading) {
  absl::StatusOr<std::vector<std::string>> order =
      ResolveModules(SampleIndex(), {"crc32c-generic"});
  ASSERT_TRUE(order.ok());
  EXPECT_TRUE(order->empty());
}

TEST(ResolveModulesTest, UnknownModuleIsAnError) {
  absl::StatusOr<std::vector<std::string>> order =
      ResolveModules(SampleIndex(), {"no_such_driver"});
  EXPECT_EQ(order.status().message(),
            "kernel module 'no_such_driver' is neither a module nor built in");
}

TEST(ResolveModulesTest, CycleIsAnError) {
  ModuleIndex index = SampleIndex();
  index.depends["virtio"] = {"virtio_pci"};
  EXPECT_FALSE(ResolveModules(index, {"virtio_pci"}).ok());
}

TEST(ModuleDependsTest, NonElfInputIsAnError) {
  EXPECT_FALSE(ModuleDepends("not an ELF file").ok());
}

}  // namespace
}  // namespace proctor::images
