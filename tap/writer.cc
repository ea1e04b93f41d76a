#include "tap/writer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tap {

std::string EscapeDescription(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '#' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string YamlQuote(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

void Writer::Line(absl::string_view text) {
  std::string indent(4 * depth_, ' ');
  *out_ << indent << text << '\n';
}

void Writer::Version() { Line("TAP version 14"); }

void Writer::Plan(int64_t count, absl::string_view skip_reason) {
  if (count == 0 && !skip_reason.empty()) {
    Line(absl::StrCat("1..0 # SKIP ", EscapeDescription(skip_reason)));
  } else {
    Line(absl::StrCat("1..", count));
  }
}

void Writer::Point(const PointToWrite& point) {
  std::string line = absl::StrCat(point.ok ? "ok " : "not ok ", point.number);
  if (!point.description.empty()) {
    absl::StrAppend(&line, " - ", EscapeDescription(point.description));
  }
  if (point.directive != Directive::kNone) {
    absl::StrAppend(&line, " # ",
                    point.directive == Directive::kSkip ? "SKIP" : "TODO");
    if (!point.reason.empty()) {
      absl::StrAppend(&line, " ", EscapeDescription(point.reason));
    }
  }
  Line(line);
  if (!point.yaml.empty()) {
    Line("  ---");
    for (const auto& [key, value] : point.yaml) {
      Line(absl::StrCat("  ", key, ": ", YamlQuote(value)));
    }
    Line("  ...");
  }
}

void Writer::Comment(absl::string_view text) {
  std::string one_line(text);
  for (char& c : one_line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  Line(absl::StrCat("# ", one_line));
}

void Writer::BailOut(absl::string_view reason) {
  Line(absl::StrCat("Bail out! ", EscapeDescription(reason)));
}

void Writer::BeginSubtest(absl::string_view name) {
  ++depth_;
  Line(absl::StrCat("# Subtest: ", EscapeDescription(name)));
}

void Writer::EndSubtest() {
  if (depth_ > 0) --depth_;
}

}  // namespace tap
