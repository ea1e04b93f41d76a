// A real GoogleTest binary for the wrapped-suite test: one case passes, one
// fails, one skips. GoogleTest writes its JUnit to $XML_OUTPUT_FILE by
// itself.
#include "gtest/gtest.h"

namespace {

TEST(Example, Passes) { EXPECT_EQ(1 + 1, 2); }

TEST(Example, Fails) { EXPECT_EQ(1 + 1, 3) << "arithmetic"; }

TEST(Example, Skips) { GTEST_SKIP() << "not here"; }

}  // namespace
