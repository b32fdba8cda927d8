// Tests of the synthetic tenant generator and of the built-in sample document's shape.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "gbl/engine.h"

namespace {

using nlohmann::json;

/// A small tenant: fast to generate and to parse into a DOM.
gbl::SyntheticOptions SmallOptions(uint64_t seed) {
  gbl::SyntheticOptions o;
  o.users = 3000;
  o.groups = 60;
  o.skus = 12;
  o.memberships_per_user = 5.0;
  o.licensed_group_fraction = 0.25;
  o.seat_ratio = 1.2;
  o.direct_fraction = 0.05;
  o.seed = seed;
  return o;
}

/// Parses without exceptions; a discarded value fails the calling test.
json Parse(const std::string& text) { return json::parse(text, nullptr, false); }

/// Id of a member entry: a plain id string or a `{"@odata.type","id"}` object.
std::string MemberId(const json& m) {
  return m.is_string() ? m.get<std::string>() : m.value("id", std::string());
}

TEST(SyntheticTest, SameSeedGivesSameDocument) {
  EXPECT_EQ(gbl::GenerateSyntheticTenant(SmallOptions(7)),
            gbl::GenerateSyntheticTenant(SmallOptions(7)));
}

TEST(SyntheticTest, DifferentSeedGivesDifferentDocument) {
  std::string a = gbl::GenerateSyntheticTenant(SmallOptions(7));
  std::string b = gbl::GenerateSyntheticTenant(SmallOptions(8));
  EXPECT_NE(a, b);
  json ja = Parse(a);
  json jb = Parse(b);
  ASSERT_FALSE(ja.is_discarded());
  ASSERT_FALSE(jb.is_discarded());
  EXPECT_NE(ja["users"][0]["id"], jb["users"][0]["id"]);
  EXPECT_NE(ja["groups"][0]["members"], jb["groups"][0]["members"]);
}

TEST(SyntheticTest, ParsesWithRequestedCounts) {
  gbl::SyntheticOptions o = SmallOptions(11);
  json doc = Parse(gbl::GenerateSyntheticTenant(o));
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_TRUE(doc["organization"].is_array());
  EXPECT_EQ(doc["organization"][0]["countryLetterCode"], "US");
  EXPECT_EQ(doc["users"].size(), o.users);
  EXPECT_EQ(doc["groups"].size(), o.groups);
  EXPECT_EQ(doc["subscribedSkus"].size(), o.skus);

  size_t user_memberships = 0;
  for (const json& g : doc["groups"]) {
    for (const json& m : g["members"]) user_memberships += m.is_string() ? 1 : 0;
  }
  double target = o.memberships_per_user * static_cast<double>(o.users);
  EXPECT_NEAR(static_cast<double>(user_memberships), target, target * 0.01);

  size_t licensed = 0;
  for (const json& g : doc["groups"]) licensed += g["assignedLicenses"].empty() ? 0 : 1;
  EXPECT_EQ(licensed, static_cast<size_t>(
                          std::llround(o.licensed_group_fraction * static_cast<double>(o.groups))));

  size_t direct = 0;
  for (const json& u : doc["users"]) direct += u["assignedLicenses"].empty() ? 0 : 1;
  double expected_direct = o.direct_fraction * static_cast<double>(o.users);
  EXPECT_NEAR(static_cast<double>(direct), expected_direct, expected_direct * 0.3);
}

TEST(SyntheticTest, ReferencesAreConsistent) {
  json doc = Parse(gbl::GenerateSyntheticTenant(SmallOptions(3)));
  ASSERT_FALSE(doc.is_discarded());

  std::set<std::string> user_ids;
  std::set<std::string> upns;
  for (const json& u : doc["users"]) {
    EXPECT_TRUE(user_ids.insert(u["id"].get<std::string>()).second);
    std::string upn = u["userPrincipalName"].get<std::string>();
    EXPECT_TRUE(upns.insert(upn).second) << upn;
    ASSERT_EQ(u["proxyAddresses"].size(), 1u);
    EXPECT_EQ(u["proxyAddresses"][0], "SMTP:" + upn);
    EXPECT_FALSE(u.contains("licenseAssignmentStates"));
    EXPECT_TRUE(u["usageLocation"].is_null() || u["usageLocation"].get<std::string>().size() == 2);
  }
  std::set<std::string> group_ids;
  for (const json& g : doc["groups"]) {
    EXPECT_TRUE(group_ids.insert(g["id"].get<std::string>()).second);
  }
  std::map<std::string, std::set<std::string>> plans_of;
  for (const json& s : doc["subscribedSkus"]) {
    auto& plans = plans_of[s["skuId"].get<std::string>()];
    for (const json& p : s["servicePlans"]) plans.insert(p["servicePlanId"].get<std::string>());
    EXPECT_FALSE(plans.empty());
  }
  auto check_license = [&](const json& l) {
    std::string sku = l["skuId"].get<std::string>();
    ASSERT_EQ(plans_of.count(sku), 1u) << sku;
    for (const json& p : l["disabledPlans"]) {
      EXPECT_EQ(plans_of[sku].count(p.get<std::string>()), 1u);
    }
    EXPECT_LT(l["disabledPlans"].size(), plans_of[sku].size());
  };
  for (const json& u : doc["users"]) {
    for (const json& l : u["assignedLicenses"]) check_license(l);
  }
  size_t biggest = 0;
  for (const json& g : doc["groups"]) {
    std::set<std::string> members;
    for (const json& m : g["members"]) {
      std::string id = MemberId(m);
      EXPECT_TRUE(members.insert(id).second) << "duplicate member " << id;
      if (m.is_string()) {
        EXPECT_EQ(user_ids.count(id), 1u);
      } else {
        EXPECT_EQ(m["@odata.type"], "#microsoft.graph.group");
        EXPECT_EQ(group_ids.count(id), 1u);
        EXPECT_NE(id, g["id"].get<std::string>());
      }
    }
    biggest = std::max(biggest, g["members"].size());
    for (const json& l : g["assignedLicenses"]) check_license(l);
    if (!g["assignedLicenses"].empty()) {
      EXPECT_EQ(g["securityEnabled"], true);
    }
    EXPECT_FALSE(g.contains("licenseProcessingState"));
  }
  // The benchmarks rely on groups[0] being the biggest group and licensed.
  EXPECT_EQ(doc["groups"][0]["members"].size(), biggest);
  EXPECT_FALSE(doc["groups"][0]["assignedLicenses"].empty());
}

TEST(SyntheticTest, SeatsFollowTheSeatRatio) {
  for (double ratio : {1.2, 0.5}) {
    gbl::SyntheticOptions o = SmallOptions(5);
    o.seat_ratio = ratio;
    json doc = Parse(gbl::GenerateSyntheticTenant(o));
    ASSERT_FALSE(doc.is_discarded());
    // Users who could hold each product: members of a group carrying it, or direct holders.
    std::map<std::string, std::set<std::string>> holders;
    for (const json& g : doc["groups"]) {
      for (const json& l : g["assignedLicenses"]) {
        auto& set = holders[l["skuId"].get<std::string>()];
        for (const json& m : g["members"]) {
          if (m.is_string()) set.insert(m.get<std::string>());
        }
      }
    }
    for (const json& u : doc["users"]) {
      for (const json& l : u["assignedLicenses"]) {
        holders[l["skuId"].get<std::string>()].insert(u["id"].get<std::string>());
      }
    }
    for (const json& s : doc["subscribedSkus"]) {
      size_t need = holders[s["skuId"].get<std::string>()].size();
      if (need == 0) continue;
      int64_t seats =
          s["prepaidUnits"]["enabled"].get<int64_t>() + s["prepaidUnits"]["warning"].get<int64_t>();
      EXPECT_EQ(seats, static_cast<int64_t>(std::ceil(static_cast<double>(need) * ratio)))
          << s["skuPartNumber"];
    }
  }
}

TEST(SyntheticTest, KeyProductsComeFirstWithCataloguePlans) {
  gbl::SyntheticOptions o = SmallOptions(9);
  json doc = Parse(gbl::GenerateSyntheticTenant(o));
  ASSERT_FALSE(doc.is_discarded());
  const std::vector<std::pair<std::string, size_t>> expected = {{"ENTERPRISEPACK", 36},
                                                                {"EMS", 7},
                                                                {"SPE_E3", 50},
                                                                {"ENTERPRISEPREMIUM", 56},
                                                                {"STANDARDPACK", 34}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(doc["subscribedSkus"][i]["skuPartNumber"], expected[i].first);
    EXPECT_EQ(doc["subscribedSkus"][i]["servicePlans"].size(), expected[i].second);
  }
  std::set<std::string> sku_ids;
  for (const json& s : doc["subscribedSkus"]) {
    EXPECT_TRUE(sku_ids.insert(s["skuId"].get<std::string>()).second);
  }
}

TEST(SyntheticTest, WholeCatalogueHasCleanUniqueGuids) {
  gbl::SyntheticOptions o;
  o.users = 10;
  o.groups = 2;
  o.skus = 100000;  // more than the catalogue holds: every product once
  json doc = Parse(gbl::GenerateSyntheticTenant(o));
  ASSERT_FALSE(doc.is_discarded());
  auto is_guid = [](const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
      if (dash ? s[i] != '-' : !hex) return false;
    }
    return true;
  };
  std::set<std::string> ids;
  for (const json& s : doc["subscribedSkus"]) {
    std::string id = s["skuId"].get<std::string>();
    EXPECT_TRUE(is_guid(id)) << id;
    EXPECT_TRUE(ids.insert(id).second) << id;
    std::set<std::string> plans;
    for (const json& p : s["servicePlans"]) {
      std::string plan = p["servicePlanId"].get<std::string>();
      EXPECT_TRUE(is_guid(plan)) << plan;
      EXPECT_TRUE(plans.insert(plan).second) << plan;
    }
  }
  EXPECT_GT(ids.size(), 590u);  // 596 products in the catalogue as shipped
}

TEST(SyntheticTest, DegenerateShapesStayValidJson) {
  gbl::SyntheticOptions o;
  o.users = 0;
  o.groups = 3;
  o.skus = 0;
  json doc = Parse(gbl::GenerateSyntheticTenant(o));
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_TRUE(doc["users"].empty());
  EXPECT_EQ(doc["groups"].size(), 3u);
  EXPECT_TRUE(doc["subscribedSkus"].empty());

  o.users = 5;
  o.groups = 0;
  o.skus = 2;
  doc = Parse(gbl::GenerateSyntheticTenant(o));
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["users"].size(), 5u);
  EXPECT_TRUE(doc["groups"].empty());
}

// ---- The built-in sample (the seed's Contoso) ----

constexpr const char* kE1 = "18181a46-0d4e-45cd-891e-60aabd171b4e";
constexpr const char* kE3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
constexpr const char* kEms = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e";

/// The group of the sample with that display name (null when absent).
json GroupNamed(const json& doc, const std::string& name) {
  for (const json& g : doc["groups"]) {
    if (g["displayName"] == name) return g;
  }
  return nullptr;
}

/// Member ids of a group that are users.
std::set<std::string> UserMembers(const json& group) {
  std::set<std::string> ids;
  for (const json& m : group["members"]) {
    if (m.is_string() || m.value("@odata.type", "") != "#microsoft.graph.group") {
      ids.insert(MemberId(m));
    }
  }
  return ids;
}

TEST(SampleDocumentTest, IsDeterministicAndParses) {
  std::string a = gbl::SampleTenantDocument();
  EXPECT_EQ(a, gbl::SampleTenantDocument());
  json doc = Parse(a);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["organization"][0]["displayName"], "Contoso");
  EXPECT_EQ(doc["organization"][0]["countryLetterCode"], "US");
  EXPECT_FALSE(doc.contains("licensingRules"));
}

TEST(SampleDocumentTest, ProductsCarryTheirCataloguePlans) {
  json doc = Parse(gbl::SampleTenantDocument());
  ASSERT_FALSE(doc.is_discarded());
  std::map<std::string, json> skus;
  for (const json& s : doc["subscribedSkus"]) skus[s["skuId"].get<std::string>()] = s;
  ASSERT_EQ(skus.count(kE1), 1u);
  ASSERT_EQ(skus.count(kE3), 1u);
  ASSERT_EQ(skus.count(kEms), 1u);
  EXPECT_EQ(skus[kE1]["skuPartNumber"], "STANDARDPACK");
  EXPECT_EQ(skus[kE3]["skuPartNumber"], "ENTERPRISEPACK");
  EXPECT_EQ(skus[kEms]["skuPartNumber"], "EMS");
  EXPECT_EQ(skus[kE1]["servicePlans"].size(), 34u);
  EXPECT_EQ(skus[kE3]["servicePlans"].size(), 36u);
  EXPECT_EQ(skus[kEms]["servicePlans"].size(), 7u);
  auto has_plan = [&](const char* sku, const char* name, const char* id) {
    for (const json& p : skus[sku]["servicePlans"]) {
      if (p["servicePlanName"] == name && p["servicePlanId"] == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_plan(kE1, "SHAREPOINTSTANDARD", "c7699d2e-19aa-44de-8edf-1736da088ca1"));
  EXPECT_TRUE(has_plan(kE1, "EXCHANGE_S_STANDARD", "9aaf7827-d63c-4b61-89c3-182f06f82e5c"));
  EXPECT_TRUE(has_plan(kE3, "SHAREPOINTENTERPRISE", "5dbe027f-2339-4123-9542-606e4d348a72"));
  EXPECT_TRUE(has_plan(kE3, "EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0"));
  EXPECT_TRUE(has_plan(kE3, "YAMMER_ENTERPRISE", "7547a3fe-08ee-4ccb-b430-5077c5041653"));
  EXPECT_TRUE(has_plan(kEms, "INTUNE_A", "c1ec4a95-1f05-45b3-a911-aa3fa01094f5"));
  // Seats: E3 and EMS for the whole HR Department on top of what is already held.
  auto seats = [&](const char* sku) {
    return skus[sku]["prepaidUnits"]["enabled"].get<int64_t>() +
           skus[sku]["prepaidUnits"]["warning"].get<int64_t>();
  };
  EXPECT_GE(seats(kE3), 1000 + skus[kE3]["consumedUnits"].get<int64_t>());
  EXPECT_GE(seats(kEms), 1000 + skus[kEms]["consumedUnits"].get<int64_t>());
  bool expiring = false;
  for (const auto& [id, s] : skus) expiring |= s["prepaidUnits"]["warning"].get<int64_t>() > 0;
  EXPECT_TRUE(expiring);
}

TEST(SampleDocumentTest, HasTheWalkthroughGroups) {
  json doc = Parse(gbl::SampleTenantDocument());
  ASSERT_FALSE(doc.is_discarded());
  json hr = GroupNamed(doc, "HR Department");
  json kiosk = GroupNamed(doc, "Kiosk users");
  ASSERT_FALSE(hr.is_null());
  ASSERT_FALSE(kiosk.is_null());
  EXPECT_EQ(hr["securityEnabled"], true);
  EXPECT_TRUE(hr["assignedLicenses"].empty());
  EXPECT_TRUE(hr["groupTypes"].empty());
  std::set<std::string> hr_users = UserMembers(hr);
  std::set<std::string> kiosk_users = UserMembers(kiosk);
  EXPECT_EQ(hr_users.size(), 1000u);
  EXPECT_EQ(hr["members"].size(), 1000u);
  EXPECT_EQ(kiosk_users.size(), 25u);
  size_t overlap = 0;
  for (const auto& id : kiosk_users) overlap += hr_users.count(id);
  EXPECT_EQ(overlap, 10u);
  ASSERT_EQ(kiosk["assignedLicenses"].size(), 1u);
  EXPECT_EQ(kiosk["assignedLicenses"][0]["skuId"], kE1);
  EXPECT_EQ(kiosk["licenseProcessingState"]["state"], "ProcessingComplete");

  json all_company = GroupNamed(doc, "All Company");
  ASSERT_FALSE(all_company.is_null());
  EXPECT_EQ(all_company["groupTypes"], json::array({"Unified"}));
  EXPECT_EQ(all_company["securityEnabled"], false);
  json it_admins = GroupNamed(doc, "IT Admins");
  ASSERT_FALSE(it_admins.is_null());
  EXPECT_EQ(it_admins["assignedLicenses"][0]["skuId"], kEms);
  bool nested = false;
  for (const json& g : doc["groups"]) {
    for (const json& m : g["members"]) {
      nested |= m.is_object() && m.value("@odata.type", "") == "#microsoft.graph.group";
    }
  }
  EXPECT_TRUE(nested);
}

TEST(SampleDocumentTest, HrMembersHoldNothingButKioskE1) {
  json doc = Parse(gbl::SampleTenantDocument());
  ASSERT_FALSE(doc.is_discarded());
  std::set<std::string> hr_users = UserMembers(GroupNamed(doc, "HR Department"));
  std::set<std::string> kiosk_users = UserMembers(GroupNamed(doc, "Kiosk users"));
  std::string kiosk_id = GroupNamed(doc, "Kiosk users")["id"].get<std::string>();
  std::set<std::string> upns;
  size_t users = 0;
  size_t direct_e3 = 0;
  size_t no_location = 0;
  for (const json& u : doc["users"]) {
    ++users;
    EXPECT_TRUE(upns.insert(u["userPrincipalName"].get<std::string>()).second);
    std::string id = u["id"].get<std::string>();
    for (const json& s : u["licenseAssignmentStates"]) {
      if (s["assignedByGroup"].is_null() && s["skuId"] == kE3) ++direct_e3;
    }
    if (kiosk_users.count(id) != 0) {
      ASSERT_EQ(u["assignedLicenses"].size(), 1u);
      EXPECT_EQ(u["assignedLicenses"][0]["skuId"], kE1);
      ASSERT_EQ(u["licenseAssignmentStates"].size(), 1u);
      EXPECT_EQ(u["licenseAssignmentStates"][0]["assignedByGroup"], kiosk_id);
      EXPECT_EQ(u["licenseAssignmentStates"][0]["state"], "Active");
    }
    if (hr_users.count(id) == 0) continue;
    no_location += u["usageLocation"].is_null() ? 1 : 0;
    if (kiosk_users.count(id) == 0) {
      EXPECT_TRUE(u["assignedLicenses"].empty()) << u["userPrincipalName"];
      EXPECT_TRUE(u["licenseAssignmentStates"].empty()) << u["userPrincipalName"];
    }
  }
  EXPECT_GE(users, 1030u);
  EXPECT_EQ(direct_e3, 2u);
  EXPECT_GT(no_location, 0u);
}

}  // namespace
