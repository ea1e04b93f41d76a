// A GoogleTest binary with one case that fails on purpose: Bazel's
// summary must name that case, not the binary alone.
#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

TEST(SortingTest, SortsAscending) {
  std::vector<int> v = {3, 1, 2};
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<int>{1, 2, 3}));
}

TEST(SortingTest, KeepsDuplicatesOnPurposeBroken) {
  std::vector<int> v = {2, 2, 1};
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v.size(), 2u) << "fails on purpose";
}
