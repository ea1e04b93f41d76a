// The GoogleTest suite googletest-suite.sh builds and runs: cases that
// pass, one skipped at run time and one disabled.
#include <algorithm>
#include <string>

#include "gtest/gtest.h"

namespace {

std::string Reversed(std::string s) {
  std::reverse(s.begin(), s.end());
  return s;
}

TEST(StringsTest, ReversedTwiceIsTheSame) {
  EXPECT_EQ(Reversed(Reversed("proctor")), "proctor");
}

TEST(StringsTest, ReversedReadsBackwards) {
  EXPECT_EQ(Reversed("abc"), "cba");
}

TEST(StringsTest, FindsASubstring) {
  EXPECT_NE(std::string("hermetic").find("met"), std::string::npos);
}

TEST(StringsTest, NeedsAWideLocale) { GTEST_SKIP() << "no wide locale here"; }

TEST(StringsTest, DISABLED_ComparesUnicodeCollation) { FAIL(); }

}  // namespace
