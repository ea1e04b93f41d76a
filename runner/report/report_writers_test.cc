#include "runner/report/report_writers.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tap/parser.h"

namespace proctor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

JobResult SampleJob() {
  JobResult job;
  job.set_id("abc");
  job.set_duration_seconds(12);
  job.set_complete(true);
  TestResult* a = job.add_tests();
  a->set_name("a <&> \"b\".sh");
  a->set_status(PASS);
  a->set_duration_seconds(3);
  TestResult* b = job.add_tests();
  b->set_name("b.sh");
  b->set_status(TIMEOUT);
  b->set_reason("timed out after 1s");
  TapPoint* p = b->add_tap_points();
  p->set_number(1);
  p->set_description("inner # hash");
  p->set_ok(false);
  TestResult* c = job.add_tests();
  c->set_name("c.sh");
  c->set_status(SKIPPED);
  c->set_reason("no disk");
  return job;
}

TEST(JunitTest, TimesAlwaysHaveADecimalPoint) {
  absl::StatusOr<std::string> xml = RenderJunit(SampleJob());
  ASSERT_TRUE(xml.ok());
  EXPECT_THAT(*xml, HasSubstr("time=\"12.000\""));
  EXPECT_THAT(*xml, HasSubstr("time=\"3.000\""));
  EXPECT_THAT(*xml, Not(::testing::ContainsRegex("time=\"[0-9]+\"")));
}

TEST(JunitTest, SpecialCharactersAreEscaped) {
  absl::StatusOr<std::string> xml = RenderJunit(SampleJob());
  EXPECT_THAT(*xml, HasSubstr("name=\"a &lt;&amp;&gt; &quot;b&quot;.sh\""));
}

TEST(JunitTest, TimeoutIsAFailureAndSkipIsSkipped) {
  absl::StatusOr<std::string> xml = RenderJunit(SampleJob());
  EXPECT_THAT(
      *xml,
      HasSubstr("<failure message=\"timed out after 1s\" type=\"TIMEOUT\"/>"));
  EXPECT_THAT(*xml, HasSubstr("<skipped message=\"no disk\"/>"));
  EXPECT_THAT(
      *xml, HasSubstr("tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\""));
}

TEST(TapReportTest, ReadsBackAsOnePointPerTest) {
  tap::Document doc = tap::ParseString(RenderTap(SampleJob()));
  EXPECT_EQ(doc.point_count, 3);
  EXPECT_EQ(doc.failed, 1);
  EXPECT_EQ(doc.skipped, 1);
  EXPECT_TRUE(doc.diagnostics.empty());
  EXPECT_EQ(doc.points[0].description, "a <&> \"b\".sh");
  EXPECT_EQ(doc.points[1].subtest->points[0].description, "inner # hash");
  EXPECT_EQ(doc.points[2].reason, "no disk");
}

}  // namespace
}  // namespace proctor
