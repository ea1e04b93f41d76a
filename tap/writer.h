// Writes TAP 14 to a stream: version line, plan, test points with
// directives and YAML diagnostics, and indented subtests.
//
// Descriptions are escaped (`#` and `\`), and newlines in them are replaced
// by spaces, so any string yields one well-formed line that tap::Parser
// reads back to the same text.
//
//   tap::Writer w(&out);
//   w.Version();
//   w.Plan(2);
//   w.BeginSubtest("foo");  w.Plan(1);  w.Point({true, 1, "a"});
//   w.EndSubtest(); w.Point({true, 1, "foo"});
#ifndef PROCTOR_TAP_WRITER_H_
#define PROCTOR_TAP_WRITER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "tap/parser.h"

namespace tap {

struct PointToWrite {
  bool ok = true;
  int64_t number = 0;
  std::string description;
  Directive directive = Directive::kNone;
  std::string reason;
  // Written as a YAML block: each value as a double-quoted scalar.
  std::vector<std::pair<std::string, std::string>> yaml;
};

class Writer {
 public:
  explicit Writer(std::ostream* out) : out_(out) {}

  void Version();
  void Plan(int64_t count, absl::string_view skip_reason = "");
  void Point(const PointToWrite& point);
  void Comment(absl::string_view text);
  void BailOut(absl::string_view reason);
  // Lines up to the matching EndSubtest() are indented by 4 more spaces.
  void BeginSubtest(absl::string_view name);
  void EndSubtest();

 private:
  void Line(absl::string_view text);

  std::ostream* out_;
  int depth_ = 0;
};

// `#` -> `\#`, `\` -> `\\`, line breaks -> spaces.
std::string EscapeDescription(absl::string_view text);
// A YAML double-quoted scalar holding `text`.
std::string YamlQuote(absl::string_view text);

}  // namespace tap

#endif  // PROCTOR_TAP_WRITER_H_
