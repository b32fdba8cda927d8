// Fuzzes the document loader: the input is a tenant document. It is loaded whole and streamed in
// pieces split at points drawn from the input's hash (the same input, the same split). Checked:
// both give the same result or the same error; a failed load leaves the tenant as it was; a
// loaded tenant keeps the invariants, exports valid JSON, and the export reloads as it is.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../engine/invariants.h"
#include "fuzz_checks.h"
#include "fuzz_tenant.h"

using gbl::Engine;
using gbl::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Engine whole, streamed;
  Require(whole.LoadDocument(gbl::fuzz::kFuzzTenant).Ok(), "the fixed tenant loads");
  Require(streamed.LoadDocument(gbl::fuzz::kFuzzTenant).Ok(), "the fixed tenant loads");
  const std::string before = whole.ExportDocument();

  auto r = whole.LoadDocument(text);

  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  streamed.BeginLoad(h & 1 ? size : 0);
  bool fed = true;
  std::string feed_error;
  for (size_t at = 0; at < size && fed;) {
    h = h * 6364136223846793005ULL + 1442695040888963407ULL;
    const size_t piece = (h >> 33) % 4 == 0 ? 1 + (h >> 40) % 4096 : 1 + (h >> 40) % 17;
    const size_t n = std::min(piece, size - at);
    auto f = streamed.FeedLoad(text.substr(at, n));
    if (!f.Ok()) {
      fed = false;
      feed_error = f.GetError().message;
    }
    at += n;
  }
  auto s = streamed.FinishLoad();
  const std::string streamed_error = !fed ? feed_error : s.Ok() ? "" : s.GetError().message;

  Require(r.Ok() == (fed && s.Ok()), "whole and streamed loads agree on success: whole " +
                                         (r.Ok() ? "ok" : r.GetError().message) + ", streamed " +
                                         (streamed_error.empty() ? "ok" : streamed_error));
  if (!r.Ok()) {
    Require(r.GetError().message == streamed_error,
            "the same error: \"" + r.GetError().message + "\" vs \"" + streamed_error + "\"");
    Require(!r.GetError().message.empty(), "an error names what is wrong");
    Require(whole.ExportDocument() == before, "a failed load leaves the tenant as it was");
    Require(streamed.ExportDocument() == before, "a failed streamed load leaves the tenant");
    return 0;
  }
  const std::string exported = whole.ExportDocument();
  Require(streamed.ExportDocument() == exported, "whole and streamed loads give the same tenant");
  const std::string broken =
      gbl::testing::Violation(whole.GetTenant(), false, gbl::fuzz::Consumed(whole));
  Require(broken.empty(), "the loaded tenant keeps the invariants: " + broken);
  gbl::fuzz::RequireReloadsAsIs(exported);
  return 0;
}
