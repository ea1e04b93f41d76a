// A streaming parser for the Test Anything Protocol.
//
// It reads TAP 14 (and versions 12 and 13, which are subsets) and KTAP, the
// kernel's dialect with 2-space subtests. Lines are fed as they arrive, so a
// producer that prints gigabytes never needs to be held in memory: the
// parser keeps the test points (up to Options::max_points per level, and
// beyond that every failing point, up to Options::max_late_failures, and
// the last Options::max_tail points), the plan and the deviations it saw,
// and counts the rest: the point a user looks for, the one that failed, is
// never among those dropped in a stream of any length.
//
// The parser never fails and never crashes on any input: anything that is
// not TAP is tolerated as output, and every deviation from the protocol (a
// missing or wrong plan, duplicate or out-of-order numbers, a subtest whose
// verdict contradicts its parent point, ...) is reported as a diagnostic in
// Document::diagnostics. A document is ok() when it has a plan, ran what it
// planned, has no failing point (a `not ok` without TODO), did not bail out
// and has no diagnostics: the judgement `prove` makes.
//
//   tap::Parser parser;
//   parser.Feed(chunk);              // any bytes, split into lines here
//   tap::Document doc = parser.Finish();
//   if (!doc.ok()) ...
#ifndef PROCTOR_TAP_PARSER_H_
#define PROCTOR_TAP_PARSER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace tap {

enum class Directive { kNone, kSkip, kTodo };

struct Document;

struct TestPoint {
  bool ok = false;
  int64_t number = 0;       // as written, or the implied next number
  bool numbered = false;    // whether the number was written
  std::string description;  // with `\#` and `\\` unescaped
  Directive directive = Directive::kNone;
  std::string reason;        // text after SKIP/TODO
  std::string yaml;          // the YAML block's lines, unindented, if any
  std::string subtest_name;  // from `# Subtest: NAME`, if any
  std::shared_ptr<Document> subtest;  // the nested document, if any
  // KTAP v2 metadata (`#:key: value`) between the previous point and this
  // one, in order.
  std::vector<std::pair<std::string, std::string>> metadata;
  // The subtest was TAP printed as `# ` comments before this point (how
  // kselftest's runner nests each test's own TAP): kept as sub-results,
  // never judged, since the producer's harness reads it as comments.
  bool subtest_from_comments = false;

  // A point counts as failing when it is `not ok` without a TODO directive.
  bool failing() const { return !ok && directive != Directive::kTodo; }
};

struct Plan {
  int64_t count = 0;
  bool skip_all = false;  // `1..0`, usually with `# SKIP reason`
  std::string reason;     // the plan's directive or comment text
  bool at_end = false;    // the plan came after the test points
};

struct Document {
  int version = 12;  // 12 when no version line was given
  bool ktap = false;
  bool has_plan = false;
  Plan plan;
  // In stream order: the first Options::max_points, then failing and last
  // points; point_count - points.size() were counted and not stored.
  std::vector<TestPoint> points;
  int64_t point_count = 0;  // every point seen, stored or not
  int64_t failed = 0;       // failing points (not ok, no TODO)
  int64_t skipped = 0;
  int64_t todo = 0;
  bool bailed_out = false;
  std::string bail_reason;
  std::vector<std::string> pragmas;  // e.g. "+strict"
  // KTAP v2 metadata of the whole document: `#:key: value` lines before
  // its plan or first point.
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<std::string> diagnostics;  // protocol deviations

  int64_t points_not_stored() const {
    return point_count - static_cast<int64_t>(points.size());
  }
  bool ok() const;
  // The whole stream asked to be skipped (`1..0 # SKIP ...`) and passed.
  bool skipped_all() const;
};

struct Options {
  int64_t max_points = 100000;       // stored in order, per nesting level
  int64_t max_late_failures = 1000;  // failing points kept beyond that
  int64_t max_tail = 10;             // and the last points before the end
  size_t max_line_length = 1 << 16;  // longer lines are cut, not buffered
  int max_depth = 32;                // deeper subtests are treated as text
  size_t max_diagnostics = 100;      // further ones are counted in one line
};

// True when `line` (without its newline) looks like the start of a TAP
// stream: a version line, a plan, a test point or `Bail out!`.
bool LooksLikeTap(absl::string_view line);

class Parser {
 public:
  Parser();
  explicit Parser(const Options& options, int depth = 0);
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Feeds raw bytes; complete lines are parsed, a partial line is kept
  // (up to Options::max_line_length) until its newline arrives.
  void Feed(absl::string_view bytes);
  // Parses one line, without its trailing newline.
  void Line(absl::string_view line);
  // Ends the stream: parses a pending partial line, closes open subtests
  // and YAML blocks, checks the plan. The parser is spent afterwards.
  Document Finish();

  // Lines seen so far at this level, for progress reporting.
  int64_t lines() const { return lines_; }

 private:
  void TopLine(absl::string_view line);
  void ParsePoint(bool ok, absl::string_view rest);
  void ParsePlan(absl::string_view line);
  void StartChild(int indent, absl::string_view first_line);
  void CloseChild();
  void AddDiagnostic(std::string text);
  void ParseMetadataLine(absl::string_view text);
  void AddPoint(TestPoint point);
  // Where a point goes once max_points are stored.
  void StoreLatePoint(TestPoint point);
  // The waiting buffered point: its subtest closed by `}`, or, without a
  // brace, a plain point whose description ends in "{".
  void CloseBuffered();
  void FlushBuffered();

  Options options_;
  int depth_;
  Document doc_;
  std::string partial_;
  bool partial_overflow_ = false;
  int64_t lines_ = 0;
  bool seen_first_line_ = false;
  bool strict_ = false;
  bool last_line_was_point_ = false;
  int64_t expected_number_ = 1;
  absl::flat_hash_set<int64_t> seen_numbers_;
  size_t dropped_diagnostics_ = 0;

  // Points beyond max_points that are kept, with their place in the
  // stream: failing ones, and a window of the last ones.
  std::vector<std::pair<int64_t, TestPoint>> late_failures_;
  std::deque<std::pair<int64_t, TestPoint>> tail_;
  // The point the next YAML block belongs to: the last one, if stored.
  TestPoint* yaml_owner_ = nullptr;

  // An open YAML block belongs to the last point; its indentation prefix.
  bool in_yaml_ = false;
  std::string yaml_indent_;

  // An open subtest: its parser and its indentation.
  std::unique_ptr<Parser> child_;
  int child_indent_ = 0;
  std::string child_name_;
  // A finished subtest waits for the point that closes it.
  std::shared_ptr<Document> pending_subtest_;
  std::string pending_subtest_name_;
  std::string pending_name_;  // `# Subtest: NAME` seen at this level

  // Test2's buffered subtest: `ok 2 - name {`, the subtest's lines
  // indented, then `}`. The point waits here for its brace; anything else
  // first makes it a plain point, as `prove` reads it.
  std::optional<TestPoint> buffered_;

  // TAP nested in `# ` comment lines since the last point (kselftest),
  // for the next point.
  std::unique_ptr<Parser> comment_child_;

  // KTAP v2 metadata seen since the last point, for the next one.
  std::vector<std::pair<std::string, std::string>> pending_metadata_;
};

// Reads a whole string; a convenience for tests and small inputs.
Document ParseString(absl::string_view text, const Options& options = {});

}  // namespace tap

#endif  // PROCTOR_TAP_PARSER_H_
