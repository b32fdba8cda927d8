// Fuzzes change batches on the small fixed tenant (fuzz_tenant.h), processed: the input is a JSON
// batch. Checked: a refused batch changes nothing; the responses are valid JSON; after processing
// the invariants hold (consumed equals the holders, never above the seats unless it already was,
// all or nothing per group, no conflicting plans in force); the export reloads as it is; the same
// batch inside a journal rolls back to the tenant as it was.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../engine/invariants.h"
#include "fuzz_checks.h"
#include "fuzz_tenant.h"

using gbl::Engine;
using gbl::fuzz::Require;

namespace {

/// A fresh engine on the fixed tenant, processed.
void Prepare(Engine* e) {
  Require(e->LoadDocument(gbl::fuzz::kFuzzTenant).Ok(), "the fixed tenant loads");
  e->ProcessAll();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view batch(reinterpret_cast<const char*>(data), size);
  Engine e;
  Prepare(&e);
  const std::string before = e.ExportDocument();
  const std::vector<int64_t> consumed = gbl::fuzz::Consumed(e);

  auto r = e.ApplyBatch(batch);
  if (!r.Ok()) {
    Require(!r.GetError().message.empty(), "an error names what is wrong");
    Require(e.ExportDocument() == before, "a refused batch changes nothing");
    return 0;
  }
  gbl::fuzz::RequireJson(r.Value(), "the batch responses");
  e.ProcessAll();
  const std::string broken = gbl::testing::Violation(e.GetTenant(), true, consumed);
  Require(broken.empty(), "the processed tenant keeps the invariants: " + broken);
  gbl::fuzz::RequireReloadsAsIs(e.ExportDocument());

  Engine journaled;
  Prepare(&journaled);
  journaled.BeginJournal();
  auto again = journaled.ApplyBatch(batch);
  Require(again.Ok(), "the batch applies the same way inside a journal");
  journaled.ProcessAll();
  Require(journaled.RollBack().Ok(), "the journal rolls back");
  Require(journaled.ExportDocument() == before, "a rollback gives the tenant as it was");
  return 0;
}
