#include "runner/engine/junit_reader.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/test_dir.h"

namespace proctor {
namespace {

using ::testing::HasSubstr;
using Outcome = JunitCase::Outcome;

class JunitReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = FreshTestDir(); }
  std::string Write(const std::string& text) {
    std::string path = dir_ + "/test.xml";
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  JunitReport Read(const std::string& text, const JunitOptions& o = {}) {
    absl::StatusOr<JunitReport> r = ReadJunit(Write(text), o);
    if (!r.ok()) {
      ADD_FAILURE() << r.status();
      return JunitReport();
    }
    return *r;
  }
  std::string dir_;
};

// The shape GoogleTest 1.12 writes (Debian's libgtest-dev).
constexpr char kGoogleTest[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="4" failures="1" disabled="1" errors="0" name="AllTests">
  <testsuite name="MathTest" tests="4" failures="1" disabled="1" skipped="1">
    <testcase name="Adds" file="m.cc" line="3" status="run" result="completed" time="0.001" classname="MathTest" />
    <testcase name="Breaks" status="run" result="completed" time="0." classname="MathTest">
      <failure message="m.cc:9&#x0A;Expected equality" type=""><![CDATA[m.cc:9
Expected equality of these values:
  1
  2]]></failure>
    </testcase>
    <testcase name="Later" status="run" result="skipped" time="0." classname="MathTest">
      <skipped message="m.cc:12&#x0A;"><![CDATA[m.cc:12
]]></skipped>
    </testcase>
    <testcase name="DISABLED_Off" status="notrun" result="suppressed" time="0" classname="MathTest" />
  </testsuite>
</testsuites>
)";

TEST_F(JunitReaderTest, GoogleTestCasesWithTheirOutcomes) {
  JunitReport r = Read(kGoogleTest);
  EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics[0];
  ASSERT_EQ(r.cases.size(), 4u);
  EXPECT_EQ(r.total, 4);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.skipped, 2);
  EXPECT_EQ(r.cases[0].outcome, Outcome::kPass);
  EXPECT_EQ(r.cases[0].classname, "MathTest");
  EXPECT_EQ(r.cases[0].suite, "MathTest");
  EXPECT_DOUBLE_EQ(r.cases[0].seconds, 0.001);
  EXPECT_EQ(r.cases[1].outcome, Outcome::kFail);
  EXPECT_EQ(r.cases[1].message, "m.cc:9\nExpected equality");
  EXPECT_THAT(r.cases[1].text, HasSubstr("Expected equality of these values"));
  EXPECT_EQ(r.cases[2].outcome, Outcome::kSkip);
  EXPECT_EQ(r.cases[3].outcome, Outcome::kSkip);
  EXPECT_EQ(r.cases[3].ordinal, 4);
}

// The shape pytest 7 writes with --junitxml.
constexpr char kPytest[] = R"(<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.05">
<testcase classname="test_mod" name="test_ok" time="0.001" />
<testcase classname="test_mod" name="test_bad" time="0.001"><failure message="assert 1 == 2">def test_bad():
&gt;       assert 1 == 2
E       assert 1 == 2</failure></testcase>
<testcase classname="test_mod" name="test_skip" time="0.000"><skipped type="pytest.skip" message="not here">test_mod.py:9: not here</skipped></testcase>
<testcase classname="test_mod" name="test_fixture" time="0.000"><error message="failed on setup with &quot;boom&quot;">boom</error></testcase>
</testsuite></testsuites>
)";

TEST_F(JunitReaderTest, PytestCasesWithTheirOutcomes) {
  JunitReport r = Read(kPytest);
  EXPECT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.cases.size(), 4u);
  EXPECT_EQ(r.cases[1].outcome, Outcome::kFail);
  EXPECT_EQ(r.cases[1].message, "assert 1 == 2");
  EXPECT_THAT(r.cases[1].text, HasSubstr(">       assert 1 == 2"));
  EXPECT_EQ(r.cases[2].outcome, Outcome::kSkip);
  EXPECT_EQ(r.cases[2].message, "not here");
  EXPECT_EQ(r.cases[3].outcome, Outcome::kError);
  EXPECT_EQ(r.errors, 1);
}

TEST_F(JunitReaderTest, NoFileIsNotFound) {
  absl::StatusOr<JunitReport> r = ReadJunit(dir_ + "/none.xml");
  EXPECT_TRUE(absl::IsNotFound(r.status()));
}

TEST_F(JunitReaderTest, ASymlinkIsRefusedAndNotFollowed) {
  std::string outside = dir_ + "/outside.xml";
  std::ofstream(outside) << kPytest;
  ASSERT_EQ(symlink(outside.c_str(), (dir_ + "/link.xml").c_str()), 0);
  absl::StatusOr<JunitReport> r = ReadJunit(dir_ + "/link.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("is a symlink"));
}

TEST_F(JunitReaderTest, EmptyFileIsADiagnostic) {
  JunitReport r = Read("");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0], "the JUnit file is empty");
}

TEST_F(JunitReaderTest, TruncatedXmlKeepsTheCasesBeforeTheCut) {
  std::string cut(kPytest,
                  std::string(kPytest).find(
                      "<testcase classname=\"test_mod\" name=\"test_skip\""));
  JunitReport r = Read(cut);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_THAT(r.diagnostics[0], HasSubstr("not well-formed XML"));
  EXPECT_EQ(r.total, 2);
  EXPECT_EQ(r.failed, 1);
}

TEST_F(JunitReaderTest, XmlThatIsNotJunitSaysSo) {
  JunitReport r = Read("<html><body>hello</body></html>");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_THAT(r.diagnostics[0], HasSubstr("root is not <testsuites>"));
  EXPECT_EQ(r.total, 0);
}

TEST_F(JunitReaderTest, TextThatIsNotXmlSaysSo) {
  JunitReport r = Read("all tests passed\n");
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.total, 0);
}

TEST_F(JunitReaderTest, BeyondTheByteLimitOnlyTheStartIsRead) {
  JunitOptions o;
  o.max_bytes = 200;
  JunitReport r = Read(kPytest, o);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_THAT(r.diagnostics[0], HasSubstr("only the first 200 were read"));
}

TEST_F(JunitReaderTest, ManyCasesAreCountedAndFailuresKeptBeyondTheCap) {
  std::string xml = "<testsuite name=\"s\">";
  for (int i = 1; i <= 100000; ++i) {
    absl::StrAppend(
        &xml, "<testcase classname=\"c\" name=\"t", i, "\"",
        i == 99999 ? "><failure message=\"late\"/></testcase>" : "/>");
  }
  xml += "</testsuite>";
  JunitOptions o;
  o.max_cases = 100;
  JunitReport r = Read(xml, o);
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.total, 100000);
  ASSERT_EQ(r.cases.size(), 101u);
  EXPECT_EQ(r.not_stored, 100000 - 101);
  EXPECT_EQ(r.cases.back().name, "t99999");
  EXPECT_EQ(r.cases.back().outcome, Outcome::kFail);
}

TEST_F(JunitReaderTest, InvalidUtf8InANameBecomesAReplacementCharacter) {
  JunitReport r = Read(
      "<testsuite><testcase name=\"caf\xe9\"/><testcase name=\"after\">"
      "<failure message=\"bad \xff byte\"/></testcase></testsuite>");
  EXPECT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.cases[0].name, "caf\xef\xbf\xbd");
  EXPECT_EQ(r.cases[1].message, "bad \xef\xbf\xbd byte");
}

TEST_F(JunitReaderTest, ControlCharactersAreDroppedNotFatal) {
  JunitReport r = Read(
      "<testsuite><testcase name=\"a\x01\x1b[31mb\"/><testcase name=\"c\"/>"
      "</testsuite>");
  EXPECT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.cases[0].name, "a[31mb");
}

TEST_F(JunitReaderTest, ACharacterCutByAChunkBoundaryIsKept) {
  // Reads go 64 KiB at a time: a 3-byte character starts one byte before
  // each of two boundaries (a comment pads up to it).
  std::string xml = "<testsuite>";
  const std::string head = "<testcase name=\"";
  for (size_t boundary : {65536, 131072}) {
    size_t pad = boundary - 1 - xml.size() - head.size();
    absl::StrAppend(&xml, "<!--", std::string(pad - 7, 'x'), "-->", head,
                    "\xe2\x82\xac\"/>");
  }
  xml += "</testsuite>";
  JunitReport r = Read(xml);
  EXPECT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.cases[0].name, "\xe2\x82\xac");
  EXPECT_EQ(r.cases[1].name, "\xe2\x82\xac");
}

TEST_F(JunitReaderTest, AFileDeclaringLatin1IsReadAsLatin1) {
  JunitReport r = Read(
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
      "<testsuite><testcase name=\"caf\xe9\"/></testsuite>");
  EXPECT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].name, "caf\xc3\xa9");
}

TEST_F(JunitReaderTest, DuplicateNamesAreKeptBoth) {
  JunitReport r = Read(
      "<testsuite><testcase classname=\"c\" name=\"same\"/>"
      "<testcase classname=\"c\" "
      "name=\"same\"><failure/></testcase></testsuite>");
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.failed, 1);
}

TEST_F(JunitReaderTest, LongTextsAreCut) {
  JunitOptions o;
  o.max_text = 10;
  JunitReport r =
      Read("<testsuite><testcase name=\"x\"><failure>" +
               std::string(1000, 'a') + "</failure></testcase></testsuite>",
           o);
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].text.size(), 10u);
}

}  // namespace
}  // namespace proctor
