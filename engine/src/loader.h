// Reading a Graph-shaped tenant document into a Tenant.
#pragma once

#include <memory>
#include <string_view>

#include "gbl/result.h"
#include "tenant.h"

namespace gbl {

/// Parses a tenant document; errors name the byte offset (syntax) or the path (schema).
Result<std::unique_ptr<Tenant>> LoadTenant(std::string_view text);

/// Recomputes consumed units and group error counts from the users' states.
void RecomputeCounters(Tenant* tenant);

}  // namespace gbl
