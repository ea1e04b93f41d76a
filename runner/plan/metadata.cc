#include "runner/plan/metadata.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/duration.h"

namespace proctor {
namespace {

// A shell variable name: what env:VAR may name, so that the guest's shell
// can test it without quoting.
bool IsVariableName(absl::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok =
        c == '_' || absl::ascii_isalpha(c) || (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return !name.empty();
}

void AddList(absl::string_view value, std::vector<std::string>* out) {
  for (absl::string_view item : absl::StrSplit(value, ',', absl::SkipEmpty())) {
    out->emplace_back(absl::StripAsciiWhitespace(item));
  }
}

absl::Status ApplyKey(absl::string_view key, absl::string_view value,
                      Metadata* md) {
  if (key == "timeout") {
    absl::StatusOr<absl::Duration> d = ParseTimeout(value);
    if (!d.ok()) return d.status();
    md->timeout = *d;
  } else if (key == "where") {
    absl::StatusOr<Where> w = ParseWhere(value);
    if (!w.ok()) return w.status();
    md->where = *w;
  } else if (key == "format") {
    absl::StatusOr<OutputFormat> f = ParseFormat(value);
    if (!f.ok()) return f.status();
    md->format = *f;
  } else if (key == "requires") {
    std::vector<std::string> reqs;
    AddList(value, &reqs);
    for (const std::string& r : reqs) {
      absl::Status s = ValidateRequirement(r);
      if (!s.ok()) return s;
      md->requires_.push_back(r);
    }
  } else if (key == "tags") {
    AddList(value, &md->tags);
  } else if (key == "junit") {
    // Inside $OUTPUTDIR: relative, and never climbing out of it.
    bool climbs = absl::StartsWith(value, "/") || value == ".." ||
                  absl::StartsWith(value, "../") ||
                  absl::StrContains(value, "/../") ||
                  absl::EndsWith(value, "/..");
    if (value.empty() || climbs) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad junit '", value, "' (want a path inside $OUTPUTDIR)"));
    }
    md->junit = std::string(value);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown metadata key '", key,
        "' (known: timeout, where, requires, tags, format, junit)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Where> ParseWhere(absl::string_view text) {
  if (text == "host") return Where::kHost;
  if (text == "guest") return Where::kGuest;
  if (text == "both") return Where::kBoth;
  return absl::InvalidArgumentError(
      absl::StrCat("bad where '", text, "' (want host, guest or both)"));
}

absl::StatusOr<OutputFormat> ParseFormat(absl::string_view text) {
  if (text == "auto") return OutputFormat::kAuto;
  if (text == "tap") return OutputFormat::kTap;
  if (text == "exit") return OutputFormat::kExit;
  return absl::InvalidArgumentError(
      absl::StrCat("bad format '", text, "' (want auto, tap or exit)"));
}

std::string WhereName(Where where) {
  switch (where) {
    case Where::kHost:
      return "host";
    case Where::kGuest:
      return "guest";
    case Where::kBoth:
      return "both";
  }
  return "host";
}

absl::Status ValidateRequirement(absl::string_view r) {
  if (r == "kvm" || r == "root" || r == "vm") return absl::OkStatus();
  for (absl::string_view prefix : {"cmd:", "file:", "env:", "config:"}) {
    if (absl::StartsWith(r, prefix)) {
      if (r.size() == prefix.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("requirement '", r, "' names nothing"));
      }
      if (prefix == "env:" && !IsVariableName(r.substr(prefix.size()))) {
        return absl::InvalidArgumentError(
            absl::StrCat("requirement '", r, "' is not a variable name"));
      }
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown requirement '", r,
                   "' (known: cmd:NAME, file:PATH, env:VAR, config:CONFIG_NAME, kvm, "
                   "root, vm)"));
}

absl::StatusOr<Metadata> ParseMetadata(absl::string_view head) {
  Metadata md;
  for (absl::string_view line : absl::StrSplit(head, '\n')) {
    size_t at = line.find("proctor:");
    if (at == absl::string_view::npos) continue;
    // Only a comment line counts: what precedes the marker is a comment
    // leader and blanks, so a string in code that mentions "proctor:" does
    // not.
    absl::string_view leader = absl::StripAsciiWhitespace(line.substr(0, at));
    if (leader.empty() ||
        !std::all_of(leader.begin(), leader.end(), absl::ascii_ispunct)) {
      continue;
    }
    absl::string_view rest = line.substr(at + 8);
    absl::ConsumeSuffix(&rest, "\r");
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, "*/");
    absl::ConsumeSuffix(&rest, "-->");
    for (absl::string_view word :
         absl::StrSplit(rest, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(word, absl::MaxSplits('=', 1));
      if (!absl::StrContains(word, '=') || kv.second.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad metadata '", word, "' (want key=value)"));
      }
      absl::Status s = ApplyKey(kv.first, kv.second, &md);
      if (!s.ok()) return s;
    }
  }
  return md;
}

absl::StatusOr<Metadata> ParseFileHead(absl::string_view head) {
  head = head.substr(0, kMetadataWindow);
  // A line cut at the window's end is not a complete metadata line.
  if (head.size() == kMetadataWindow) {
    size_t nl = head.rfind('\n');
    head = head.substr(0, nl == absl::string_view::npos ? 0 : nl);
  }
  return ParseMetadata(head);
}

absl::StatusOr<Metadata> ReadMetadata(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Metadata();  // unreadable files fail when they run
  std::string head(kMetadataWindow, '\0');
  in.read(&head[0], head.size());
  head.resize(static_cast<size_t>(in.gcount()));
  return ParseFileHead(head);
}

}  // namespace proctor
