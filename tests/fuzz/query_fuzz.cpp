// Fuzzes console queries on the small fixed tenant after processing and one change (so audit
// events exist): the input is a query. Checked: an answer is valid JSON, an error names itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_checks.h"
#include "fuzz_tenant.h"

using gbl::Engine;
using gbl::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Engine* engine = [] {
    auto* e = new Engine();
    Require(e->LoadDocument(gbl::fuzz::kFuzzTenant).Ok(), "the fixed tenant loads");
    auto r = e->ApplyBatch(
        R"({"requests":[{"id":"1","method":"POST","url":"/groups/g1/assignLicense","body":)"
        R"({"addLicenses":[{"skuId":"6fd2c87f-b296-42f0-b197-1e91e994b900","disabledPlans":[]}],)"
        R"("removeLicenses":[]}}]})");
    Require(r.Ok(), "the set-up batch applies");
    e->ProcessAll();
    return e;
  }();
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto r = engine->Query(query);
  if (r.Ok()) {
    gbl::fuzz::RequireJson(r.Value(), "the query's answer");
  } else {
    Require(!r.GetError().message.empty() && !r.GetError().code.empty(),
            "an error names what is wrong");
  }
  return 0;
}
