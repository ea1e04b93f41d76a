#include "runner/base/time_format.h"

#include "gtest/gtest.h"

namespace proctor {
namespace {

const absl::Time kSample =
    absl::FromUnixMillis(1764025805123);  // 2025-11-24T23:10:05.123Z

TEST(TimeFormatTest, Rfc3339IsUtcWithOffsetAndItsFraction) {
  EXPECT_EQ(FormatRfc3339(kSample), "2025-11-24T23:10:05.123+00:00");
  EXPECT_EQ(FormatRfc3339(absl::FromUnixSeconds(0)),
            "1970-01-01T00:00:00+00:00");
}

TEST(TimeFormatTest, Rfc3339RoundTrips) {
  absl::Time t;
  ASSERT_TRUE(ParseRfc3339(FormatRfc3339(kSample), &t));
  EXPECT_EQ(t, kSample);
}

TEST(TimeFormatTest, ParseRfc3339RejectsOtherTextAndKeepsTheTime) {
  absl::Time t = kSample;
  EXPECT_FALSE(ParseRfc3339("yesterday", &t));
  EXPECT_EQ(t, kSample);
}

TEST(TimeFormatTest, FileStampHasNoColons) {
  EXPECT_EQ(FormatFileStamp(kSample), "2025-11-24T23.10.05");
}

TEST(TimeFormatTest, LogStampHasMilliseconds) {
  EXPECT_EQ(FormatLogStamp(kSample), "2025-11-24T23:10:05.123Z");
  EXPECT_EQ(FormatLogStamp(absl::FromUnixSeconds(0)),
            "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace proctor
