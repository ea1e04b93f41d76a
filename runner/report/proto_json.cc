#include "runner/report/proto_json.h"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/type.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"

namespace proctor {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::util::TypeResolver;

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

// What protobuf's printer uses for a generated message, turning each
// message type it meets into a google.protobuf.Type again at every call
// (about a fifth of printing one test); this one does it once a type.
class CachingTypeResolver : public TypeResolver {
 public:
  google::protobuf::util::Status ResolveMessageType(
      const std::string& url, google::protobuf::Type* type) override {
    absl::MutexLock lock(&mu_);
    auto it = types_.find(url);
    if (it == types_.end()) {
      google::protobuf::Type resolved;
      google::protobuf::util::Status s =
          generated_->ResolveMessageType(url, &resolved);
      if (!s.ok()) return s;
      it = types_.emplace(url, std::move(resolved)).first;
    }
    *type = it->second;
    return google::protobuf::util::Status();
  }
  google::protobuf::util::Status ResolveEnumType(
      const std::string& url, google::protobuf::Enum* type) override {
    return generated_->ResolveEnumType(url, type);
  }

 private:
  const std::unique_ptr<TypeResolver> generated_{
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          kTypeUrlPrefix, google::protobuf::DescriptorPool::generated_pool())};
  absl::Mutex mu_;
  std::map<std::string, google::protobuf::Type> types_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::string> Print(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  google::protobuf::util::Status status;
  if (message.GetDescriptor()->file()->pool() ==
      google::protobuf::DescriptorPool::generated_pool()) {
    // What MessageToJsonString does, with the types resolved once.
    static TypeResolver* resolver = new CachingTypeResolver;
    status = google::protobuf::util::BinaryToJsonString(
        resolver,
        absl::StrCat(kTypeUrlPrefix, "/", message.GetDescriptor()->full_name()),
        message.SerializeAsString(), &out, options);
  } else {
    status =
        google::protobuf::util::MessageToJsonString(message, &out, options);
  }
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("JSON: ", std::string(status.message())));
  }
  return out;
}

// The repeated message fields of `message` that hold something.
std::vector<const FieldDescriptor*> FilledLists(const Message& message) {
  std::vector<const FieldDescriptor*> lists;
  const google::protobuf::Descriptor* d = message.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated() && !f->is_map() &&
        f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        message.GetReflection()->FieldSize(message, f) > 0) {
      lists.push_back(f);
    }
  }
  return lists;
}

// One list's elements printed before, for PrintInParts to use as they are.
struct Printed {
  const FieldDescriptor* list = nullptr;
  absl::Span<const std::string* const> elements;
};

absl::StatusOr<std::string> PrintInParts(const Message& message,
                                         const Printed& printed = {}) {
  std::vector<const FieldDescriptor*> lists = FilledLists(message);
  if (lists.empty()) return Print(message);
  // The message with those lists emptied: protobuf prints each as
  // `"name": []`, where the elements, printed alone, then go.
  std::unique_ptr<Message> shell(message.New());
  shell->CopyFrom(message);
  for (const FieldDescriptor* f : lists) {
    shell->GetReflection()->ClearField(shell.get(), f);
  }
  absl::StatusOr<std::string> out = Print(*shell);
  if (!out.ok()) return out.status();
  // Each list's place in the shell, found before any is filled (a filled
  // one holds empty lists of its own), then filled from the last.
  std::vector<std::pair<size_t, const FieldDescriptor*>> places;
  for (const FieldDescriptor* f : lists) {
    // A quote inside a JSON string is escaped: the marker is unique.
    size_t at = out->find(absl::StrCat("\"", f->name(), "\": []"));
    if (at == std::string::npos) {
      return absl::InternalError(
          absl::StrCat("JSON: no empty list for ", f->name()));
    }
    places.push_back({at, f});
  }
  std::sort(places.rbegin(), places.rend());
  const google::protobuf::Reflection* r = message.GetReflection();
  for (const auto& [at, f] : places) {
    size_t line = out->rfind('\n', at) + 1;  // npos + 1 is 0
    // protobuf indents one space a level.
    std::string indent(at - line + 1, ' ');
    std::string elements;
    for (int i = 0; i < r->FieldSize(message, f); ++i) {
      std::string here;  // an element printed now, not before
      absl::string_view e;
      if (f == printed.list) {
        e = *printed.elements[i];
      } else {
        absl::StatusOr<std::string> p =
            PrintInParts(r->GetRepeatedMessage(message, f, i));
        if (!p.ok()) return p.status();
        here = *std::move(p);
        e = here;
      }
      // Printed alone it ends with a newline and starts at column 0.
      absl::ConsumeSuffix(&e, "\n");
      absl::StrAppend(&elements, i == 0 ? "" : ",\n", indent,
                      absl::StrReplaceAll(e, {{"\n", "\n" + indent}}));
    }
    std::string empty = absl::StrCat("\"", f->name(), "\": []");
    out->replace(at, empty.size(),
                 absl::StrCat("\"", f->name(), "\": [\n", elements, "\n",
                              indent.substr(1), "]"));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> ToJson(const Message& message) {
  return PrintInParts(message);
}

absl::StatusOr<std::string> ToJsonWithPrinted(
    const Message& message, absl::string_view list,
    absl::Span<const std::string* const> printed) {
  const FieldDescriptor* f =
      message.GetDescriptor()->FindFieldByName(std::string(list));
  if (f == nullptr || !f->is_repeated() ||
      f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return absl::InternalError(
        absl::StrCat("JSON: no list of messages named ", list));
  }
  int size = message.GetReflection()->FieldSize(message, f);
  if (static_cast<size_t>(size) != printed.size()) {
    return absl::InternalError(absl::StrCat("JSON: ", printed.size(),
                                            " printed elements for ", size,
                                            " in ", list));
  }
  return PrintInParts(message, {f, printed});
}

}  // namespace proctor
