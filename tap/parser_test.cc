#include "tap/parser.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tap {
namespace {

TEST(ParserTest, PlanFirstWithPassingPointsIsOk) {
  Document doc = ParseString("1..2\nok 1 - first\nok 2 - second\n");
  EXPECT_TRUE(doc.ok());
  ASSERT_EQ(doc.points.size(), 2u);
  EXPECT_EQ(doc.points[0].description, "first");
  EXPECT_EQ(doc.points[1].number, 2);
  EXPECT_FALSE(doc.plan.at_end);
}

TEST(ParserTest, PlanLastIsAccepted) {
  Document doc = ParseString("ok 1\nok 2\n1..2\n");
  EXPECT_TRUE(doc.ok());
  EXPECT_TRUE(doc.plan.at_end);
}

TEST(ParserTest, VersionLinesAreRecognized) {
  EXPECT_EQ(ParseString("TAP version 14\n1..0\n").version, 14);
  EXPECT_EQ(ParseString("TAP version 13\n1..0\n").version, 13);
  EXPECT_EQ(ParseString("1..0\n").version, 12);
  Document ktap = ParseString("KTAP version 1\n1..0\n");
  EXPECT_TRUE(ktap.ktap);
  EXPECT_EQ(ktap.version, 1);
}

TEST(ParserTest, UnsupportedVersionIsADiagnostic) {
  Document doc = ParseString("TAP version 99\n1..1\nok\n");
  EXPECT_FALSE(doc.ok());
  ASSERT_EQ(doc.diagnostics.size(), 1u);
  EXPECT_EQ(doc.diagnostics[0], "unsupported TAP version 99");
}

TEST(ParserTest, VersionLineAfterTheFirstLineIsADiagnostic) {
  Document doc = ParseString("1..1\nTAP version 14\nok\n");
  EXPECT_FALSE(doc.ok());
}

TEST(ParserTest, SkipAllPlanSkipsTheWholeStream) {
  Document doc = ParseString("TAP version 14\n1..0 # SKIP no network\n");
  EXPECT_TRUE(doc.ok());
  EXPECT_TRUE(doc.skipped_all());
  EXPECT_EQ(doc.plan.reason, "no network");
}

TEST(ParserTest, NotOkFailsTheDocument) {
  Document doc = ParseString("1..2\nok 1\nnot ok 2 - broken\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.failed, 1);
  EXPECT_TRUE(doc.diagnostics.empty());
  EXPECT_TRUE(doc.points[1].failing());
}

TEST(ParserTest, NotOkWithTodoDoesNotFail) {
  Document doc = ParseString("1..1\nnot ok 1 - later # TODO write it\n");
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(doc.todo, 1);
  EXPECT_EQ(doc.points[0].directive, Directive::kTodo);
  EXPECT_EQ(doc.points[0].reason, "write it");
  EXPECT_EQ(doc.points[0].description, "later");
}

TEST(ParserTest, DirectivesAreCaseInsensitive) {
  Document doc = ParseString(
      "1..3\nok 1 # skip lower\nok 2 # Skipped: old\nok 3 #ToDo x\n");
  EXPECT_EQ(doc.points[0].directive, Directive::kSkip);
  EXPECT_EQ(doc.points[0].reason, "lower");
  EXPECT_EQ(doc.points[1].directive, Directive::kSkip);
  EXPECT_EQ(doc.points[1].reason, "old");
  EXPECT_EQ(doc.points[2].directive, Directive::kTodo);
  EXPECT_EQ(doc.skipped, 2);
}

TEST(ParserTest, EscapedHashIsPartOfTheDescription) {
  Document doc = ParseString("1..1\nok 1 - issue \\#42 and \\\\ # SKIP why\n");
  EXPECT_EQ(doc.points[0].description, "issue #42 and \\");
  EXPECT_EQ(doc.points[0].directive, Directive::kSkip);
  EXPECT_EQ(doc.points[0].reason, "why");
}

TEST(ParserTest, CommentAfterDescriptionIsNotADirective) {
  Document doc = ParseString("1..1\nok 1 - fine # just a note\n");
  EXPECT_EQ(doc.points[0].description, "fine");
  EXPECT_EQ(doc.points[0].directive, Directive::kNone);
}

TEST(ParserTest, PointsWithoutNumbersAreNumberedInOrder) {
  Document doc = ParseString("1..3\nok\nok - two\nnot ok three # TODO\n");
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(doc.points[0].number, 1);
  EXPECT_EQ(doc.points[1].number, 2);
  EXPECT_EQ(doc.points[1].description, "two");
  EXPECT_EQ(doc.points[2].description, "three");
  EXPECT_FALSE(doc.points[2].numbered);
}

TEST(ParserTest, MissingPlanIsADiagnostic) {
  Document doc = ParseString("ok 1\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.diagnostics, std::vector<std::string>{"no plan"});
}

TEST(ParserTest, PlanCountMismatchIsADiagnostic) {
  Document doc = ParseString("1..3\nok 1\nok 2\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.diagnostics,
            std::vector<std::string>{"planned 3 tests but ran 2"});
}

TEST(ParserTest, SecondPlanIsADiagnostic) {
  Document doc = ParseString("1..1\nok 1\n1..1\n");
  EXPECT_FALSE(doc.ok());
}

TEST(ParserTest, PointAfterTrailingPlanIsADiagnostic) {
  Document doc = ParseString("ok 1\n1..2\nok 2\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.diagnostics[0], "test point after the plan at the end");
}

TEST(ParserTest, DuplicateNumberIsADiagnostic) {
  Document doc = ParseString("1..2\nok 1\nok 1\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.diagnostics[0], "duplicate test number 1");
}

TEST(ParserTest, OutOfOrderNumberIsADiagnostic) {
  Document doc = ParseString("1..2\nok 2\nok 1\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.diagnostics[0], "test number 2 out of order (expected 1)");
}

TEST(ParserTest, NumberBeyondThePlanIsADiagnostic) {
  Document doc = ParseString("1..1\nok 5\n");
  EXPECT_FALSE(doc.ok());
}

TEST(ParserTest, BailOutFailsAndKeepsTheReason) {
  Document doc = ParseString("1..3\nok 1\nBail out! database gone\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_TRUE(doc.bailed_out);
  EXPECT_EQ(doc.bail_reason, "database gone");
}

TEST(ParserTest, NonTapLinesAreTolerated) {
  Document doc = ParseString(
      "starting up\n1..1\nsome log line\n\n  indented noise\nok 1\nbye\n");
  EXPECT_TRUE(doc.ok()) << doc.diagnostics.size();
}

TEST(ParserTest, StrictPragmaMakesNonTapLinesFail) {
  Document doc =
      ParseString("TAP version 14\npragma +strict\n1..1\nnoise\nok 1\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.pragmas, std::vector<std::string>{"+strict"});
}

TEST(ParserTest, OkayIsNotATestPoint) {
  Document doc = ParseString("1..1\nokay then\nok 1\n");
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(doc.point_count, 1);
}

TEST(ParserTest, YamlBlockIsAttachedToItsPoint) {
  Document doc = ParseString(
      "TAP version 14\n1..2\nnot ok 1 - bad\n  ---\n  message: boom\n  "
      "data:\n    - 1\n  ...\nok 2\n");
  EXPECT_EQ(doc.points[0].yaml, "message: boom\ndata:\n  - 1\n");
  EXPECT_EQ(doc.point_count, 2);
  EXPECT_TRUE(doc.diagnostics.empty());
}

TEST(ParserTest, UnterminatedYamlIsADiagnostic) {
  Document doc = ParseString("1..1\nok 1\n  ---\n  a: b\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.diagnostics[0], "unterminated YAML block");
}

TEST(ParserTest, SubtestIsNestedUnderItsClosingPoint) {
  Document doc = ParseString(
      "TAP version 14\n1..2\n"
      "# Subtest: inner\n"
      "    1..2\n    ok 1 - a\n    ok 2 - b\n"
      "ok 1 - inner\n"
      "ok 2 - outer\n");
  EXPECT_TRUE(doc.ok());
  ASSERT_NE(doc.points[0].subtest, nullptr);
  EXPECT_EQ(doc.points[0].subtest_name, "inner");
  EXPECT_EQ(doc.points[0].subtest->points.size(), 2u);
  EXPECT_EQ(doc.points[0].subtest->points[1].description, "b");
  EXPECT_EQ(doc.points[1].subtest, nullptr);
}

TEST(ParserTest, IndentedSubtestCommentNamesTheSubtest) {
  Document doc = ParseString(
      "1..1\n    # Subtest: deep\n    1..1\n    ok 1\nok 1 - deep\n");
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(doc.points[0].subtest_name, "deep");
}

TEST(ParserTest, SubtestsNest) {
  Document doc = ParseString(
      "1..1\n"
      "    1..1\n"
      "        1..1\n"
      "        not ok 1 - leaf\n"
      "    not ok 1 - middle\n"
      "not ok 1 - top\n");
  EXPECT_FALSE(doc.ok());
  const Document& middle = *doc.points[0].subtest;
  ASSERT_NE(middle.points[0].subtest, nullptr);
  EXPECT_EQ(middle.points[0].subtest->points[0].description, "leaf");
  EXPECT_TRUE(doc.diagnostics.empty());
}

TEST(ParserTest, PassingPointOverFailingSubtestIsADiagnostic) {
  Document doc =
      ParseString("1..1\n    1..1\n    not ok 1\nok 1 - claims success\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.diagnostics[0], "test 1 is ok but its subtest failed");
}

TEST(ParserTest, SubtestWithoutClosingPointIsADiagnostic) {
  Document doc = ParseString("1..0\n    1..1\n    ok 1\n");
  EXPECT_FALSE(doc.ok());
}

TEST(ParserTest, KtapSubtestsUseTwoSpaces) {
  Document doc = ParseString(
      "KTAP version 1\n1..1\n"
      "  KTAP version 1\n  # Subtest: kunit_suite\n  1..2\n"
      "  ok 1 test_a\n  ok 2 test_b # SKIP no hw\n"
      "ok 1 kunit_suite\n");
  EXPECT_TRUE(doc.ok()) << (doc.diagnostics.empty() ? "" : doc.diagnostics[0]);
  ASSERT_NE(doc.points[0].subtest, nullptr);
  EXPECT_TRUE(doc.points[0].subtest->ktap);
  EXPECT_EQ(doc.points[0].subtest->points[0].description, "test_a");
  EXPECT_EQ(doc.points[0].subtest->skipped, 1);
}

TEST(ParserTest, KernelStyleFourSpaceKtapSubtestsParse) {
  Document doc = ParseString(
      "KTAP version 1\n1..1\n"
      "    KTAP version 1\n    # Subtest: suite\n    1..1\n"
      "    ok 1 case\n"
      "ok 1 suite\n");
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(doc.points[0].subtest_name, "suite");
}

// What KUnit's kunit-log-test printed on a 6.1 kernel's console: its log
// lines unindented inside the suite.
TEST(ParserTest, UnindentedTextInsideASubtestDoesNotEndIt) {
  Document doc = ParseString(
      "KTAP version 1\n1..1\n"
      "    KTAP version 1\n    # Subtest: kunit-log-test\n    1..1\n"
      "put this in log.\nthis too.\n"
      "    ok 1 kunit_log_test\n"
      "ok 1 kunit-log-test\n");
  EXPECT_TRUE(doc.ok()) << (doc.diagnostics.empty() ? "" : doc.diagnostics[0]);
  ASSERT_NE(doc.points[0].subtest, nullptr);
  ASSERT_EQ(doc.points[0].subtest->points.size(), 1u);
  EXPECT_EQ(doc.points[0].subtest->points[0].description, "kunit_log_test");
}

TEST(ParserTest, UnindentedTapLineStillEndsASubtest) {
  Document doc = ParseString(
      "TAP version 14\n1..2\n"
      "    1..1\n    ok 1 - inner\n"
      "ok 1 - outer\nok 2 - next\n");
  EXPECT_TRUE(doc.ok()) << (doc.diagnostics.empty() ? "" : doc.diagnostics[0]);
  ASSERT_EQ(doc.points.size(), 2u);
  ASSERT_NE(doc.points[0].subtest, nullptr);
  EXPECT_EQ(doc.points[1].subtest, nullptr);
}

TEST(ParserTest, FeedHandlesLinesSplitAcrossChunks) {
  Parser parser;
  std::string text = "TAP version 14\n1..2\nok 1 - alpha\r\nnot ok 2 - beta";
  for (char c : text) parser.Feed(absl::string_view(&c, 1));
  Document doc = parser.Finish();
  EXPECT_EQ(doc.points.size(), 2u);
  EXPECT_EQ(doc.points[0].description, "alpha");
  EXPECT_EQ(doc.points[1].description, "beta");
}

TEST(ParserTest, OverlongLinesAreCut) {
  Options options;
  options.max_line_length = 16;
  Parser parser(options);
  parser.Feed("1..1\nok 1 - ");
  parser.Feed(std::string(100000, 'x'));
  parser.Feed("\n");
  Document doc = parser.Finish();
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(doc.points[0].description.size(), 16u - 7u);
}

TEST(ParserTest, StoredPointsAreCappedButAllAreCounted) {
  Options options;
  options.max_points = 10;
  options.max_tail = 0;
  std::string text = "1..1000\n";
  for (int i = 1; i <= 1000; ++i) absl::StrAppend(&text, "ok ", i, "\n");
  Document doc = ParseString(text, options);
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(doc.points.size(), 10u);
  EXPECT_EQ(doc.point_count, 1000);
  EXPECT_EQ(doc.points_not_stored(), 990);
}

// The numbers of the stored points, in order.
std::vector<int64_t> Numbers(const Document& doc) {
  std::vector<int64_t> numbers;
  for (const TestPoint& p : doc.points) numbers.push_back(p.number);
  return numbers;
}

// 1..n, each point ok except those in `failing`.
std::string Stream(int n, const std::vector<int>& failing) {
  std::string text = absl::StrCat("1..", n, "\n");
  for (int i = 1; i <= n; ++i) {
    bool bad = std::find(failing.begin(), failing.end(), i) != failing.end();
    absl::StrAppend(&text, bad ? "not ok " : "ok ", i, " - p", i, "\n");
  }
  return text;
}

TEST(ParserTest, FailingPointsBeyondTheCapAreStoredInStreamOrder) {
  Options options;
  options.max_points = 3;
  options.max_tail = 2;
  Document doc = ParseString(Stream(20, {5, 12}), options);
  EXPECT_EQ(Numbers(doc), (std::vector<int64_t>{1, 2, 3, 5, 12, 19, 20}));
  EXPECT_EQ(doc.failed, 2);
  EXPECT_EQ(doc.points_not_stored(), 13);
  EXPECT_FALSE(doc.points[3].ok);
  EXPECT_EQ(doc.points[4].description, "p12");
}

TEST(ParserTest, AFailureAmongTheLastPointsIsStoredOnce) {
  Options options;
  options.max_points = 3;
  options.max_tail = 3;
  Document doc = ParseString(Stream(10, {9}), options);
  EXPECT_EQ(Numbers(doc), (std::vector<int64_t>{1, 2, 3, 8, 9, 10}));
}

TEST(ParserTest, LateFailuresAreCappedAndCounted) {
  Options options;
  options.max_points = 2;
  options.max_late_failures = 2;
  options.max_tail = 1;
  Document doc = ParseString(Stream(10, {4, 5, 6, 7}), options);
  EXPECT_EQ(Numbers(doc), (std::vector<int64_t>{1, 2, 4, 5, 10}));
  EXPECT_EQ(doc.failed, 4);
  EXPECT_EQ(doc.points_not_stored(), 5);
}

TEST(ParserTest, ALateFailureKeepsItsYamlAndSubtest) {
  Options options;
  options.max_points = 1;
  options.max_tail = 0;
  Document doc = ParseString(
      "TAP version 14\n1..3\nok 1\nok 2\n"
      "    1..1\n    not ok 1 - inner\n"
      "not ok 3 - outer\n  ---\n  message: boom\n  ...\n",
      options);
  ASSERT_EQ(doc.points.size(), 2u);
  const TestPoint& late = doc.points[1];
  EXPECT_EQ(late.number, 3);
  EXPECT_EQ(late.yaml, "message: boom\n");
  ASSERT_NE(late.subtest, nullptr);
  ASSERT_EQ(late.subtest->points.size(), 1u);
  EXPECT_EQ(late.subtest->points[0].description, "inner");
}

TEST(ParserTest, AFailureNearTheEndOfAHundredThousandPointsIsKept) {
  Options options;
  options.max_points = 5000;
  Document doc = ParseString(Stream(100000, {99999}), options);
  EXPECT_EQ(doc.point_count, 100000);
  ASSERT_EQ(doc.points.size(), 5000u + 10u);
  bool found = false;
  for (const TestPoint& p : doc.points) {
    if (p.number == 99999) found = !p.ok;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(doc.points.back().number, 100000);
}

TEST(ParserTest, DiagnosticsAreCapped) {
  Options options;
  options.max_diagnostics = 3;
  Document doc = ParseString("1..1\nok 5\nok 5\nok 5\nok 5\nok 5\n", options);
  EXPECT_EQ(doc.diagnostics.size(), 4u);
  EXPECT_EQ(doc.diagnostics.back(), "... and 8 more diagnostics");
}

TEST(ParserTest, BinaryGarbageNeverCrashes) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>(i * 37));
  Document doc = ParseString(junk);
  EXPECT_FALSE(doc.ok());
}

TEST(LooksLikeTapTest, RecognizesTheStartOfAStream) {
  EXPECT_TRUE(LooksLikeTap("TAP version 14"));
  EXPECT_TRUE(LooksLikeTap("KTAP version 1"));
  EXPECT_TRUE(LooksLikeTap("1..5"));
  EXPECT_TRUE(LooksLikeTap("ok"));
  EXPECT_TRUE(LooksLikeTap("not ok 3 - x"));
  EXPECT_TRUE(LooksLikeTap("Bail out!"));
  EXPECT_FALSE(LooksLikeTap("okay"));
  EXPECT_FALSE(LooksLikeTap("hello world"));
  EXPECT_FALSE(LooksLikeTap("# comment"));
}

// Test2 (the engine under Test::More) writes a buffered subtest after its
// point, in braces; captured from Perl 5.36's Test2::API::run_subtest with
// {buffered => 1}.
constexpr char kTest2Buffered[] =
    "ok 1 - first\n"
    "ok 2 - buffered one {\n"
    "    ok 1 - inner a\n"
    "    ok 2 - inner b\n"
    "    1..2\n"
    "}\n"
    "ok 3 - buffered failing {\n"
    "    ok 1 - inner c\n"
    "    1..1\n"
    "}\n"
    "# Subtest: more style\n"
    "    1..1\n"
    "    ok 1 - inner d\n"
    "ok 4 - more style\n"
    "1..4\n";

TEST(ParserTest, Test2BufferedSubtestsBelongToThePointBeforeThem) {
  Document doc = ParseString(kTest2Buffered);
  EXPECT_TRUE(doc.ok()) << (doc.diagnostics.empty() ? "" : doc.diagnostics[0]);
  ASSERT_EQ(doc.points.size(), 4u);
  EXPECT_EQ(doc.points[1].description, "buffered one");
  ASSERT_NE(doc.points[1].subtest, nullptr);
  EXPECT_EQ(doc.points[1].subtest->points.size(), 2u);
  EXPECT_EQ(doc.points[1].subtest_name, "buffered one");
  ASSERT_NE(doc.points[2].subtest, nullptr);
  EXPECT_EQ(doc.points[2].subtest->points.size(), 1u);
  // The TAP 14 subtest before its point is unchanged.
  ASSERT_NE(doc.points[3].subtest, nullptr);
  EXPECT_EQ(doc.points[3].subtest_name, "more style");
}

TEST(ParserTest, AFailingBufferedSubtestFailsWithItsPoint) {
  Document doc = ParseString(
      "ok 1 - first\nnot ok 2 - buffered failing {\n"
      "    ok 1 - inner a\n    not ok 2 - inner b\n"
      "    #   Failed test 'inner b'\n    1..2\n}\n"
      "# Failed test 'buffered failing'\n1..2\n");
  EXPECT_FALSE(doc.ok());
  EXPECT_EQ(doc.failed, 1);
  EXPECT_TRUE(doc.diagnostics.empty());
  ASSERT_EQ(doc.points.size(), 2u);
  ASSERT_NE(doc.points[1].subtest, nullptr);
  EXPECT_EQ(doc.points[1].subtest->failed, 1);
}

TEST(ParserTest, AnOkBufferedPointWhoseSubtestFailedIsADiagnostic) {
  Document doc =
      ParseString("1..1\nok 1 - claims ok {\n    not ok 1\n    1..1\n}\n");
  EXPECT_FALSE(doc.ok());
  ASSERT_FALSE(doc.diagnostics.empty());
  EXPECT_EQ(doc.diagnostics[0], "test 1 is ok but its subtest failed");
}

TEST(ParserTest, ABraceWithoutABodyOrClosingIsJustADescription) {
  Document doc = ParseString("1..2\nok 1 - function f() {\nok 2 - next\n");
  EXPECT_TRUE(doc.ok());
  ASSERT_EQ(doc.points.size(), 2u);
  EXPECT_EQ(doc.points[0].description, "function f() {");
  EXPECT_EQ(doc.points[0].subtest, nullptr);
}

TEST(ParserTest, ABraceAtTheEndIsJustADescription) {
  Document doc = ParseString("1..1\nok 1 - ends in {\n");
  EXPECT_TRUE(doc.ok());
  ASSERT_EQ(doc.points.size(), 1u);
  EXPECT_EQ(doc.points[0].description, "ends in {");
}

TEST(ParserTest, ABufferedDirectiveComesAfterTheBrace) {
  Document doc = ParseString(
      "1..1\nnot ok 1 - later { # TODO not yet\n    not ok 1\n    1..1\n}\n");
  EXPECT_TRUE(doc.ok());
  ASSERT_EQ(doc.points.size(), 1u);
  EXPECT_EQ(doc.points[0].directive, Directive::kTodo);
  EXPECT_EQ(doc.points[0].description, "later");
}

TEST(ParserTest, ABufferedSubtestCutBeforeItsBraceSaysSo) {
  Document doc = ParseString("1..1\nok 1 - cut {\n    ok 1\n    1..1\n");
  EXPECT_FALSE(doc.ok());
  ASSERT_FALSE(doc.diagnostics.empty());
  EXPECT_EQ(doc.diagnostics[0], "buffered subtest 'cut' has no closing }");
}

TEST(ParserTest, NestedBufferedSubtests) {
  Document doc = ParseString(
      "ok 1 - outer {\n    ok 1 - inner {\n        ok 1 - leaf\n"
      "        1..1\n    }\n    1..1\n}\n1..1\n");
  EXPECT_TRUE(doc.ok()) << (doc.diagnostics.empty() ? "" : doc.diagnostics[0]);
  ASSERT_EQ(doc.points.size(), 1u);
  ASSERT_NE(doc.points[0].subtest, nullptr);
  ASSERT_EQ(doc.points[0].subtest->points.size(), 1u);
  ASSERT_NE(doc.points[0].subtest->points[0].subtest, nullptr);
  EXPECT_EQ(doc.points[0].subtest->points[0].subtest->points[0].description,
            "leaf");
}

// KTAP v2 metadata, as the specification's example writes it.
constexpr char kKtapV2Metadata[] =
    "KTAP version 2\n"
    "#:ktap_test: main\n"
    "#:ktap_arch: uml\n"
    "1..1\n"
    "    KTAP version 2\n"
    "    #:ktap_test: suite_1\n"
    "    #:ktap_subsystem: example\n"
    "    #:ktap_test_file: lib/test.c\n"
    "    1..2\n"
    "    ok 1 test_1\n"
    "    #:ktap_test: test_2\n"
    "    #:ktap_speed: very_slow\n"
    "    # test_2 has begun\n"
    "    #:custom_is_flaky: true\n"
    "    ok 2 test_2\n"
    "# suite_1 has passed\n"
    "ok 1 suite_1\n";

using Metadata = std::vector<std::pair<std::string, std::string>>;

TEST(ParserTest, KtapV2MetadataGoesToItsDocumentOrItsPoint) {
  Document doc = ParseString(kKtapV2Metadata);
  EXPECT_TRUE(doc.ok()) << (doc.diagnostics.empty() ? "" : doc.diagnostics[0]);
  EXPECT_TRUE(doc.ktap);
  EXPECT_EQ(doc.version, 2);
  EXPECT_EQ(doc.metadata,
            (Metadata{{"ktap_test", "main"}, {"ktap_arch", "uml"}}));
  ASSERT_EQ(doc.points.size(), 1u);
  ASSERT_NE(doc.points[0].subtest, nullptr);
  const Document& suite = *doc.points[0].subtest;
  EXPECT_EQ(suite.metadata, (Metadata{{"ktap_test", "suite_1"},
                                      {"ktap_subsystem", "example"},
                                      {"ktap_test_file", "lib/test.c"}}));
  ASSERT_EQ(suite.points.size(), 2u);
  EXPECT_TRUE(suite.points[0].metadata.empty());
  EXPECT_EQ(suite.points[1].metadata, (Metadata{{"ktap_test", "test_2"},
                                                {"ktap_speed", "very_slow"},
                                                {"custom_is_flaky", "true"}}));
}

TEST(ParserTest, MetadataLinesAreNotDiagnosticsEvenWhenStrict) {
  Document doc =
      ParseString("TAP version 14\npragma +strict\n1..1\n#:k: v\nok 1\n");
  EXPECT_TRUE(doc.ok()) << (doc.diagnostics.empty() ? "" : doc.diagnostics[0]);
  ASSERT_EQ(doc.points.size(), 1u);
  EXPECT_EQ(doc.points[0].metadata, (Metadata{{"k", "v"}}));
}

// kselftest's runner (run_kselftest.sh) prints each test's own TAP as
// `# ` comment lines before the test's point, in this shape.
constexpr char kKselftest[] =
    "TAP version 13\n"
    "1..3\n"
    "# timeout set to 45\n"
    "# selftests: size: get_size\n"
    "# TAP version 13\n"
    "# 1..2\n"
    "# # Testing system size.\n"
    "# ok 1 get runtime memory use\n"
    "# not ok 2 get free memory # SKIP no sysinfo\n"
    "# # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0\n"
    "ok 1 selftests: size: get_size\n"
    "# timeout set to 45\n"
    "# selftests: net: plain.sh\n"
    "# just output\n"
    "ok 2 selftests: net: plain.sh\n"
    "# selftests: net: broken.sh\n"
    "# TAP version 13\n"
    "# 1..1\n"
    "# not ok 1 link up\n"
    "not ok 3 selftests: net: broken.sh # exit=1\n";

TEST(ParserTest, KselftestsNestedTapInCommentsIsKeptUnjudged) {
  Document doc = ParseString(kKselftest);
  ASSERT_EQ(doc.points.size(), 3u);
  EXPECT_EQ(doc.failed, 1);
  // The stream's own verdict: one failing point, nothing else wrong.
  EXPECT_TRUE(doc.diagnostics.empty())
      << (doc.diagnostics.empty() ? "" : doc.diagnostics[0]);
  const TestPoint& size = doc.points[0];
  ASSERT_NE(size.subtest, nullptr);
  EXPECT_TRUE(size.subtest_from_comments);
  ASSERT_EQ(size.subtest->points.size(), 2u);
  EXPECT_EQ(size.subtest->points[0].description, "get runtime memory use");
  EXPECT_EQ(size.subtest->points[1].directive, Directive::kSkip);
  // A test that printed no TAP has no subtest.
  EXPECT_EQ(doc.points[1].subtest, nullptr);
  ASSERT_NE(doc.points[2].subtest, nullptr);
  EXPECT_EQ(doc.points[2].subtest->failed, 1);
}

TEST(ParserTest, NestedTapInCommentsNeverFailsAPassingStream) {
  // The nested stream is broken (no plan, a failure) under an ok point:
  // prove passes this, and so does the parser.
  Document doc =
      ParseString("1..1\n# TAP version 13\n# not ok 1 inner\nok 1 outer\n");
  EXPECT_TRUE(doc.ok());
  ASSERT_EQ(doc.points.size(), 1u);
  ASSERT_NE(doc.points[0].subtest, nullptr);
  EXPECT_TRUE(doc.points[0].subtest_from_comments);
}

TEST(ParserTest, OrdinaryCommentsDoNotStartNestedTap) {
  Document doc = ParseString("1..1\n# ok 1 looks like TAP\nok 1 outer\n");
  EXPECT_TRUE(doc.ok());
  ASSERT_EQ(doc.points.size(), 1u);
  EXPECT_EQ(doc.points[0].subtest, nullptr);
}

TEST(ParserTest, TheLargestTestNumberDoesNotOverflow) {
  // Found by tap/fuzz_smoke_test: the next expected number overflowed.
  Document doc = ParseString("ok 9223372036854775807\nok\n");
  ASSERT_EQ(doc.points.size(), 2u);
  EXPECT_EQ(doc.points[1].number, 9223372036854775807);
  EXPECT_FALSE(doc.diagnostics.empty());
}

}  // namespace
}  // namespace tap
