// libFuzzer entry point: any bytes, fed in two chunks, must parse without
// crashing, and the document's counts must agree with what it stored.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "tap/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  tap::Options options;
  options.max_points = 64;
  options.max_line_length = 256;
  tap::Parser parser(options);
  size_t half = size / 2;
  parser.Feed(bytes.substr(0, half));
  parser.Feed(bytes.substr(half));
  tap::Document doc = parser.Finish();
  if (doc.points.size() > static_cast<size_t>(doc.point_count)) abort();
  if (doc.failed > doc.point_count) abort();
  return 0;
}
