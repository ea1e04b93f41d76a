// A small wrapper over libxml2's text writer for documents held in memory:
// elements, attributes and text, each made XML-safe (text from tests is
// any bytes). The JUnit report and the HTML report are written with it.
#ifndef PROCTOR_RUNNER_REPORT_XML_WRITER_H_
#define PROCTOR_RUNNER_REPORT_XML_WRITER_H_

#include <libxml/xmlwriter.h>

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "runner/base/text.h"

namespace proctor {

class XmlWriter {
 public:
  // `declaration`: start with <?xml ...?> (JUnit) or not (HTML).
  explicit XmlWriter(bool declaration = true)
      : buffer_(xmlBufferCreate()),
        writer_(xmlNewTextWriterMemory(buffer_.get(), 0)) {
    xmlTextWriterSetIndent(writer_.get(), 1);
    if (declaration)
      xmlTextWriterStartDocument(writer_.get(), nullptr, "UTF-8", nullptr);
  }
  void Start(const char* name) {
    xmlTextWriterStartElement(writer_.get(), X(name));
  }
  void End() { xmlTextWriterEndElement(writer_.get()); }
  // Ends an element with an explicit end tag, even when it is empty (HTML
  // needs <script></script>, <td></td>).
  void FullEnd() { xmlTextWriterFullEndElement(writer_.get()); }
  void Attr(const char* name, absl::string_view value) {
    std::string safe = XmlSafe(value);
    xmlTextWriterWriteAttribute(writer_.get(), X(name), X(safe.c_str()));
  }
  void Text(absl::string_view value) {
    std::string safe = XmlSafe(value);
    xmlTextWriterWriteString(writer_.get(), X(safe.c_str()));
  }
  // Markup written as it is (a style sheet or script of our own).
  void Raw(absl::string_view markup) {
    std::string copy(markup);
    xmlTextWriterWriteRaw(writer_.get(), X(copy.c_str()));
  }
  // Ends the document and returns it.
  std::string Finish() {
    xmlTextWriterEndDocument(writer_.get());
    writer_.reset();  // flushes into the buffer
    return std::string(
        reinterpret_cast<const char*>(xmlBufferContent(buffer_.get())),
        xmlBufferLength(buffer_.get()));
  }

 private:
  static const xmlChar* X(const char* s) {
    return reinterpret_cast<const xmlChar*>(s);
  }
  struct WriterDeleter {
    void operator()(xmlTextWriter* w) const { xmlFreeTextWriter(w); }
  };
  struct BufferDeleter {
    void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
  };
  std::unique_ptr<xmlBuffer, BufferDeleter> buffer_;
  std::unique_ptr<xmlTextWriter, WriterDeleter> writer_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_XML_WRITER_H_
