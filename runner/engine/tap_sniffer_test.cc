#include "runner/engine/tap_sniffer.h"

#include <string>

#include "gtest/gtest.h"

namespace proctor {
namespace {

TEST(TapSnifferTest, FirstNonBlankLineDecidesForTap) {
  TapSniffer s(OutputFormat::kAuto);
  s.Feed("\n  \nTAP version 14\n1..1\nok 1 - fine\n");
  std::optional<tap::Document> doc = s.Finish();
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->point_count, 1);
  EXPECT_TRUE(doc->ok());
}

TEST(TapSnifferTest, PlainTextIsNotTap) {
  TapSniffer s(OutputFormat::kAuto);
  s.Feed("hello\nok 1 - looks like TAP but comes too late\n");
  EXPECT_FALSE(s.Finish().has_value());
}

TEST(TapSnifferTest, DecisionSpansChunks) {
  TapSniffer s(OutputFormat::kAuto);
  s.Feed("1..");
  s.Feed("2\nok 1\nnot ok");
  s.Feed(" 2\n");
  std::optional<tap::Document> doc = s.Finish();
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->point_count, 2);
  EXPECT_EQ(doc->failed, 1);
}

TEST(TapSnifferTest, ALastLineWithoutNewlineDecides) {
  TapSniffer s(OutputFormat::kAuto);
  s.Feed("1..0 # SKIP nothing to do");
  std::optional<tap::Document> doc = s.Finish();
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->plan.count, 0);
}

TEST(TapSnifferTest, FourKilobytesWithoutANewlineAreNotTap) {
  TapSniffer s(OutputFormat::kAuto);
  s.Feed(std::string(4096, 'x'));
  s.Feed("\n1..1\nok 1\n");
  EXPECT_FALSE(s.Finish().has_value());
}

TEST(TapSnifferTest, FormatTapParsesFromTheStart) {
  TapSniffer s(OutputFormat::kTap);
  s.Feed("garbage first\n1..1\nok 1\n");
  ASSERT_TRUE(s.Finish().has_value());
}

TEST(TapSnifferTest, FormatExitNeverParses) {
  TapSniffer s(OutputFormat::kExit);
  s.Feed("1..1\nok 1\n");
  EXPECT_FALSE(s.Finish().has_value());
}

TEST(TapSnifferTest, NoOutputIsNotTap) {
  TapSniffer s(OutputFormat::kAuto);
  EXPECT_FALSE(s.Finish().has_value());
}

}  // namespace
}  // namespace proctor
