// Property tests: random tenants and random change sequences, processed incrementally.
//  * Invariants hold after every step, with scarce seats and conflicting plans.
//  * Where the outcome cannot depend on order (no exclusions, ample seats), incremental
//    processing gives exactly what processing the final tenant from scratch gives.
#include <algorithm>
#include <map>
#include <random>

#include "invariants.h"
#include "licensing.h"
#include "random_changes.h"
#include "tenant.h"
#include "test_util.h"

namespace gbl::testing {
namespace {

/// Asserts the invariants (invariants.h); `where` names the step.
void CheckInvariants(const Tenant& t, bool settled, const std::string& where,
                     const std::vector<int64_t>& loaded) {
  ASSERT_EQ(Violation(t, settled, loaded), "") << where;
}

std::string Synthetic(uint64_t seed, double seat_ratio, bool exclusions) {
  SyntheticOptions o;
  o.users = 300;
  o.groups = 25;
  o.skus = 6;
  o.memberships_per_user = 2.5;
  o.licensed_group_fraction = 0.5;
  o.seat_ratio = seat_ratio;
  o.direct_fraction = 0.1;
  o.seed = seed;
  json doc = json::parse(GenerateSyntheticTenant(o));
  if (!exclusions) {
    // Nothing can depend on order: no exclusion families and a seat for everyone.
    doc["licensingRules"] = {{"mutuallyExclusive", json::array()}};
    for (auto& sku : doc["subscribedSkus"]) sku["prepaidUnits"]["enabled"] = 1000000;
  }
  return doc.dump();
}

TEST(Property, InvariantsHoldUnderRandomChangesWithScarceSeatsAndConflicts) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Engine e;
    auto r = e.LoadDocument(Synthetic(seed, 0.5, true));
    ASSERT_TRUE(r.Ok()) << r.GetError().message;
    std::vector<int64_t> loaded;
    for (const auto& sku : e.GetTenant().skus()) loaded.push_back(sku.consumed);
    RandomChanges changes(&e, seed * 7919);
    for (int step = 0; step < 150; ++step) {
      changes.Step();
      CheckInvariants(e.GetTenant(), false,
                      "seed " + std::to_string(seed) + " step " + std::to_string(step), loaded);
      if (::testing::Test::HasFatalFailure()) return;
    }
    e.ProcessAll();
    CheckInvariants(e.GetTenant(), true, "seed " + std::to_string(seed) + " settled", loaded);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

/// The final tenant's inputs only: directory, templates and direct assignments, no states but
/// the removals a dependency blocked (history, not derived: the license stays because it was held,
/// licensing-groups-resolve-problems.md).
std::string Inputs(const Engine& e) {
  json doc = Export(e);
  doc.erase("directoryAudits");
  for (auto& u : doc["users"]) {
    json direct = json::array();
    json blocked = json::array();
    for (const auto& s : u["licenseAssignmentStates"]) {
      if (s["assignedByGroup"].is_null()) {
        direct.push_back({{"skuId", s["skuId"]}, {"disabledPlans", s["disabledPlans"]}});
      } else if (s["error"] == "DependencyViolation" && s["state"] == "ActiveWithError") {
        blocked.push_back(s);
      }
    }
    u["licenseAssignmentStates"] = blocked;
    if (blocked.empty()) u.erase("licenseAssignmentStates");
    u.erase("assignedPlans");
    u["assignedLicenses"] = direct;
  }
  for (auto& g : doc["groups"]) {
    g.erase("licenseProcessingState");
    g.erase("membersWithLicenseErrors");
  }
  return doc.dump();
}

/// Users' states without their timestamps, and the seat counts.
json Outcome(const Engine& e) {
  json doc = Export(e);
  json out = json::object();
  for (auto& u : doc["users"]) {
    for (auto& s : u["licenseAssignmentStates"]) s.erase("lastUpdatedDateTime");
    out[u["id"].get<std::string>()] = {u["assignedLicenses"], u["licenseAssignmentStates"]};
  }
  for (auto& s : doc["subscribedSkus"])
    out["sku " + s["skuId"].get<std::string>()] = s["consumedUnits"];
  return out;
}

TEST(Property, IncrementalProcessingEqualsProcessingFromScratch) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Engine incremental;
    auto r = incremental.LoadDocument(Synthetic(seed, 10.0, false));
    ASSERT_TRUE(r.Ok()) << r.GetError().message;
    RandomChanges changes(&incremental, seed * 104729);
    for (int step = 0; step < 200; ++step) changes.Step();
    incremental.ProcessAll();
    std::vector<int64_t> none(incremental.GetTenant().skus().size(), 0);
    CheckInvariants(incremental.GetTenant(), true, "seed " + std::to_string(seed), none);
    if (::testing::Test::HasFatalFailure()) return;

    Engine scratch;
    auto s = scratch.LoadDocument(Inputs(incremental));
    ASSERT_TRUE(s.Ok()) << s.GetError().message;
    scratch.ProcessAll();
    json a = Outcome(incremental), b = Outcome(scratch);
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_EQ(it.value(), b[it.key()]) << "seed " << seed << ": " << it.key();
    }
  }
}

}  // namespace
}  // namespace gbl::testing
