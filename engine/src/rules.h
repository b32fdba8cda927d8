// The licensing rules, once: the checks that decide whether a user can get a set of licenses from a
// source, shared by background group processing (evaluate.cpp) and direct assignment (batch.cpp).
// Each failure comes with its evidence (Violation), kept on the assignment state it explains.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tenant.h"

namespace gbl {

/// Checks whether user `u` can be given `candidates` (interned assignments) from `source`, all or
/// nothing, in the service's order: proxy uniqueness, usage location, mutually exclusive plans,
/// seats. The user's other held states are those of other sources; with `replaced_skus` (direct
/// assignment), the direct states of those products are being replaced and do not count either.
/// With `earlier_groups_only`, another group's state counts only when that group comes before
/// `source` in the user's group order (re-evaluation as if processed from scratch).
std::optional<Violation> CheckAssignment(const Tenant& t, const User& u, Id source,
                                         const std::vector<Id>& candidates,
                                         const std::vector<Id>* replaced_skus = nullptr,
                                         bool earlier_groups_only = false);

/// Checks that every plan of `enabled` (sorted plan ids) that needs a prerequisite finds one of its
/// prerequisites enabled too; the failure is a DependencyViolation naming the plan.
std::optional<Violation> CheckPrerequisites(const Tenant& t, const std::vector<Id>& enabled);

/// Seats to add so one more user can hold the product now (0: a seat is free; reprocess).
int64_t SeatsShort(const Sku& s);

/// The violation's evidence in words, for Graph error messages and the audit log, e.g. "Resolve
/// these conflicting service plan pairs: [SHAREPOINTSTANDARD, SHAREPOINTENTERPRISE]".
std::string DescribeViolation(const Tenant& t, const User* u, const Violation& v);

}  // namespace gbl
