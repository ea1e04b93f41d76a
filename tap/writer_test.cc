#include "tap/writer.h"

#include <sstream>

#include "gtest/gtest.h"
#include "tap/parser.h"

namespace tap {
namespace {

TEST(WriterTest, WritesAVersionPlanAndPoints) {
  std::ostringstream out;
  Writer w(&out);
  w.Version();
  w.Plan(2);
  w.Point({true, 1, "first"});
  w.Point({false, 2, "second", Directive::kTodo, "later"});
  EXPECT_EQ(out.str(),
            "TAP version 14\n1..2\nok 1 - first\nnot ok 2 - second # TODO "
            "later\n");
}

TEST(WriterTest, SkipAllPlanCarriesTheReason) {
  std::ostringstream out;
  Writer w(&out);
  w.Plan(0, "not on this host");
  EXPECT_EQ(out.str(), "1..0 # SKIP not on this host\n");
}

TEST(WriterTest, DescriptionsAreEscapedAndReadBackUnchanged) {
  std::ostringstream out;
  Writer w(&out);
  w.Plan(1);
  w.Point({true, 1, "a # b \\ c\nd"});
  Document doc = ParseString(out.str());
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc.points.size(), 1u);
  EXPECT_EQ(doc.points[0].description, "a # b \\ c d");
  EXPECT_EQ(doc.points[0].directive, Directive::kNone);
}

TEST(WriterTest, YamlValuesAreQuotedAndTheBlockParses) {
  std::ostringstream out;
  Writer w(&out);
  w.Plan(1);
  PointToWrite p{false, 1, "bad"};
  p.yaml = {{"message", "exit \"1\"\nline two"}, {"severity", "fail"}};
  w.Point(p);
  EXPECT_NE(out.str().find("  message: \"exit \\\"1\\\"\\nline two\"\n"),
            std::string::npos);
  Document doc = ParseString(out.str());
  ASSERT_EQ(doc.points.size(), 1u);
  EXPECT_TRUE(doc.diagnostics.empty());
  EXPECT_NE(doc.points[0].yaml.find("severity"), std::string::npos);
}

TEST(WriterTest, SubtestsAreIndentedAndParseBack) {
  std::ostringstream out;
  Writer w(&out);
  w.Version();
  w.Plan(1);
  w.BeginSubtest("inner");
  w.Plan(1);
  w.Point({true, 1, "leaf"});
  w.EndSubtest();
  w.Point({true, 1, "inner"});
  EXPECT_NE(out.str().find("    # Subtest: inner\n    1..1\n    ok 1 - leaf\n"),
            std::string::npos);
  Document doc = ParseString(out.str());
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc.points.size(), 1u);
  EXPECT_EQ(doc.points[0].subtest_name, "inner");
  ASSERT_NE(doc.points[0].subtest, nullptr);
  ASSERT_EQ(doc.points[0].subtest->points.size(), 1u);
  EXPECT_EQ(doc.points[0].subtest->points[0].description, "leaf");
}

TEST(YamlQuoteTest, ControlCharactersAreEscaped) {
  EXPECT_EQ(YamlQuote(std::string("a\x01z", 3)), "\"a\\x01z\"");
}

}  // namespace
}  // namespace tap
