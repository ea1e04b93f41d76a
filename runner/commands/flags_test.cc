#include "runner/commands/flags.h"

#include "absl/flags/flag.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/cli.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;

TEST(ParseArgsTest, FlagsInEveryFormAndPositionals) {
  absl::StatusOr<ParsedArgs> p =
      ParseArgs({"-j", "3", "--timeout=5s", "--filter", "x", "a", "--keep-tmp",
                 "b", "--", "--not-a-flag"},
                kRunFlags);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(absl::GetFlag(FLAGS_jobs), 3);
  EXPECT_EQ(absl::GetFlag(FLAGS_timeout), "5s");
  EXPECT_EQ(absl::GetFlag(FLAGS_filter), "x");
  EXPECT_TRUE(absl::GetFlag(FLAGS_keep_tmp));
  EXPECT_THAT(p->positional, ElementsAre("a", "b", "--not-a-flag"));
  EXPECT_EQ(p->explicit_flags.count("timeout"), 1u);
  EXPECT_EQ(p->explicit_flags.count("where"), 0u);
}

TEST(ParseArgsTest, ShortJobsFlagTakesAnAttachedValue) {
  ASSERT_TRUE(ParseArgs({"-j4"}, kRunFlags).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_jobs), 4);
}

TEST(ParseArgsTest, NegatedBooleans) {
  ASSERT_TRUE(ParseArgs({"--keep-tmp", "--nokeep_tmp"}, kRunFlags).ok());
  EXPECT_FALSE(absl::GetFlag(FLAGS_keep_tmp));
}

TEST(ParseArgsTest, FlagsOfOtherCommandsAreUnknown) {
  absl::StatusOr<ParsedArgs> p = ParseArgs({"--jobs=2"}, kListFlags);
  EXPECT_EQ(p.status().message(), "unknown flag --jobs=2");
}

TEST(ParseArgsTest, MissingValueIsAnError) {
  EXPECT_EQ(ParseArgs({"--filter"}, kRunFlags).status().message(),
            "flag --filter needs a value");
}

TEST(ParseByteSizeTest, UnitsArePowersOf1024) {
  EXPECT_EQ(*ParseByteSize("100"), 100);
  EXPECT_EQ(*ParseByteSize("4K"), 4096);
  EXPECT_EQ(*ParseByteSize("64M"), 64 << 20);
  EXPECT_EQ(*ParseByteSize("1gb"), int64_t{1} << 30);
  EXPECT_FALSE(ParseByteSize("-1").ok());
  EXPECT_FALSE(ParseByteSize("lots").ok());
}

}  // namespace
}  // namespace proctor
