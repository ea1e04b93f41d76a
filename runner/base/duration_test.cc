#include "runner/base/duration.h"

#include "gtest/gtest.h"

namespace proctor {
namespace {

// The parsed value, or a duration no test expects when parsing failed, so a
// regression fails the comparison instead of dereferencing an error.
absl::Duration Parsed(absl::string_view text) {
  absl::StatusOr<absl::Duration> d = ParseTimeout(text);
  return d.ok() ? *d : absl::InfiniteDuration();
}

TEST(ParseTimeoutTest, AcceptsPlainSeconds) {
  EXPECT_EQ(Parsed("30"), absl::Seconds(30));
  EXPECT_EQ(Parsed("1.5"), absl::Milliseconds(1500));
}

TEST(ParseTimeoutTest, AcceptsAbseilDurations) {
  EXPECT_EQ(Parsed("2m"), absl::Minutes(2));
  EXPECT_EQ(Parsed("1h30m"), absl::Minutes(90));
}

TEST(ParseTimeoutTest, RejectsWordsQuotingThem) {
  absl::StatusOr<absl::Duration> d = ParseTimeout("soon");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "bad timeout 'soon' (want 30, 30s, 2m, 1h)");
}

TEST(ParseTimeoutTest, RejectsZeroAndNegativeDurations) {
  EXPECT_FALSE(ParseTimeout("0").ok());
  EXPECT_FALSE(ParseTimeout("-5s").ok());
}

}  // namespace
}  // namespace proctor
