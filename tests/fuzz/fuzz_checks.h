// What every harness checks of the engine's output, and how it reports a broken promise: a
// message naming it, then abort() (libFuzzer keeps the input as a crash).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gbl/engine.h"
#include "tenant.h"
#include "text_encoding.h"

namespace gbl::fuzz {

/// Stops the run when a promise does not hold.
inline void Require(bool ok, const std::string& promise) {
  if (ok) return;
  std::fprintf(stderr, "broken promise: %s\n", promise.c_str());
  std::abort();
}

/// Text the engine writes is well-formed UTF-8 and valid JSON.
inline void RequireJson(std::string_view text, const char* what) {
  Require(FindInvalidUtf8(text) == std::string_view::npos, std::string(what) + " is UTF-8");
  Require(nlohmann::json::accept(text), std::string(what) + " is valid JSON");
}

/// consumedUnits of each SKU, in the tenant's order.
inline std::vector<int64_t> Consumed(const Engine& e) {
  std::vector<int64_t> out;
  for (const auto& sku : e.GetTenant().skus()) out.push_back(sku.consumed);
  return out;
}

/// The export reloads, and the reloaded tenant exports the same bytes.
inline void RequireReloadsAsIs(const std::string& exported) {
  RequireJson(exported, "the export");
  Engine again;
  auto loaded = again.LoadDocument(exported);
  Require(loaded.Ok(), "the export reloads: " + (loaded.Ok() ? "" : loaded.GetError().message));
  Require(again.ExportDocument() == exported, "the reloaded export re-exports identically");
}

}  // namespace gbl::fuzz
