#include "runner/base/text.h"

#include "gtest/gtest.h"

namespace proctor {
namespace {

TEST(SanitizeUtf8Test, ValidTextIsUnchanged) {
  EXPECT_EQ(SanitizeUtf8("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80");
}

TEST(SanitizeUtf8Test, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(SanitizeUtf8("a\xff"
                         "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xc3"), "\xef\xbf\xbd");                  // cut short
  EXPECT_EQ(SanitizeUtf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80"),                           // surrogate
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(XmlSafeTest, ControlCharactersAreDroppedButWhitespaceKept) {
  EXPECT_EQ(XmlSafe(std::string("a\x00\x01\x1b[1m\tb\nc\r", 12)),
            "a[1m\tb\nc\r");
}

TEST(UnfinishedUtf8TailTest, FindsACharacterCutAtTheEnd) {
  EXPECT_EQ(UnfinishedUtf8Tail("abc"), 0u);
  EXPECT_EQ(UnfinishedUtf8Tail("caf\xc3"), 1u);        // é cut
  EXPECT_EQ(UnfinishedUtf8Tail("\xe2\x82"), 2u);       // € cut
  EXPECT_EQ(UnfinishedUtf8Tail("x\xf0\x9f\x98"), 3u);  // 😀 cut
  EXPECT_EQ(UnfinishedUtf8Tail("caf\xc3\xa9"), 0u);    // finished
  EXPECT_EQ(UnfinishedUtf8Tail("\xe2\x82\xac"), 0u);
  EXPECT_EQ(UnfinishedUtf8Tail(""), 0u);
  // Latin-1's é looks like a 3-byte lead: kept, until the end says more.
  EXPECT_EQ(UnfinishedUtf8Tail("caf\xe9"), 1u);
}

TEST(UnfinishedUtf8TailTest, InvalidBytesAreNotKeptForLater) {
  EXPECT_EQ(UnfinishedUtf8Tail("\xff"), 0u);
  EXPECT_EQ(UnfinishedUtf8Tail("\x80\x80\x80"), 0u);  // no lead byte
}

TEST(ShellQuoteTest, QuotesEverythingIncludingSingleQuotes) {
  EXPECT_EQ(ShellQuote("plain"), "'plain'");
  EXPECT_EQ(ShellQuote("it's $HOME"), "'it'\\''s $HOME'");
  EXPECT_EQ(ShellQuote(""), "''");
}

TEST(SanitizeFileNameTest, KeepsSafeCharactersOnly) {
  EXPECT_EQ(SanitizeFileName("sub/dir/it's a test.sh"),
            "sub_dir_it_s_a_test.sh");
  EXPECT_EQ(SanitizeFileName(".."), "_");
  EXPECT_EQ(SanitizeFileName(""), "_");
  EXPECT_EQ(SanitizeFileName(std::string(300, 'x')).size(), 100u);
}

}  // namespace
}  // namespace proctor
