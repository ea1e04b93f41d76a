#include "tap/ktap_progress.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace tap {
namespace {

void Feed(KtapProgress* p, const std::string& text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) p->Line(line);
}

// What a 6.1 kernel printed here (the tests' own kernel), the kernel's own
// messages between the results included.
constexpr char kTwoSuites[] =
    "Run /init as init process\n"
    "KTAP version 1\n"
    "1..2\n"
    "    KTAP version 1\n"
    "    # Subtest: example\n"
    "    1..2\n"
    "    # example_simple_test: initializing\n"
    "    ok 1 example_simple_test\n"
    "random: crng init done\n"
    "    ok 2 example_skip_test # SKIP this test should be skipped\n"
    "# example: pass:1 fail:0 skip:1 total:2\n"
    "# Totals: pass:1 fail:0 skip:1 total:2\n"
    "ok 1 example\n"
    "    KTAP version 1\n"
    "    # Subtest: proctor\n"
    "    1..1\n";

TEST(KtapProgressTest, NothingBeforeTheTopLevelHeader) {
  KtapProgress p;
  Feed(&p, "Linux version 6.1.192\nok 1 not KTAP yet\n1..1\n");
  EXPECT_FALSE(p.started());
  EXPECT_FALSE(p.complete());
}

TEST(KtapProgressTest, NamesTheSuiteRunning) {
  KtapProgress p;
  Feed(&p, kTwoSuites);
  EXPECT_TRUE(p.started());
  EXPECT_FALSE(p.complete());
  EXPECT_EQ(p.running(), "proctor");
  EXPECT_EQ(p.last_finished(), "example");
}

TEST(KtapProgressTest, CompleteOnceThePlansPointsAreIn) {
  KtapProgress p;
  Feed(&p, kTwoSuites);
  Feed(&p, "    ok 1 proctor_passes\nnot ok 2 proctor\n");
  EXPECT_TRUE(p.complete());
  EXPECT_EQ(p.running(), "");
  EXPECT_EQ(p.last_finished(), "proctor");
}

TEST(KtapProgressTest, EmptyPlanIsComplete) {
  KtapProgress p;
  Feed(&p, "KTAP version 1\n1..0\n");
  EXPECT_TRUE(p.complete());
}

TEST(KtapProgressTest, SuitePointsDoNotCountAtTheTopLevel) {
  KtapProgress p;
  Feed(&p, "KTAP version 1\n1..1\n    # Subtest: s\n    1..3\n"
           "    ok 1 a\n    ok 2 b\n    ok 3 c\n");
  EXPECT_FALSE(p.complete());
  EXPECT_EQ(p.running(), "s");
}

TEST(StripPrintkPrefixTest, RemovesTheTimeStampAndKeepsTheIndentation) {
  EXPECT_EQ(StripPrintkPrefix("[    1.234567]     ok 1 case\r"),
            "    ok 1 case");
  EXPECT_EQ(StripPrintkPrefix("[   12.000001][    T1] KTAP version 1"),
            "KTAP version 1");
  EXPECT_EQ(StripPrintkPrefix("ok 1 example"), "ok 1 example");
  EXPECT_EQ(StripPrintkPrefix("[not a stamp] text"), "[not a stamp] text");
}

}  // namespace
}  // namespace tap
