#include "runner/engine/junit_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/xmlreader.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "re2/re2.h"
#include "runner/base/text.h"
#include "runner/base/unique_fd.h"

namespace proctor {
namespace {

// Reads the file up to a limit, for libxml2's reader. A UTF-8 file (the
// default, and what GoogleTest and pytest declare) is given to libxml2
// made valid: an invalid byte in a case name becomes U+FFFD and a control
// character is dropped, instead of ending the parse with every case after
// it lost. A file declaring another encoding is given as it is.
class Source {
 public:
  Source(int fd, int64_t limit) : fd_(fd), left_(limit) {}

  static int Read(void* context, char* buffer, int len) {
    return static_cast<Source*>(context)->Give(buffer, len);
  }

 private:
  int Give(char* buffer, int len) {
    if (pos_ == pending_.size()) {
      pending_.clear();
      pos_ = 0;
      if (!Refill()) return -1;
    }
    size_t n = std::min(pending_.size() - pos_, static_cast<size_t>(len));
    memcpy(buffer, pending_.data() + pos_, n);
    pos_ += n;
    return static_cast<int>(n);
  }

  // Fills pending_ with the next chunk; false on a read error. Empty at
  // the end.
  bool Refill() {
    while (pending_.empty() && (left_ > 0 || !carry_.empty())) {
      char raw[64 * 1024];
      ssize_t n = 0;
      if (left_ > 0) {
        n = read(fd_, raw,
                 static_cast<size_t>(std::min<int64_t>(sizeof(raw), left_)));
        if (n < 0) return false;
        left_ = n == 0 ? 0 : left_ - n;
      }
      absl::string_view chunk(raw, static_cast<size_t>(n));
      if (first_) {
        first_ = false;
        sanitize_ = DeclaresUtf8(chunk);
      }
      if (!sanitize_) {
        pending_.assign(chunk.data(), chunk.size());
        continue;
      }
      std::string text = carry_ + std::string(chunk);
      size_t keep = left_ > 0 ? UnfinishedUtf8Tail(text) : 0;
      carry_ = text.substr(text.size() - keep);
      pending_ = XmlSafe(absl::string_view(text).substr(0, text.size() - keep));
    }
    return true;
  }

  // True unless the start of the file says it is not UTF-8: a UTF-16 byte
  // order mark or an XML declaration naming another encoding.
  static bool DeclaresUtf8(absl::string_view start) {
    if (absl::StartsWith(start, "\xfe\xff") ||
        absl::StartsWith(start, "\xff\xfe")) {
      return false;
    }
    absl::ConsumePrefix(&start, "\xef\xbb\xbf");
    static const RE2* const kDeclaration = [] {
      RE2::Options latin1;
      latin1.set_encoding(RE2::Options::EncodingLatin1);
      return new RE2(R"(^<\?xml[^>]*\sencoding\s*=\s*["']([^"']*))", latin1);
    }();
    std::string encoding;
    absl::string_view head = start.substr(0, 200);
    if (RE2::PartialMatch(re2::StringPiece(head.data(), head.size()),
                          *kDeclaration, &encoding)) {
      return absl::EqualsIgnoreCase(encoding, "utf-8") ||
             absl::EqualsIgnoreCase(encoding, "utf8");
    }
    return true;
  }

  int fd_;
  int64_t left_;  // bytes of the file still to read
  bool first_ = true;
  bool sanitize_ = true;
  std::string carry_;  // a character cut by the end of the last chunk
  std::string pending_;
  size_t pos_ = 0;
};

int CloseNothing(void*) { return 0; }

void CollectError(void* context, const char* message,
                  xmlParserSeverities severity, xmlTextReaderLocatorPtr) {
  auto* errors = static_cast<std::vector<std::string>*>(context);
  // Warnings are not worth a diagnostic.
  if (severity == XML_PARSER_SEVERITY_WARNING ||
      severity == XML_PARSER_SEVERITY_VALIDITY_WARNING) {
    return;
  }
  if (errors->size() < 3) {
    errors->push_back(
        std::string(absl::StripAsciiWhitespace(message ? message : "")));
  }
}

std::string Attribute(xmlTextReaderPtr r, const char* name) {
  xmlChar* v = xmlTextReaderGetAttribute(r, BAD_CAST name);
  if (v == nullptr) return "";
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

std::string Name(xmlTextReaderPtr r) {
  const xmlChar* n = xmlTextReaderConstLocalName(r);
  return n == nullptr ? "" : reinterpret_cast<const char*>(n);
}

class Collector {
 public:
  Collector(const JunitOptions& options, JunitReport* report)
      : options_(options), report_(report) {}

  void StartCase(xmlTextReaderPtr r) {
    in_case_ = true;
    case_ = JunitCase();
    case_.suite = suites_.empty() ? "" : suites_.back();
    case_.classname = Attribute(r, "classname");
    case_.name = Attribute(r, "name");
    double seconds = 0;
    if (absl::SimpleAtod(Attribute(r, "time"), &seconds)) {
      case_.seconds = seconds;
    }
    // GoogleTest marks skipped and disabled tests on the case itself.
    if (Attribute(r, "result") == "skipped" ||
        Attribute(r, "status") == "notrun") {
      case_.outcome = JunitCase::Outcome::kSkip;
    }
  }

  void Outcome(xmlTextReaderPtr r, const std::string& element) {
    if (!in_case_) return;
    JunitCase::Outcome o = element == "failure" ? JunitCase::Outcome::kFail
                           : element == "error" ? JunitCase::Outcome::kError
                                                : JunitCase::Outcome::kSkip;
    // A failure outweighs a skip; the first failure's message is kept.
    if (case_.outcome == JunitCase::Outcome::kFail ||
        case_.outcome == JunitCase::Outcome::kError) {
      return;
    }
    case_.outcome = o;
    case_.message = Attribute(r, "message");
    in_outcome_ = true;
  }

  void Text(xmlTextReaderPtr r) {
    if (!in_outcome_) return;
    const xmlChar* v = xmlTextReaderConstValue(r);
    if (v == nullptr) return;
    size_t room =
        options_.max_text - std::min(options_.max_text, case_.text.size());
    case_.text.append(reinterpret_cast<const char*>(v),
                      std::min(room, strlen(reinterpret_cast<const char*>(v))));
  }

  void EndOutcome() { in_outcome_ = false; }

  void EndCase() {
    if (!in_case_) return;
    in_case_ = false;
    in_outcome_ = false;
    case_.ordinal = ++report_->total;
    bool failing = case_.outcome == JunitCase::Outcome::kFail ||
                   case_.outcome == JunitCase::Outcome::kError;
    if (case_.outcome == JunitCase::Outcome::kFail) ++report_->failed;
    if (case_.outcome == JunitCase::Outcome::kError) ++report_->errors;
    if (case_.outcome == JunitCase::Outcome::kSkip) ++report_->skipped;
    bool room =
        static_cast<int64_t>(report_->cases.size()) < options_.max_cases;
    if (room || (failing && late_failures_ < options_.max_late_failures)) {
      if (!room) ++late_failures_;
      report_->cases.push_back(std::move(case_));
    } else {
      ++report_->not_stored;
    }
  }

  void StartSuite(xmlTextReaderPtr r) {
    suites_.push_back(Attribute(r, "name"));
  }
  void EndSuite() {
    if (!suites_.empty()) suites_.pop_back();
  }
  bool in_case() const { return in_case_; }

 private:
  const JunitOptions& options_;
  JunitReport* report_;
  std::vector<std::string> suites_;
  JunitCase case_;
  bool in_case_ = false;
  bool in_outcome_ = false;
  int64_t late_failures_ = 0;
};

}  // namespace

absl::StatusOr<JunitReport> ReadJunit(const std::string& path,
                                      const JunitOptions& options) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return absl::NotFoundError(path);
    if (errno == ELOOP) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is a symlink: not read"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", path, ": ", strerror(errno)));
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a regular file: not read"));
  }
  JunitReport report;
  if (st.st_size == 0) {
    report.diagnostics.push_back("the JUnit file is empty");
    return report;
  }
  // What the file held when opened, up to the limit: a file still growing
  // is not waited for.
  Source source(fd.get(), std::min<int64_t>(st.st_size, options.max_bytes));
  bool too_big = st.st_size > options.max_bytes;
  std::unique_ptr<xmlTextReader, void (*)(xmlTextReaderPtr)> reader(
      xmlReaderForIO(Source::Read, CloseNothing, &source, nullptr, nullptr,
                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      xmlFreeTextReader);
  if (reader == nullptr) {
    report.diagnostics.push_back("the JUnit file cannot be parsed");
    return report;
  }
  std::vector<std::string> errors;
  xmlTextReaderSetErrorHandler(reader.get(), CollectError, &errors);
  Collector collect(options, &report);
  bool saw_root = false, junit = false;
  int r;
  while ((r = xmlTextReaderRead(reader.get())) == 1) {
    xmlTextReaderPtr x = reader.get();
    int type = xmlTextReaderNodeType(x);
    std::string name = Name(x);
    if (type == XML_READER_TYPE_ELEMENT) {
      if (!saw_root) {
        saw_root = true;
        junit = name == "testsuites" || name == "testsuite";
      }
      bool empty = xmlTextReaderIsEmptyElement(x) == 1;
      if (name == "testsuite") {
        collect.StartSuite(x);
        if (empty) collect.EndSuite();
      } else if (name == "testcase") {
        collect.StartCase(x);
        if (empty) collect.EndCase();
      } else if (collect.in_case() &&
                 (name == "failure" || name == "error" || name == "skipped")) {
        collect.Outcome(x, name);
        if (empty) collect.EndOutcome();
      }
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
      if (name == "testsuite") collect.EndSuite();
      if (name == "testcase") collect.EndCase();
      if (name == "failure" || name == "error" || name == "skipped") {
        collect.EndOutcome();
      }
    } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
      collect.Text(x);
    }
  }
  // A case cut off by the end of what was read still counts.
  if (collect.in_case()) collect.EndCase();
  if (too_big) {
    report.diagnostics.push_back(absl::StrCat("the JUnit file has ", st.st_size,
                                              " bytes: only the first ",
                                              options.max_bytes, " were read"));
  } else if (r < 0) {
    report.diagnostics.push_back(absl::StrCat(
        "the JUnit file is not well-formed XML", errors.empty() ? "" : ": ",
        errors.empty() ? "" : errors[0]));
  } else if (saw_root && !junit) {
    report.diagnostics.push_back(
        "the JUnit file's root is not <testsuites> or <testsuite>");
  } else if (!saw_root) {
    report.diagnostics.push_back("the JUnit file holds no XML element");
  }
  return report;
}

}  // namespace proctor
