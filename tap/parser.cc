#include "tap/parser.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "re2/re2.h"

namespace tap {
namespace {

const RE2& VersionRe() {
  static const RE2* re = new RE2(R"((K?TAP) version (\d+)\s*)");
  return *re;
}

const RE2& PlanRe() {
  static const RE2* re = new RE2(R"(1\.\.(\d+)\s*(?:#\s*(.*))?)");
  return *re;
}

const RE2& PragmaRe() {
  static const RE2* re = new RE2(R"(pragma\s+([+-])(\w+)\s*)");
  return *re;
}

// Debian's Abseil has its own string_view, which RE2 does not take.
re2::StringPiece Piece(absl::string_view s) {
  return re2::StringPiece(s.data(), s.size());
}

size_t LeadingSpaces(absl::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

bool IsBlank(absl::string_view line) {
  return absl::StripAsciiWhitespace(line).empty();
}

// `ok` or `not ok` followed by the end of the line or a space.
bool StartsWithWord(absl::string_view line, absl::string_view word) {
  if (!absl::StartsWith(line, word)) return false;
  return line.size() == word.size() || line[word.size()] == ' ' ||
         line[word.size()] == '\t';
}

bool IsSubtestComment(absl::string_view content) {
  absl::string_view c = content;
  if (!absl::ConsumePrefix(&c, "#")) return false;
  c = absl::StripLeadingAsciiWhitespace(c);
  return absl::StartsWith(c, "Subtest:") || absl::StartsWith(c, "Subtest ");
}

std::string SubtestName(absl::string_view content) {
  absl::string_view c = content;
  absl::ConsumePrefix(&c, "#");
  c = absl::StripLeadingAsciiWhitespace(c);
  absl::ConsumePrefix(&c, "Subtest");
  absl::ConsumePrefix(&c, ":");
  return std::string(absl::StripAsciiWhitespace(c));
}

// Splits a point's text at the first unescaped '#': the description (with
// escapes removed) and what follows the '#', if there was one.
void SplitDescription(absl::string_view text, std::string* description,
                      absl::string_view* directive, bool* has_directive) {
  description->clear();
  *has_directive = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() &&
        (text[i + 1] == '#' || text[i + 1] == '\\')) {
      description->push_back(text[++i]);
    } else if (c == '#') {
      *directive = text.substr(i + 1);
      *has_directive = true;
      break;
    } else {
      description->push_back(c);
    }
  }
  absl::string_view trimmed = absl::StripAsciiWhitespace(*description);
  *description = std::string(trimmed);
}

// Reads `SKIP reason` / `TODO reason` (case-insensitive; `skipped` and the
// like are accepted as the Perl harness does).
void ParseDirective(absl::string_view text, TestPoint* point) {
  absl::string_view t = absl::StripLeadingAsciiWhitespace(text);
  auto word_end = [&t]() {
    size_t n = 0;
    while (n < t.size() && !absl::ascii_isspace(t[n])) ++n;
    return n;
  };
  if (absl::StartsWithIgnoreCase(t, "skip")) {
    point->directive = Directive::kSkip;
  } else if (absl::StartsWithIgnoreCase(t, "todo")) {
    point->directive = Directive::kTodo;
  } else {
    return;  // a plain comment after the description
  }
  point->reason = std::string(absl::StripAsciiWhitespace(t.substr(word_end())));
}

}  // namespace

bool Document::ok() const {
  return !bailed_out && has_plan && failed == 0 && diagnostics.empty();
}

bool Document::skipped_all() const { return ok() && plan.skip_all; }

bool LooksLikeTap(absl::string_view line) {
  absl::string_view l = absl::StripTrailingAsciiWhitespace(line);
  return RE2::FullMatch(Piece(l), VersionRe()) ||
         RE2::FullMatch(Piece(l), PlanRe()) || StartsWithWord(l, "ok") ||
         StartsWithWord(l, "not ok") || absl::StartsWith(l, "Bail out!");
}

Parser::Parser() : Parser(Options()) {}

Parser::Parser(const Options& options, int depth)
    : options_(options), depth_(depth) {}

Parser::~Parser() = default;

void Parser::Feed(absl::string_view bytes) {
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    absl::string_view piece =
        nl == absl::string_view::npos ? bytes : bytes.substr(0, nl);
    if (!partial_overflow_) {
      size_t room = options_.max_line_length - partial_.size();
      if (piece.size() > room) {
        partial_.append(piece.data(), room);
        partial_overflow_ = true;
      } else {
        partial_.append(piece.data(), piece.size());
      }
    }
    if (nl == absl::string_view::npos) break;
    Line(partial_);
    partial_.clear();
    partial_overflow_ = false;
    bytes.remove_prefix(nl + 1);
  }
}

void Parser::AddDiagnostic(std::string text) {
  if (doc_.diagnostics.size() < options_.max_diagnostics) {
    doc_.diagnostics.push_back(std::move(text));
  } else {
    ++dropped_diagnostics_;
  }
}

void Parser::Line(absl::string_view line) {
  ++lines_;
  absl::ConsumeSuffix(&line, "\r");

  if (in_yaml_) {
    if (absl::StartsWith(line, yaml_indent_) || IsBlank(line)) {
      absl::string_view content = line.size() >= yaml_indent_.size()
                                      ? line.substr(yaml_indent_.size())
                                      : absl::string_view();
      if (absl::StripTrailingAsciiWhitespace(content) == "...") {
        in_yaml_ = false;
      } else if (yaml_owner_ != nullptr) {
        absl::StrAppend(&yaml_owner_->yaml, content, "\n");
      }
      return;
    }
    in_yaml_ = false;
    AddDiagnostic("unterminated YAML block");
  }

  if (child_ != nullptr) {
    if (IsBlank(line)) return;
    if (LeadingSpaces(line) >= static_cast<size_t>(child_indent_)) {
      child_->Line(line.substr(child_indent_));
      return;
    }
    // Text that is not TAP does not end the subtest: a kernel's console
    // prints its own messages (and KUnit's kunit_log() lines) unindented
    // amid a suite's results.
    absl::string_view content = absl::StripLeadingAsciiWhitespace(line);
    if (!LooksLikeTap(content) && content[0] != '#' && content[0] != '}') {
      if (strict_) AddDiagnostic(absl::StrCat("non-TAP line: ", line));
      return;
    }
    CloseChild();
  }
  TopLine(line);
}

void Parser::TopLine(absl::string_view line) {
  bool after_point = last_line_was_point_;
  last_line_was_point_ = false;
  if (IsBlank(line)) return;
  if (buffered_) {
    if (absl::StripTrailingAsciiWhitespace(line) == "}") {
      CloseBuffered();
      return;
    }
    // Its body (indented) and Test2's diagnostics (`# ...`) may come
    // before the brace; anything else means there is no brace.
    if (line[0] != ' ' && line[0] != '\t' && line[0] != '#') FlushBuffered();
  }

  bool first = !seen_first_line_;
  seen_first_line_ = true;
  std::string kind;
  int version = 0;
  // Cheap first-character checks keep the regular expressions off the
  // common lines: a stream may hold millions of points.
  if ((line[0] == 'T' || line[0] == 'K') &&
      RE2::FullMatch(Piece(line), VersionRe(), &kind, &version)) {
    if (!first) {
      AddDiagnostic(
          absl::StrCat("version line '", line, "' is not the first line"));
    } else if (kind == "KTAP") {
      doc_.ktap = true;
      doc_.version = version;
    } else if (version == 13 || version == 14) {
      doc_.version = version;
    } else {
      AddDiagnostic(absl::StrCat("unsupported TAP version ", version));
    }
    return;
  }

  size_t indent = LeadingSpaces(line);
  if (indent > 0) {
    absl::string_view content = line.substr(indent);
    if (after_point && indent >= 2 &&
        absl::StripTrailingAsciiWhitespace(content) == "---") {
      in_yaml_ = true;
      yaml_indent_ = std::string(indent, ' ');
      return;
    }
    if (depth_ < options_.max_depth &&
        (LooksLikeTap(content) || IsSubtestComment(content))) {
      // TAP 14 indents subtests by 4 spaces, KTAP by 2 (or 4 in older
      // kernels): the first line of the subtest tells which.
      int child_indent = static_cast<int>(std::min<size_t>(indent, 4));
      StartChild(child_indent, line);
      return;
    }
    if (strict_) AddDiagnostic(absl::StrCat("non-TAP line: ", line));
    return;
  }

  if (IsSubtestComment(line)) {
    pending_name_ = SubtestName(line);
    return;
  }
  if (absl::StartsWith(line, "#:")) {
    ParseMetadataLine(line.substr(2));
    return;
  }
  if (line[0] == '#') {
    // `# TAP version N` starts TAP nested in comments; its `# ` lines
    // follow until the point they belong to.
    absl::string_view inner = line.substr(1);
    absl::ConsumePrefix(&inner, " ");
    if (comment_child_ == nullptr && depth_ < options_.max_depth &&
        (absl::StartsWith(inner, "TAP version ") ||
         absl::StartsWith(inner, "KTAP version "))) {
      comment_child_ = std::make_unique<Parser>(options_, depth_ + 1);
    }
    if (comment_child_ != nullptr) comment_child_->Line(inner);
    return;  // a comment
  }

  absl::string_view rest = line;
  if (absl::ConsumePrefix(&rest, "Bail out!")) {
    doc_.bailed_out = true;
    doc_.bail_reason = std::string(absl::StripAsciiWhitespace(rest));
    return;
  }
  std::string sign, name;
  if (line[0] == 'p' && RE2::FullMatch(Piece(line), PragmaRe(), &sign, &name)) {
    doc_.pragmas.push_back(sign + name);
    if (name == "strict") strict_ = sign == "+";
    return;
  }
  if (line[0] == '1' && RE2::FullMatch(Piece(line), PlanRe())) {
    ParsePlan(line);
    return;
  }
  if (StartsWithWord(line, "ok")) {
    ParsePoint(true, line.substr(2));
    last_line_was_point_ = true;
    return;
  }
  if (StartsWithWord(line, "not ok")) {
    ParsePoint(false, line.substr(6));
    last_line_was_point_ = true;
    return;
  }
  if (strict_) AddDiagnostic(absl::StrCat("non-TAP line: ", line));
}

void Parser::ParseMetadataLine(absl::string_view text) {
  // `#:key: value`; a line without the second colon is a key alone.
  size_t colon = text.find(':');
  std::string key(absl::StripAsciiWhitespace(text.substr(0, colon)));
  std::string value(colon == absl::string_view::npos
                        ? ""
                        : absl::StripAsciiWhitespace(text.substr(colon + 1)));
  if (key.empty()) return;
  // Before the plan and the first point, it describes the document; after,
  // the next point.
  bool document = !doc_.has_plan && doc_.point_count == 0 && !buffered_;
  (document ? doc_.metadata : pending_metadata_)
      .emplace_back(std::move(key), std::move(value));
}

void Parser::ParsePlan(absl::string_view line) {
  int64_t count = 0;
  std::string comment;
  RE2::FullMatch(Piece(line), PlanRe(), &count, &comment);
  if (doc_.has_plan) {
    AddDiagnostic(absl::StrCat("more than one plan: '", line, "'"));
    return;
  }
  doc_.has_plan = true;
  doc_.plan.count = count;
  doc_.plan.skip_all = count == 0;
  doc_.plan.at_end = doc_.point_count > 0;
  absl::string_view reason = absl::StripAsciiWhitespace(comment);
  if (absl::StartsWithIgnoreCase(reason, "skip")) {
    size_t n = 0;
    while (n < reason.size() && !absl::ascii_isspace(reason[n])) ++n;
    reason = absl::StripAsciiWhitespace(reason.substr(n));
  }
  doc_.plan.reason = std::string(reason);
}

void Parser::ParsePoint(bool ok, absl::string_view rest) {
  TestPoint point;
  point.ok = ok;
  rest = absl::StripLeadingAsciiWhitespace(rest);
  size_t digits = 0;
  while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) ++digits;
  if (digits > 0 && absl::SimpleAtoi(rest.substr(0, digits), &point.number)) {
    point.numbered = true;
    rest = absl::StripLeadingAsciiWhitespace(rest.substr(digits));
  }
  if (absl::StartsWith(rest, "- ") || rest == "-") rest.remove_prefix(1);
  absl::string_view directive;
  bool has_directive = false;
  SplitDescription(rest, &point.description, &directive, &has_directive);
  if (has_directive) ParseDirective(directive, &point);
  FlushBuffered();
  absl::string_view d = point.description;
  if (d == "{" || absl::EndsWith(d, " {")) {
    buffered_ = std::move(point);
    return;
  }
  AddPoint(std::move(point));
}

void Parser::CloseBuffered() {
  TestPoint point = *std::move(buffered_);
  buffered_.reset();
  absl::string_view d = point.description;
  point.description = std::string(
      absl::StripTrailingAsciiWhitespace(d.substr(0, d.size() - 1)));
  // The subtest just closed (none if it was empty) is this point's.
  if (pending_subtest_ != nullptr && pending_subtest_name_.empty()) {
    pending_subtest_name_ = point.description;
  }
  AddPoint(std::move(point));
}

void Parser::FlushBuffered() {
  if (!buffered_) return;
  // No brace came: a plain point. A subtest seen after it is, by TAP 14,
  // the next point's.
  std::shared_ptr<Document> subtest = std::move(pending_subtest_);
  std::string subtest_name = std::move(pending_subtest_name_);
  pending_subtest_ = nullptr;
  TestPoint point = *std::move(buffered_);
  buffered_.reset();
  AddPoint(std::move(point));
  pending_subtest_ = std::move(subtest);
  pending_subtest_name_ = std::move(subtest_name);
}

void Parser::AddPoint(TestPoint point) {
  if (doc_.has_plan && doc_.plan.at_end) {
    AddDiagnostic("test point after the plan at the end");
  }
  if (point.numbered) {
    if (point.number != expected_number_) {
      if (seen_numbers_.contains(point.number)) {
        AddDiagnostic(absl::StrCat("duplicate test number ", point.number));
      } else {
        AddDiagnostic(absl::StrCat("test number ", point.number,
                                   " out of order (expected ", expected_number_,
                                   ")"));
      }
    }
  } else {
    point.number = expected_number_;
  }
  // The largest number a line can hold has no successor: stay there (a
  // later point is then out of order, as it should be).
  expected_number_ = point.number < std::numeric_limits<int64_t>::max()
                         ? point.number + 1
                         : point.number;
  if (seen_numbers_.size() < static_cast<size_t>(options_.max_points)) {
    seen_numbers_.insert(point.number);
  }
  if (doc_.has_plan && !doc_.plan.at_end && point.number > doc_.plan.count) {
    AddDiagnostic(absl::StrCat("test number ", point.number,
                               " is beyond the plan 1..", doc_.plan.count));
  }

  point.metadata = std::move(pending_metadata_);
  pending_metadata_.clear();
  std::shared_ptr<Document> commented;
  if (comment_child_ != nullptr) {
    commented = std::make_shared<Document>(comment_child_->Finish());
    comment_child_ = nullptr;
  }
  if (pending_subtest_ != nullptr) {
    point.subtest = std::move(pending_subtest_);
    point.subtest_name = std::move(pending_subtest_name_);
    pending_subtest_ = nullptr;
    if (point.ok && !point.subtest->ok() &&
        point.directive == Directive::kNone) {
      AddDiagnostic(
          absl::StrCat("test ", point.number, " is ok but its subtest failed"));
    }
  }
  if (commented != nullptr && point.subtest == nullptr) {
    point.subtest = std::move(commented);
    point.subtest_from_comments = true;
  }

  ++doc_.point_count;
  if (point.failing()) ++doc_.failed;
  if (point.directive == Directive::kSkip) ++doc_.skipped;
  if (point.directive == Directive::kTodo) ++doc_.todo;
  if (doc_.points.size() < static_cast<size_t>(options_.max_points)) {
    doc_.points.push_back(std::move(point));
    yaml_owner_ = &doc_.points.back();
  } else {
    StoreLatePoint(std::move(point));
  }
}

void Parser::StoreLatePoint(TestPoint point) {
  // The window holds the last max_tail points; one that leaves it is kept
  // if it failed (while there is room), else only counted.
  tail_.emplace_back(doc_.point_count - 1, std::move(point));
  yaml_owner_ = &tail_.back().second;
  if (tail_.size() <=
      static_cast<size_t>(std::max<int64_t>(options_.max_tail, 0))) {
    return;
  }
  bool leaving_is_newest = tail_.size() == 1;
  bool kept = false;
  if (tail_.front().second.failing() &&
      late_failures_.size() < static_cast<size_t>(options_.max_late_failures)) {
    late_failures_.push_back(std::move(tail_.front()));
    kept = true;
  }
  tail_.pop_front();
  // Without a window the point left at once: its YAML follows it.
  if (leaving_is_newest) {
    yaml_owner_ = kept ? &late_failures_.back().second : nullptr;
  }
}

void Parser::StartChild(int indent, absl::string_view first_line) {
  if (pending_subtest_ != nullptr) {
    AddDiagnostic("subtest without a closing test point");
    pending_subtest_ = nullptr;
  }
  child_ = std::make_unique<Parser>(options_, depth_ + 1);
  child_indent_ = indent;
  child_name_ = std::move(pending_name_);
  pending_name_.clear();
  absl::string_view content = first_line.substr(LeadingSpaces(first_line));
  if (IsSubtestComment(content)) child_name_ = SubtestName(content);
  child_->Line(first_line.substr(indent));
}

void Parser::CloseChild() {
  // KTAP and some TAP producers put `# Subtest: NAME` inside the subtest,
  // after its version line: a name no grandchild claimed is the child's.
  if (child_name_.empty()) child_name_ = std::move(child_->pending_name_);
  pending_subtest_ = std::make_shared<Document>(child_->Finish());
  pending_subtest_name_ = std::move(child_name_);
  child_name_.clear();
  child_ = nullptr;
}

Document Parser::Finish() {
  if (!partial_.empty()) {
    std::string last = std::move(partial_);
    partial_.clear();
    Line(last);
  }
  if (in_yaml_) {
    in_yaml_ = false;
    AddDiagnostic("unterminated YAML block");
  }
  if (child_ != nullptr) CloseChild();
  if (buffered_) {
    if (pending_subtest_ != nullptr) {
      absl::string_view name = buffered_->description;
      name =
          absl::StripTrailingAsciiWhitespace(name.substr(0, name.size() - 1));
      AddDiagnostic(
          absl::StrCat("buffered subtest '", name, "' has no closing }"));
      CloseBuffered();
    } else {
      FlushBuffered();
    }
  }
  if (pending_subtest_ != nullptr) {
    AddDiagnostic(absl::StrCat("subtest '", pending_subtest_name_,
                               "' has no closing test point"));
    pending_subtest_ = nullptr;
  }
  if (!doc_.bailed_out) {
    if (!doc_.has_plan) {
      AddDiagnostic("no plan");
    } else if (doc_.plan.skip_all && doc_.point_count > 0) {
      AddDiagnostic(
          absl::StrCat("plan 1..0 but ran ", doc_.point_count, " tests"));
    } else if (doc_.point_count != doc_.plan.count) {
      AddDiagnostic(absl::StrCat("planned ", doc_.plan.count, " tests but ran ",
                                 doc_.point_count));
    }
  }
  if (dropped_diagnostics_ > 0) {
    doc_.diagnostics.push_back(
        absl::StrCat("... and ", dropped_diagnostics_, " more diagnostics"));
  }
  // The late points, failing and last, after the first ones in stream
  // order.
  yaml_owner_ = nullptr;
  auto failure = late_failures_.begin();
  auto last = tail_.begin();
  while (failure != late_failures_.end() || last != tail_.end()) {
    bool take_failure =
        last == tail_.end() ||
        (failure != late_failures_.end() && failure->first < last->first);
    auto& next = take_failure ? *failure++ : *last++;
    doc_.points.push_back(std::move(next.second));
  }
  late_failures_.clear();
  tail_.clear();
  return std::move(doc_);
}

Document ParseString(absl::string_view text, const Options& options) {
  Parser parser(options);
  parser.Feed(text);
  return parser.Finish();
}

}  // namespace tap
