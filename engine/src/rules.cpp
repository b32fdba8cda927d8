// The licensing rules of spec §2, checked in one place for group processing and direct assignment.
#include "rules.h"

#include <algorithm>

#include "licensing.h"

namespace gbl {

namespace {

/// True when the state counts as one of the user's other licenses for a check from `source`.
bool IsOther(const AssignmentState& s, Id source, const std::vector<Id>* replaced_skus) {
  if (!s.Holds()) return false;
  if (s.source != source) return true;
  if (replaced_skus == nullptr) return false;  // the whole source is being (re)assigned
  return std::find(replaced_skus->begin(), replaced_skus->end(), s.sku) == replaced_skus->end();
}

/// Index of the first of the user's proxy addresses that another object holds too, or kNoId.
uint32_t SharedAddress(const Tenant& t, const User& u) {
  if (t.shared_proxies() == 0) return kNoId;
  for (size_t i = 0; i < u.proxy_addresses.size(); ++i) {
    if (t.proxy_count().Get(HashLower(u.proxy_addresses[i])) > 1) return static_cast<uint32_t>(i);
  }
  return kNoId;
}

std::string PlanLabel(const Tenant& t, Id plan) {
  return plan < t.plans().size() ? t.plans()[plan].name : std::string("?");
}

/// The smallest plan of `plans` that needs a prerequisite and finds none that `enabled(q)`
/// says is enabled (kNoId: every plan finds one). `plans` need not be sorted.
template <typename Enabled>
Id MissingPrerequisite(const Tenant& t, const std::vector<Id>& plans, Enabled enabled) {
  Id failing = kNoId;
  for (Id p : plans) {
    if (p >= failing) continue;
    const auto& req = t.plans()[p].requires_any_of;
    // No rule, or a rule whose prerequisites no product of the tenant has: never satisfied.
    if (req.empty() && t.plans()[p].requires_unowned.empty()) continue;
    bool ok = false;
    for (Id q : req) ok = ok || enabled(q);
    if (!ok) failing = p;
  }
  return failing;
}

/// A DependencyViolation naming `plan` and the first prerequisite it could have (kNoId when no
/// product of the tenant has one), or nothing when `plan` is kNoId.
std::optional<Violation> DependencyOf(const Tenant& t, Id plan) {
  if (plan == kNoId) return std::nullopt;
  Violation v;
  v.kind = ErrorKind::kDependencyViolation;
  v.plan = plan;
  const auto& req = t.plans()[plan].requires_any_of;
  if (!req.empty()) v.other_plan = req.front();
  return v;
}

}  // namespace

std::optional<Violation> CheckAssignment(const Tenant& t, const User& u, Id source,
                                         const std::vector<Id>& candidates,
                                         const std::vector<Id>* replaced_skus,
                                         bool earlier_groups_only) {
  Violation v;
  // 1. Duplicate proxy addresses block Exchange Online mailboxes.
  for (Id a : candidates) {
    if (!t.assignments()[a].exchange) continue;
    uint32_t address = SharedAddress(t, u);
    if (address == kNoId) break;
    v.kind = ErrorKind::kUniquenessViolation;
    v.sku = t.assignments()[a].sku;
    for (Id p : t.assignments()[a].enabled) {
      if (t.plans()[p].exchange) {
        v.plan = p;
        break;
      }
    }
    v.address = address;
    return v;
  }
  // 2. Service availability in the usage location (the tenant's stands in).
  const std::string& loc = t.LocationOf(u);
  for (Id a : candidates) {
    for (Id p : t.assignments()[a].restricted) {
      const auto& banned = t.plans()[p].prohibited_in;
      if (std::find(banned.begin(), banned.end(), loc) != banned.end()) {
        v.kind = ErrorKind::kProhibitedInUsageLocationViolation;
        v.sku = t.assignments()[a].sku;
        v.plan = p;
        v.tenant_location = u.usage_location.empty();
        return v;
      }
    }
  }
  // 3. Mutually exclusive plans: a different plan of the same family held through another
  //    source, or enabled by another of the candidates.
  for (Id a : candidates) {
    for (const auto& [p, f] : t.assignments()[a].exclusive) {
      const uint64_t family = FamilyBit(f);
      for (const auto& s : u.states) {
        if (!IsOther(s, source, replaced_skus)) continue;
        if (earlier_groups_only && s.source != kDirect && s.source > source) continue;
        if ((t.assignments()[s.assignment].families & family) == 0) continue;
        for (const auto& [q, fq] : t.assignments()[s.assignment].exclusive) {
          if (fq == f && q != p) {
            v.kind = ErrorKind::kMutuallyExclusiveViolation;
            v.sku = t.assignments()[a].sku;
            v.plan = p;
            v.other_plan = q;
            v.other_sku = s.sku;
            v.other_source = s.source;
            return v;
          }
        }
      }
      for (Id b : candidates) {
        if (b == a || (t.assignments()[b].families & family) == 0) continue;
        for (const auto& [q, fq] : t.assignments()[b].exclusive) {
          if (fq == f && q != p) {
            v.kind = ErrorKind::kMutuallyExclusiveViolation;
            v.sku = t.assignments()[a].sku;
            v.plan = p;
            v.other_plan = q;
            v.other_sku = t.assignments()[b].sku;
            v.other_source = source;
            return v;
          }
        }
      }
    }
  }
  // 4. Seats: a product the user does not hold yet needs an assignable unit.
  for (Id a : candidates) {
    Id sku = t.assignments()[a].sku;
    if (HoldsSku(u, sku, kNoId)) continue;
    const Sku& s = t.skus()[sku];
    if (s.consumed >= s.Assignable()) {
      v.kind = ErrorKind::kCountViolation;
      v.sku = sku;
      return v;
    }
  }
  // 5. Prerequisites: a plan that needs another must find it enabled: among the group's own
  //    products for a group ("in the same group", licensing-group-advanced.md), among everything
  //    the user keeps for a direct license.
  bool dependent = replaced_skus != nullptr;
  for (Id a : candidates) dependent = dependent || t.assignments()[a].dependent;
  if (dependent) {
    // The plans enabled, marked by plan id with this call's stamp: every member of a group
    // checks the same products, so no sorting and no allocation per member.
    static thread_local std::vector<uint32_t> mark;
    static thread_local std::vector<Id> enabled;
    static thread_local uint32_t stamp = 0;
    if (mark.size() < t.plans().size()) mark.resize(t.plans().size(), 0);
    if (++stamp == 0) {
      std::fill(mark.begin(), mark.end(), 0);
      stamp = 1;
    }
    enabled.clear();
    auto add = [&](const std::vector<Id>& en) {
      for (Id p : en) {
        if (mark[p] == stamp) continue;
        mark[p] = stamp;
        enabled.push_back(p);
      }
    };
    for (Id a : candidates) add(t.assignments()[a].enabled);
    if (replaced_skus != nullptr) {
      for (const auto& s : u.states) {
        if (IsOther(s, source, replaced_skus)) add(t.assignments()[s.assignment].enabled);
      }
    }
    const Id failing = MissingPrerequisite(t, enabled, [&](Id q) { return mark[q] == stamp; });
    if (std::optional<Violation> missing = DependencyOf(t, failing)) {
      for (Id a : candidates) {
        const auto& en = t.assignments()[a].enabled;
        if (std::binary_search(en.begin(), en.end(), missing->plan))
          missing->sku = t.assignments()[a].sku;
      }
      return missing;
    }
  }
  return std::nullopt;
}

int64_t SeatsShort(const Sku& s) {
  int64_t missing = s.consumed + 1 - s.Assignable();
  return missing > 0 ? missing : 0;
}

std::optional<Violation> CheckPrerequisites(const Tenant& t, const std::vector<Id>& enabled) {
  return DependencyOf(t, MissingPrerequisite(t, enabled, [&](Id q) {
                        return std::binary_search(enabled.begin(), enabled.end(), q);
                      }));
}

std::string DescribeViolation(const Tenant& t, const User* u, const Violation& v) {
  const std::string product = v.sku < t.skus().size() ? t.skus()[v.sku].part_number : std::string();
  switch (v.kind) {
    case ErrorKind::kMutuallyExclusiveViolation:
      return "The license can't be assigned because the user has licensed service plans that "
             "conflict with plans in the new license. Resolve these conflicting service plan pairs "
             "to solve this problem: [" +
             PlanLabel(t, v.plan) + ", " + PlanLabel(t, v.other_plan) +
             "]. Licenses being added: [" +
             (v.sku < t.skus().size() ? t.skus()[v.sku].id : std::string()) + "]";
    case ErrorKind::kDependencyViolation: {
      if (v.plan >= t.plans().size()) return ErrorText(v.kind);
      // In words, as the portal says it: "The service Microsoft Workplace Analytics requires
      // Exchange Online (Plan 2) to be enabled as well."
      auto words = [&](Id q) {
        const Plan& plan = t.plans()[q];
        return plan.friendly.empty() ? plan.name : plan.friendly;
      };
      std::string names;
      for (Id q : t.plans()[v.plan].requires_any_of) {
        names += (names.empty() ? "" : " or ") + words(q);
      }
      for (const auto& id : t.plans()[v.plan].requires_unowned) {
        std::string name = CatalogPlanFriendlyName(id);
        if (name.empty()) name = CatalogPlanName(id);
        names += (names.empty() ? "" : " or ") + (name.empty() ? id : name);
      }
      return "The service " + words(v.plan) + " requires " + names + " to be enabled as well.";
    }
    case ErrorKind::kProhibitedInUsageLocationViolation: {
      std::string loc = u != nullptr ? t.LocationOf(*u) : std::string();
      return PlanLabel(t, v.plan) + " is not available in usage location " + loc +
             (v.tenant_location ? " (the tenant's country: the user has no usage location)" : "") +
             ".";
    }
    case ErrorKind::kUniquenessViolation: {
      std::string address = u != nullptr && v.address < u->proxy_addresses.size()
                                ? u->proxy_addresses[v.address]
                                : std::string();
      return "The proxy address " + address + " of this user is already being used by another " +
             "object, so the mailbox plan " + PlanLabel(t, v.plan) + " can't be provisioned.";
    }
    case ErrorKind::kCountViolation: {
      if (v.sku >= t.skus().size()) return ErrorText(v.kind);
      const Sku& s = t.skus()[v.sku];
      return "Not enough licenses for " + product + ": " + std::to_string(s.consumed) + " of " +
             std::to_string(s.Assignable()) + " assigned, " + std::to_string(SeatsShort(s)) +
             " more needed to assign this user now.";
    }
    case ErrorKind::kOther: {
      if (v.other_sku >= t.skus().size()) return ErrorText(v.kind);
      const Sku& failing = t.skus()[v.other_sku];
      return "Not assigned because " + failing.display_name +
             ", assigned by the same group, could not be assigned (all or nothing).";
    }
    default:
      return ErrorText(v.kind);
  }
}

}  // namespace gbl
