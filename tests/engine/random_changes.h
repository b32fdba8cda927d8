// Random Graph changes on an engine, for the property tests (property_test.cpp: invariants,
// incremental processing; journal_test.cpp: rollback). The basic kinds are memberships, group and
// user licenses, usage locations, reprocessing, seats and processing chunks; `all_kinds` adds
// shared proxy addresses, created users and groups, deleted groups, deleted and restored users,
// and clock / actor changes.
#pragma once

#include <algorithm>
#include <random>
#include <string>

#include "tenant.h"
#include "test_util.h"

namespace gbl::testing {

class RandomChanges {
 public:
  RandomChanges(Engine* e, uint64_t seed, bool all_kinds = false)
      : e_(*e), rng_(seed), all_kinds_(all_kinds) {}

  size_t Pick(size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }

  /// Applies one random change (or a chunk of background processing).
  void Step() {
    const Tenant& t = e_.GetTenant();
    const std::string user = t.users()[Pick(t.users().size())].id;
    std::string group;
    for (int tries = 0; tries < 10 && group.empty(); ++tries) {
      const Group& g = t.groups()[Pick(t.groups().size())];
      if (!g.deleted) group = g.id;
    }
    const gbl::Sku& sku = t.skus()[Pick(t.skus().size())];
    json disabled = json::array();
    for (Id p : sku.plans) {
      if (Pick(6) == 0) disabled.push_back(t.plans()[p].id);
    }
    switch (Pick(all_kinds_ ? 17 : 10)) {
      case 0:
      case 1:
        AddMember(&e_, group, user);
        break;
      case 2:
      case 3: {
        const Group& g = t.groups()[t.group_index().Find(group)];
        if (!g.members.empty())
          RemoveMember(&e_, group, t.users()[g.members[Pick(g.members.size())]].id);
        break;
      }
      case 4:
        if (Pick(3) == 0) {
          AssignGroup(&e_, group, json::array(), json::array({sku.id}));
        } else {
          AssignGroup(&e_, group, json::array({{{"skuId", sku.id}, {"disabledPlans", disabled}}}));
        }
        break;
      case 5:
        if (Pick(2) == 0) {
          AssignUser(&e_, user, json::array({{{"skuId", sku.id}, {"disabledPlans", disabled}}}));
        } else {
          AssignUser(&e_, user, json::array(), json::array({sku.id}));
        }
        break;
      case 6: {
        static const char* kLocations[] = {"US", "GB", "DE"};
        Apply1(&e_, Req("PATCH", "/users/" + user,
                        {{"usageLocation", Pick(4) == 0 ? json() : json(kLocations[Pick(3)])}}));
        break;
      }
      case 7:
        if (Pick(2) == 0) {
          Apply1(&e_, Req("POST", "/users/" + user + "/reprocessLicenseAssignment"));
        } else {
          Apply1(&e_, Req("POST", "/groups/" + group + "/reprocessLicenseAssignment"));
        }
        break;
      case 8:
        Apply1(&e_, Req("PATCH", "/subscribedSkus/" + sku.id,
                        {{"prepaidUnits",
                          {{"enabled", sku.prepaid.enabled + static_cast<int64_t>(Pick(3))}}}}));
        break;
      case 10: {
        // Shared addresses come and go (proxy uniqueness index, UniquenessViolation evidence).
        const std::string other = t.users()[Pick(t.users().size())].upn;
        Apply1(&e_, Req("PATCH", "/users/" + user,
                        {{"proxyAddresses", json::array({"smtp:" + other})}}));
        break;
      }
      case 11: {
        const std::string n = std::to_string(created_++);
        Apply1(&e_, Req("POST", "/users",
                        {{"displayName", "New " + n},
                         {"userPrincipalName", "new" + n + "@contoso.com"},
                         {"usageLocation", "US"}}));
        break;
      }
      case 12: {
        const std::string n = std::to_string(created_++);
        Apply1(&e_,
               Req("POST", "/groups",
                   {{"displayName", "New group " + n},
                    {"securityEnabled", true},
                    {"mailEnabled", false},
                    {"members@odata.bind",
                     json::array({"https://graph.microsoft.com/v1.0/directoryObjects/" + user})}}));
        break;
      }
      case 13:
        Apply1(&e_, Req("DELETE", "/groups/" + group));
        break;
      case 14:
        e_.SetNow(1796112000000 + static_cast<int64_t>(Pick(1000000)));
        e_.SetActor(Pick(2) == 0 ? "admin@contoso.com" : "helpdesk@contoso.com");
        break;
      case 15:
        Apply1(&e_, Req("DELETE", "/users/" + user));
        break;
      case 16:
        for (const auto& [deleted, saved] : t.deleted_users()) {
          Apply1(&e_, Req("POST", "/directory/deletedItems/" + t.users()[deleted].id + "/restore"));
          break;
        }
        break;
      default:  // 9
        e_.ProcessChunk(1 + Pick(200));
    }
  }

 private:
  Engine& e_;
  std::mt19937_64 rng_;
  bool all_kinds_;
  size_t created_ = 0;
};

}  // namespace gbl::testing
