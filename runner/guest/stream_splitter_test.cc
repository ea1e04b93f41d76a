#include "runner/guest/stream_splitter.h"

#include <string>

#include "gtest/gtest.h"

namespace proctor {
namespace {

class StreamSplitterTest : public ::testing::Test {
 protected:
  StreamSplitter splitter_{"\x1eMARK\x1e",
                           [this](std::string_view s) { before_.append(s); },
                           [this](std::string_view s) { after_.append(s); }};
  std::string before_, after_;
};

TEST_F(StreamSplitterTest, WithoutTheMarkerEverythingGoesBefore) {
  splitter_.Feed("error: one\n");
  splitter_.Feed("two");
  splitter_.Finish();
  EXPECT_EQ(before_, "error: one\ntwo");
  EXPECT_EQ(after_, "");
  EXPECT_FALSE(splitter_.split());
}

TEST_F(StreamSplitterTest, MarkerInOneChunkSplitsItAndIsDropped) {
  splitter_.Feed("last line\n\x1eMARK\x1etar bytes");
  splitter_.Feed(" and more");
  splitter_.Finish();
  EXPECT_EQ(before_, "last line\n");
  EXPECT_EQ(after_, "tar bytes and more");
  EXPECT_TRUE(splitter_.split());
}

TEST_F(StreamSplitterTest, MarkerAcrossChunksIsFound) {
  splitter_.Feed("x\x1eMA");
  EXPECT_EQ(before_, "x");  // the marker's start is held back
  splitter_.Feed("RK\x1e");
  splitter_.Feed("tar");
  splitter_.Finish();
  EXPECT_EQ(before_, "x");
  EXPECT_EQ(after_, "tar");
}

TEST_F(StreamSplitterTest, HeldStartThatIsNotTheMarkerGoesBefore) {
  splitter_.Feed("a\x1eMA");
  splitter_.Feed("Z");
  EXPECT_EQ(before_, "a\x1eMAZ");
  splitter_.Feed("\x1eM");
  splitter_.Finish();
  EXPECT_EQ(before_, "a\x1eMAZ\x1eM");
  EXPECT_EQ(after_, "");
}

TEST_F(StreamSplitterTest, OnlyTheFirstMarkerSplits) {
  splitter_.Feed(
      "\x1eMARK\x1e"
      "a\x1eMARK\x1e"
      "b");
  splitter_.Finish();
  EXPECT_EQ(before_, "");
  EXPECT_EQ(after_,
            "a\x1eMARK\x1e"
            "b");
}

}  // namespace
}  // namespace proctor
