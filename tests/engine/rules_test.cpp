// One named test per licensing rule (spec §2) and per documented choice (README "Semantics").
#include "test_util.h"

namespace gbl::testing {
namespace {

json Users(int n, const std::string& prefix = "u") {
  json users = json::array();
  for (int i = 1; i <= n; ++i) users.push_back(UserDoc(prefix + std::to_string(i)));
  return users;
}

std::vector<std::string> Ids(int n, const std::string& prefix = "u") {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) ids.push_back(prefix + std::to_string(i));
  return ids;
}

json StandardSkus(int seats = 100) {
  return json::array({Sku(kE1, "STANDARDPACK", seats), Sku(kE3, "ENTERPRISEPACK", seats),
                      Sku(kEms, "EMS", seats)});
}

/// u1 holds E1 directly and is in "hr", which carries E3: their SharePoint plans conflict.
json DirectE1AndGroupE3() {
  json users = Users(1);
  users[0]["assignedLicenses"] = json::array({License(kE1)});
  return TenantDoc(StandardSkus(), users,
                   json::array({GroupDoc("hr", {"u1"}, json::array({License(kE3)}))}));
}

TEST(Rules, OneSeatPerProductWhateverTheNumberOfSources) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(1),
                     json::array({GroupDoc("g1", {"u1"}, json::array({License(kE3)})),
                                  GroupDoc("g2", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  EXPECT_EQ(AssignUser(&e, "u1", json::array({License(kE3)}))["status"], 200);
  EXPECT_EQ(Consumed(e, kE3), 1);
  EXPECT_EQ(States(e, "u1", kE3).size(), 3u) << "one state per (SKU, source)";
}

TEST(Rules, EnabledPlansAreTheUnionOverSources) {
  // E3 "base" without Sway and Planner, E3 "extended" with only them: the union, on one seat.
  Engine e;
  json doc = TenantDoc(StandardSkus(), Users(1), json::array());
  Load(&e, doc);
  json product = Q(e, {{"query", "product"}, {"skuId", kE3}});
  std::vector<std::string> all, but_sway_planner, all_but_sway;
  for (const auto& p : product["servicePlans"]) {
    std::string id = p["servicePlanId"];
    all.push_back(id);
    if (id != kSway && id != kPlanner) but_sway_planner.push_back(id);
    if (id != kSway) all_but_sway.push_back(id);
  }
  std::vector<std::string> base_disabled = {kSway, kPlanner};
  Load(&e, TenantDoc(
               StandardSkus(), Users(1),
               json::array(
                   {GroupDoc("base", {"u1"}, json::array({License(kE3, base_disabled)})),
                    GroupDoc("extended", {"u1"}, json::array({License(kE3, but_sway_planner)}))})));
  e.ProcessAll();
  json u = Q(e, {{"query", "user"}, {"id", "u1"}});
  ASSERT_EQ(u["licenses"].size(), 1u);
  for (const auto& p : u["licenses"][0]["servicePlans"]) {
    EXPECT_TRUE(p["enabled"].get<bool>()) << p.dump();
    std::string id = p["servicePlanId"];
    if (id == kSway) {
      EXPECT_EQ(p["enabledBy"], json::array({"Inherited (extended)"}));
    }
    if (id == kTeams) {
      EXPECT_EQ(p["enabledBy"], json::array({"Inherited (base)"}));
    }
  }
  json exported = ExportedUser(e, "u1");
  EXPECT_TRUE(exported["assignedLicenses"][0]["disabledPlans"].empty());
  EXPECT_EQ(Consumed(e, kE3), 1);
}

TEST(Rules, AllOrNothingPerUserAndGroup) {
  // E3 + EMS on a group; EMS has no seat left: neither product lands, both states in error. EMS
  // carries the reason; E3, not assigned because of it, carries Other.
  Engine e;
  json skus = json::array({Sku(kE3, "ENTERPRISEPACK", 10), Sku(kEms, "EMS", 0)});
  Load(&e,
       TenantDoc(skus, Users(1),
                 json::array({GroupDoc("g", {"u1"}, json::array({License(kE3), License(kEms)}))})));
  e.ProcessAll();
  EXPECT_FALSE(HasLicense(e, "u1", kE3));
  auto states = States(e, "u1", kE3);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0]["state"], "Error");
  EXPECT_EQ(states[0]["error"], "Other");
  EXPECT_EQ(States(e, "u1", kEms)[0]["error"], "CountViolation");
  EXPECT_EQ(Consumed(e, kE3), 0);
  json errors = Q(e, {{"query", "groupErrors"}, {"id", "g"}});
  EXPECT_EQ(errors["items"][0]["topReason"], "CountViolation") << "Other is never the top reason "
                                                                  "next to the real one";
}

TEST(Rules, CountViolationGivesTheLastSeatsInDocumentOrder) {
  Engine e;
  Load(&e, TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 3)}), Users(5),
                     json::array({GroupDoc("g", {"u5", "u4", "u3", "u2", "u1"},
                                           json::array({License(kE3)}))})));
  e.ProcessAll();
  // Members are processed in the order the users appear in the tenant (creation order).
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
  EXPECT_TRUE(HasLicense(e, "u3", kE3));
  EXPECT_EQ(States(e, "u4", kE3)[0]["error"], "CountViolation");
  EXPECT_EQ(States(e, "u5", kE3)[0]["error"], "CountViolation");
  EXPECT_EQ(Consumed(e, kE3), 3);
  json g = Q(e, {{"query", "groupErrors"}, {"id", "g"}});
  EXPECT_EQ(g["items"][0]["topReasonText"], "Not enough licenses");
}

TEST(Rules, MutuallyExclusivePlansFailTheLaterGroup) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(1),
                     json::array({GroupDoc("kiosk", {"u1"}, json::array({License(kE1)})),
                                  GroupDoc("hr", {"u1"}, json::array())})));
  e.ProcessAll();
  AssignGroup(&e, "hr", json::array({License(kE3)}));
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kE1));
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
}

TEST(Rules, SamePlanInTwoProductsIsNoConflict) {
  // E3 and EMS share RMS_S_ENTERPRISE-like plans with other products; identical plans never
  // conflict.
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(1),
                     json::array({GroupDoc("g1", {"u1"}, json::array({License(kE3)})),
                                  GroupDoc("g2", {"u1"}, json::array({License(kEms)}))})));
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_TRUE(HasLicense(e, "u1", kEms));
}

TEST(Rules, DirectAssignmentConflictIsRefusedAtOnce) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(1),
                     json::array({GroupDoc("kiosk", {"u1"}, json::array({License(kE1)}))})));
  e.ProcessAll();
  json r = AssignUser(&e, "u1", json::array({License(kE3)}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_NE(r["body"]["error"]["message"].get<std::string>().find("mutually exclusive"),
            std::string::npos);
  EXPECT_FALSE(HasLicense(e, "u1", kE3));
}

json DependencyRules() {
  // Intune (EMS) requires Entra ID P1, which EMS also carries; a direct EMS with AAD_PREMIUM
  // disabled then depends on the group's EMS for P1.
  return json{{"dependencies", json::array({{{"servicePlanId", kIntune},
                                             {"requiresAnyOf", json::array({kAadP1})}}})}};
}

// u1 holds EMS from group g and, directly, EMS without P1: Intune's prerequisite now comes only
// from the group.
void LoadDirectEmsThatDependsOnTheGroup(Engine* e) {
  json doc = TenantDoc(StandardSkus(), Users(1),
                       json::array({GroupDoc("g", {"u1"}, json::array({License(kEms)}))}));
  doc["licensingRules"] = DependencyRules();
  Load(e, doc);
  e->ProcessAll();
  ASSERT_EQ(AssignUser(e, "u1", json::array({License(kEms, {kAadP1})}))["status"], 200);
}

TEST(Rules, DependencyViolationBlocksRemovalOfARequiredPlan) {
  Engine e;
  ASSERT_NO_FATAL_FAILURE(LoadDirectEmsThatDependsOnTheGroup(&e));
  EXPECT_EQ(RemoveMember(&e, "g", "u1")["status"], 204);
  auto states = States(e, "u1", kEms);
  ASSERT_EQ(states.size(), 2u);
  json group_state = states[0]["assignedByGroup"].is_null() ? states[1] : states[0];
  EXPECT_EQ(group_state["state"], "ActiveWithError");
  EXPECT_EQ(group_state["error"], "DependencyViolation");
  // Disabling Intune on the direct assignment resolves the dependency; the group license goes
  // when the user is reprocessed: "After you resolve the dependency, you need to trigger the
  // reprocessing of the user" (licensing-groups-resolve-problems.md, 2025).
  ASSERT_EQ(AssignUser(&e, "u1", json::array({License(kEms, {kAadP1, kIntune})}))["status"], 200);
  EXPECT_EQ(States(e, "u1", kEms).size(), 2u) << "resolving the dependency alone removes nothing";
  EXPECT_EQ(Apply1(&e, Req("POST", "/users/u1/reprocessLicenseAssignment"))["status"], 200);
  EXPECT_EQ(States(e, "u1", kEms).size(), 1u);
}

// An export taken after a user left a group, before the service processed the leave: the state
// the group gave goes at load, unless a dependency needs it; then it stays, in error, and the
// load says so.
TEST(Rules, AStaleExportsLeaverKeepsAStateADependencyNeedsInErrorAndTheLoadSaysSo) {
  Engine e;
  ASSERT_NO_FATAL_FAILURE(LoadDirectEmsThatDependsOnTheGroup(&e));
  json stale = Export(e);
  ASSERT_EQ(stale["groups"].size(), 1u);
  stale["groups"][0]["members"] = json::array();  // u1 left g; the export still shows its state
  Engine reloaded;
  auto r = reloaded.LoadDocument(stale.dump());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  auto states = States(reloaded, "u1", kEms);
  ASSERT_EQ(states.size(), 2u);
  json group_state = states[0]["assignedByGroup"].is_null() ? states[1] : states[0];
  EXPECT_EQ(group_state["state"], "ActiveWithError");
  EXPECT_EQ(group_state["error"], "DependencyViolation");
  ASSERT_EQ(r.Value().warnings.size(), 1u);
  EXPECT_EQ(r.Value().warnings[0],
            "stale export: 1 license state(s) from groups that no longer have the user as a "
            "member; 0 removed at load, as the service's processing does, 1 kept in error "
            "(DependencyViolation: another license depends on it) (first: user u1, group \"g\" "
            "(g))");
}

TEST(Rules, GroupTemplateMissingAPrerequisiteIsRefused) {
  Engine e;
  json doc = TenantDoc(StandardSkus(), Users(1), json::array({GroupDoc("g", {"u1"})}));
  doc["licensingRules"] = DependencyRules();
  Load(&e, doc);
  json r = AssignGroup(&e, "g", json::array({License(kEms, {kAadP1})}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_NE(r["body"]["error"]["message"].get<std::string>().find("requires"), std::string::npos);
  EXPECT_FALSE(e.HasPendingWork());
}

TEST(Rules, ProhibitedUsageLocationUsesTheTenantLocationWhenUnset) {
  Engine e;
  json users = json::array({UserDoc("u1", "FR"), UserDoc("u2", "")});
  json doc = TenantDoc(StandardSkus(), users,
                       json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kEms)}))}));
  doc["organization"][0]["countryLetterCode"] = "CU";
  doc["licensingRules"] = ProhibitedIn(kIntune, "CU");
  Load(&e, doc);
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kEms));
  EXPECT_EQ(States(e, "u2", kEms)[0]["error"], "ProhibitedInUsageLocationViolation");
  // Group licensing never writes usageLocation; setting it re-evaluates the user.
  EXPECT_TRUE(ExportedUser(e, "u2")["usageLocation"].is_null());
  Apply1(&e, Req("PATCH", "/users/u2", {{"usageLocation", "US"}}));
  EXPECT_TRUE(HasLicense(e, "u2", kEms));
}

TEST(Rules, DuplicateProxyAddressesGiveUniquenessViolation) {
  Engine e;
  json users = json::array({UserDoc("u1"), UserDoc("u2")});
  users[1]["proxyAddresses"] = json::array({"smtp:u1@contoso.com"});
  Load(&e, TenantDoc(StandardSkus(), users,
                     json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "UniquenessViolation");
  EXPECT_EQ(States(e, "u2", kE3)[0]["error"], "UniquenessViolation");
}

TEST(Recovery, AFixedProxyAddressClearsOnlyWhenTheGroupOrTheUserIsReprocessed) {
  // "After you resolve any proxy address problems for the affected users, make sure to force
  // license processing on the group" (licensing-groups-resolve-problems.md); the 2025 revision
  // also names reprocessing the user.
  Engine e;
  json users = json::array({UserDoc("u1"), UserDoc("u2"), UserDoc("u3")});
  users[1]["proxyAddresses"] = json::array({"smtp:u1@contoso.com"});
  users[2]["proxyAddresses"] = json::array({"smtp:u1@contoso.com"});
  Load(&e,
       TenantDoc(StandardSkus(), users,
                 json::array({GroupDoc("g", {"u1", "u2", "u3"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  Apply1(&e, Req("PATCH", "/users/u2", {{"proxyAddresses", json::array({"SMTP:u2@contoso.com"})}}));
  Apply1(&e, Req("PATCH", "/users/u3", {{"proxyAddresses", json::array({"SMTP:u3@contoso.com"})}}));
  EXPECT_EQ(States(e, "u2", kE3)[0]["error"], "UniquenessViolation")
      << "the fix alone clears nothing";
  EXPECT_FALSE(HasLicense(e, "u1", kE3));
  // Reprocessing the user clears that user.
  EXPECT_EQ(Apply1(&e, Req("POST", "/users/u2/reprocessLicenseAssignment"))["status"], 200);
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
  EXPECT_FALSE(HasLicense(e, "u1", kE3));
  // Reprocessing the group clears every member.
  EXPECT_EQ(Apply1(&e, Req("POST", "/groups/g/reprocessLicenseAssignment"))["status"], 202);
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_TRUE(HasLicense(e, "u3", kE3));
}

TEST(Recovery, ANewUsageLocationIsAppliedAtOnce) {
  // "modify them so that the licenses are correctly assigned next time": the change is the next
  // time the user is processed (our reading).
  Engine e;
  json doc = TenantDoc(StandardSkus(), json::array({UserDoc("u1", "CN")}),
                       json::array({GroupDoc("g", {"u1"}, json::array({License(kE3)}))}));
  doc["licensingRules"] = ProhibitedIn(kExchange2, "CN");
  Load(&e, doc);
  e.ProcessAll();
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "ProhibitedInUsageLocationViolation");
  EXPECT_EQ(Apply1(&e, Req("PATCH", "/users/u1", {{"usageLocation", "US"}}))["status"], 204);
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
}

TEST(Recovery, OtherUserPropertiesReEvaluateNothing) {
  // A direct E1 blocks the group's E3 (their SharePoint plans conflict). Renaming or disabling
  // the account changes no license.
  Engine e;
  Load(&e, DirectE1AndGroupE3());
  e.ProcessAll();
  ASSERT_EQ(States(e, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
  EXPECT_EQ(Apply1(&e, Req("PATCH", "/users/u1",
                           {{"displayName", "Renamed"}, {"accountEnabled", false}}))["status"],
            204);
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
}

TEST(Rules, OnlySecurityEnabledGroupsCarryLicenses) {
  Engine e;
  json m365 = GroupDoc("m365", {"u1"});
  m365["securityEnabled"] = false;
  m365["groupTypes"] = json::array({"Unified"});
  Load(&e, TenantDoc(StandardSkus(), Users(1), json::array({m365})));
  json r = AssignGroup(&e, "m365", json::array({License(kE3)}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_NE(r["body"]["error"]["message"].get<std::string>().find("not security-enabled"),
            std::string::npos);
  EXPECT_FALSE(e.HasPendingWork());
}

TEST(Rules, NestedGroupsLicenseOnlyFirstLevelMembers) {
  Engine e;
  json parent = GroupDoc("parent", {"u1"}, json::array({License(kE3)}));
  parent["members"].push_back({{"@odata.type", "#microsoft.graph.group"}, {"id", "child"}});
  Load(&e, TenantDoc(StandardSkus(), Users(2), json::array({parent, GroupDoc("child", {"u2"})})));
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_FALSE(HasLicense(e, "u2", kE3));
}

TEST(Rules, LeavingAGroupRemovesItsLicensesUnlessAnotherSourceKeepsThem) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(2),
                     json::array({GroupDoc("g1", {"u1", "u2"}, json::array({License(kE3)})),
                                  GroupDoc("g2", {"u2"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  EXPECT_EQ(Consumed(e, kE3), 2);
  RemoveMember(&e, "g1", "u1");
  RemoveMember(&e, "g1", "u2");
  EXPECT_FALSE(HasLicense(e, "u1", kE3));
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
  EXPECT_EQ(Consumed(e, kE3), 1);
  EXPECT_EQ(States(e, "u2", kE3).size(), 1u);
}

TEST(Rules, FreedSeatsDoNotHealUsersInErrorUntilReprocess) {
  Engine e;
  Load(&e, TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 1)}), Users(2),
                     json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kE3)})),
                                  GroupDoc("other", {"u1"})})));
  e.ProcessAll();
  ASSERT_EQ(States(e, "u2", kE3)[0]["error"], "CountViolation");
  RemoveMember(&e, "g", "u1");  // frees the seat
  EXPECT_EQ(Consumed(e, kE3), 0);
  EXPECT_FALSE(HasLicense(e, "u2", kE3));
  EXPECT_EQ(Apply1(&e, Req("POST", "/groups/g/reprocessLicenseAssignment"))["status"], 202);
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
}

TEST(Rules, BuyingSeatsThenReprocessingHealsCountViolation) {
  Engine e;
  Load(&e, TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 1)}), Users(2),
                     json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  json r = Apply1(&e, Req("PATCH", std::string("/subscribedSkus/") + kE3,
                          {{"prepaidUnits", {{"enabled", 5}}}}));
  EXPECT_EQ(r["status"], 200);
  EXPECT_FALSE(HasLicense(e, "u2", kE3));
  Apply1(&e, Req("POST", "/users/u2/reprocessLicenseAssignment"));
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
}

TEST(Rules, SeatsCannotDropBelowWhatIsAssigned) {
  Engine e;
  Load(&e, TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 5)}), Users(2),
                     json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  json r = Apply1(&e, Req("PATCH", std::string("/subscribedSkus/") + kE3,
                          {{"prepaidUnits", {{"enabled", 1}}}}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_EQ(Q(e, {{"query", "product"}, {"skuId", kE3}})["total"], 5);
}

TEST(Rules, AnyChangeToAUserReEvaluatesItsGroupAssignments) {
  // A direct E1 blocks the group's E3; removing the direct E1 lets E3 land in the same change.
  Engine e;
  Load(&e, DirectE1AndGroupE3());
  e.ProcessAll();
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
  EXPECT_EQ(AssignUser(&e, "u1", json::array(), json::array({kE1}))["status"], 200);
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_FALSE(HasLicense(e, "u1", kE1));
}

TEST(Rules, SimultaneousConflictingGroupsResolveInGroupOrder) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(1),
                     json::array({GroupDoc("kiosk", {"u1"}, json::array({License(kE1)})),
                                  GroupDoc("hr", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();  // both queued at load: kiosk (first in the document) is processed first
  EXPECT_TRUE(HasLicense(e, "u1", kE1));
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
  RemoveMember(&e, "kiosk", "u1");
  EXPECT_TRUE(HasLicense(e, "u1", kE3)) << "leaving kiosk re-evaluates hr's assignment";
}

TEST(Rules, LicensedGroupCannotBeDeleted) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(1),
                     json::array({GroupDoc("g", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  json r = Apply1(&e, Req("DELETE", "/groups/g"));
  EXPECT_EQ(r["status"], 400);
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "g"}})["members"], 1);
  AssignGroup(&e, "g", json::array(), json::array({kE3}));
  EXPECT_EQ(Apply1(&e, Req("DELETE", "/groups/g"))["status"], 204);
  EXPECT_FALSE(HasLicense(e, "u1", kE3));
  EXPECT_EQ(Consumed(e, kE3), 0);
}

TEST(Rules, PlansAddedToAProductLaterAreOnInEveryTemplate) {
  // The template stores disabled plans: a plan the SKU gains later is enabled.
  Engine e;
  json skus = json::array({Sku(kE3, "ENTERPRISEPACK", 10)});
  json product_plans = json::array();
  Load(&e, TenantDoc(skus, Users(0), json::array()));
  json product = Q(e, {{"query", "product"}, {"skuId", kE3}});
  for (const auto& p : product["servicePlans"]) {
    product_plans.push_back(
        {{"servicePlanId", p["servicePlanId"]}, {"servicePlanName", p["servicePlanName"]}});
  }
  const char* kNewPlan = "0f0e0d0c-0b0a-4909-8807-060504030201";
  product_plans.push_back({{"servicePlanId", kNewPlan}, {"servicePlanName", "NEW_SERVICE"}});
  skus[0]["servicePlans"] = product_plans;
  Load(&e, TenantDoc(skus, Users(1),
                     json::array({GroupDoc("g", {"u1"}, json::array({License(kE3, {kYammer})}))})));
  e.ProcessAll();
  json u = Q(e, {{"query", "user"}, {"id", "u1"}});
  bool found = false;
  for (const auto& p : u["licenses"][0]["servicePlans"]) {
    if (p["servicePlanId"] == kNewPlan) {
      found = true;
      EXPECT_TRUE(p["enabled"].get<bool>());
    }
    if (p["servicePlanId"] == kYammer) {
      EXPECT_FALSE(p["enabled"].get<bool>());
    }
  }
  EXPECT_TRUE(found);
}

TEST(Rules, DisabledAccountsAreLicensedLikeOthers) {
  Engine e;
  json users = Users(1);
  users[0]["accountEnabled"] = false;
  Load(&e, TenantDoc(StandardSkus(), users,
                     json::array({GroupDoc("g", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_EQ(Consumed(e, kE3), 1);
}

TEST(Rules, DirectAssignmentNeedsAUsageLocation) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), json::array({UserDoc("u1", "")}), json::array()));
  json r = AssignUser(&e, "u1", json::array({License(kE3)}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_NE(r["body"]["error"]["message"].get<std::string>().find("usage location"),
            std::string::npos);
}

TEST(Rules, InheritedLicenseCannotBeRemovedOnTheUser) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(1),
                     json::array({GroupDoc("g", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  json r = AssignUser(&e, "u1", json::array(), json::array({kE3}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
}

TEST(Scenarios, SwitchFromE1ToE3ThroughTwoGroups) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(3),
                     json::array({GroupDoc("e1", Ids(3), json::array({License(kE1)})),
                                  GroupDoc("e3", {}, json::array({License(kE3)}))})));
  e.ProcessAll();
  for (const auto& u : Ids(3)) AddMember(&e, "e3", u);
  e.ProcessAll();
  for (const auto& u : Ids(3)) {
    EXPECT_TRUE(HasLicense(e, u, kE1));
    EXPECT_EQ(States(e, u, kE3)[0]["error"], "MutuallyExclusiveViolation");
  }
  for (const auto& u : Ids(3)) RemoveMember(&e, "e1", u);
  for (const auto& u : Ids(3)) {
    EXPECT_FALSE(HasLicense(e, u, kE1));
    EXPECT_TRUE(HasLicense(e, u, kE3)) << "removing E1 clears the conflict in the same processing";
  }
  EXPECT_EQ(Consumed(e, kE1), 0);
  EXPECT_EQ(Consumed(e, kE3), 3);
}

TEST(Scenarios, MigrationFromDirectToGroupKeepsOneSeat) {
  Engine e;
  json users = Users(2);
  for (auto& u : users) u["assignedLicenses"] = json::array({License(kE3)});
  Load(&e, TenantDoc(StandardSkus(), users, json::array({GroupDoc("g", {"u1", "u2"})})));
  EXPECT_EQ(Consumed(e, kE3), 2);
  AssignGroup(&e, "g", json::array({License(kE3)}));
  e.ProcessAll();
  EXPECT_EQ(Consumed(e, kE3), 2) << "no extra seats for the migration";
  EXPECT_EQ(States(e, "u1", kE3).size(), 2u) << "direct and inherited";
  json before = ExportedUser(e, "u1")["assignedPlans"];
  EXPECT_EQ(AssignUser(&e, "u1", json::array(), json::array({kE3}))["status"], 200);
  EXPECT_EQ(States(e, "u1", kE3).size(), 1u);
  EXPECT_EQ(ExportedUser(e, "u1")["assignedPlans"].size(), before.size());
  EXPECT_EQ(Consumed(e, kE3), 2);
}

TEST(Scenarios, UsersLeftWithDirectLicensesKeepThemWhenLeavingTheGroup) {
  Engine e;
  json users = Users(1);
  users[0]["assignedLicenses"] = json::array({License(kE3)});
  Load(&e, TenantDoc(StandardSkus(), users,
                     json::array({GroupDoc("g", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  RemoveMember(&e, "g", "u1");
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_EQ(Consumed(e, kE3), 1);
}

TEST(Processing, GroupMovesFromQueuedThroughInProgressToComplete) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(1000), Users(100), json::array({GroupDoc("g", Ids(100))})));
  AssignGroup(&e, "g", json::array({License(kE3)}));
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "g"}})["processing"]["state"], "QueuedForProcessing");
  ProcessProgress p = e.ProcessChunk(30);
  EXPECT_EQ(p.processed, 30u);
  EXPECT_EQ(p.total, 100u);
  EXPECT_FALSE(p.done);
  json g = Q(e, {{"query", "group"}, {"id", "g"}});
  EXPECT_EQ(g["processing"]["state"], "ProcessingInProgress");
  EXPECT_EQ(g["processing"]["processed"], 30);
  std::vector<size_t> seen;
  p = e.ProcessAll(
      [&](const ProcessProgress& pr) {
        seen.push_back(pr.processed);
        return true;
      },
      20);
  EXPECT_TRUE(p.done);
  EXPECT_EQ(seen, (std::vector<size_t>{50, 70, 90}));
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "g"}})["processing"]["state"], "ProcessingComplete");
  EXPECT_EQ(Consumed(e, kE3), 100);
}

TEST(Processing, CancelStopsBetweenChunksAndResumes) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(1000), Users(100), json::array({GroupDoc("g", Ids(100))})));
  AssignGroup(&e, "g", json::array({License(kE3)}));
  ProcessProgress p = e.ProcessAll([](const ProcessProgress&) { return false; }, 10);
  EXPECT_TRUE(p.cancelled);
  EXPECT_EQ(p.processed, 10u);
  EXPECT_EQ(Consumed(e, kE3), 10);
  EXPECT_TRUE(e.HasPendingWork());
  e.ProcessAll();
  EXPECT_EQ(Consumed(e, kE3), 100);
}

TEST(Processing, MembersJoiningLaterGetTheGroupLicensesAtOnce) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(2),
                     json::array({GroupDoc("g", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  EXPECT_EQ(AddMember(&e, "g", "u2")["status"], 204);
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
  json audit = Q(e, {{"query", "audit"}, {"targetId", "u2"}});
  EXPECT_EQ(audit["items"][0]["activityDisplayName"], "Change user license");
  EXPECT_EQ(audit["items"][0]["initiatedBy"]["app"]["displayName"],
            "Microsoft Entra group-Based Licensing");
}

TEST(Processing, ChangingTheTemplateReprocessesAllMembers) {
  Engine e;
  Load(&e, TenantDoc(StandardSkus(), Users(3),
                     json::array({GroupDoc("g", Ids(3), json::array({License(kE3)}))})));
  e.ProcessAll();
  AssignGroup(&e, "g", json::array({License(kE3, {kYammer})}));
  e.ProcessAll();
  for (const auto& u : Ids(3)) {
    EXPECT_EQ(States(e, u, kE3)[0]["disabledPlans"], json::array({kYammer}));
  }
  json finish =
      Q(e, {{"query", "audit"}, {"activity", "Finish applying group based license to users"}});
  EXPECT_EQ(finish["total"], 2);
}

/// u1 in an E3 group with a direct EMS; u2 in the same group; 2 E3 and 1 EMS seats.
json OffboardingTenant() {
  json users = Users(2);
  users[0]["assignedLicenses"] = json::array({License(kEms)});
  return TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 2), Sku(kEms, "EMS", 1)}), users,
                   json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kE3)}))}));
}

TEST(DeletedUsers, DeletingAUserFreesItsSeatsAndItsMemberships) {
  // Graph user-delete: 204; the user goes to directory/deletedItems.
  Engine e;
  Load(&e, OffboardingTenant());
  e.ProcessAll();
  ASSERT_EQ(Consumed(e, kE3), 2);
  EXPECT_EQ(Apply1(&e, Req("DELETE", "/users/u1"))["status"], 204);
  EXPECT_EQ(Consumed(e, kE3), 1);
  EXPECT_EQ(Consumed(e, kEms), 0);
  json g = Q(e, {{"query", "groupMembers"}, {"id", "g"}});
  EXPECT_EQ(g["total"], 1) << g.dump();
  EXPECT_EQ(Q(e, {{"query", "users"}})["total"], 1);
  EXPECT_EQ(Apply1(&e, Req("PATCH", "/users/u1", {{"usageLocation", "FR"}}))["status"], 404);
  EXPECT_EQ(Apply1(&e, Req("DELETE", "/users/u1"))["status"], 404);
}

TEST(DeletedUsers, ARestoreWithinThirtyDaysBringsMembershipsAndLicensesBack) {
  // Graph directory-deleteditems-restore: 200 with the user.
  Engine e;
  Load(&e, OffboardingTenant());
  e.ProcessAll();
  ASSERT_EQ(Apply1(&e, Req("DELETE", "/users/u1"))["status"], 204);
  e.SetNow(1796112000000 + 29LL * 24 * 3600 * 1000);
  json r = Apply1(&e, Req("POST", "/directory/deletedItems/u1/restore"));
  ASSERT_EQ(r["status"], 200) << r.dump();
  EXPECT_EQ(r["body"]["id"], "u1");
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_TRUE(HasLicense(e, "u1", kEms));
  EXPECT_EQ(Consumed(e, kE3), 2);
  EXPECT_EQ(Q(e, {{"query", "groupMembers"}, {"id", "g"}})["total"], 2);
  EXPECT_EQ(Apply1(&e, Req("POST", "/directory/deletedItems/u1/restore"))["status"], 404)
      << "restored: no longer in deletedItems";
}

TEST(DeletedUsers, AfterThirtyDaysTheUserIsGoneForGood) {
  Engine e;
  Load(&e, OffboardingTenant());
  ASSERT_EQ(Apply1(&e, Req("DELETE", "/users/u1"))["status"], 204);
  e.SetNow(1796112000000 + 31LL * 24 * 3600 * 1000);
  json r = Apply1(&e, Req("POST", "/directory/deletedItems/u1/restore"));
  EXPECT_EQ(r["status"], 404);
  EXPECT_NE(r["body"]["error"]["message"].get<std::string>().find("more than 30 days"),
            std::string::npos);
}

TEST(DeletedUsers, ARestoreNeedsASeatForEachDirectLicense) {
  // Our choice: refused (400 naming the product), nothing restored, rather than a user silently
  // without the license.
  Engine e;
  Load(&e, OffboardingTenant());
  e.ProcessAll();
  ASSERT_EQ(Apply1(&e, Req("DELETE", "/users/u1"))["status"], 204);
  ASSERT_EQ(AssignUser(&e, "u2", json::array({License(kEms)}))["status"], 200);
  json r = Apply1(&e, Req("POST", "/directory/deletedItems/u1/restore"));
  EXPECT_EQ(r["status"], 400);
  EXPECT_NE(r["body"]["error"]["message"].get<std::string>().find("EMS"), std::string::npos);
  EXPECT_EQ(Q(e, {{"query", "users"}})["total"], 1);
}

TEST(DeletedUsers, TheRecycleBinSurvivesExportAndReloadAndCanBePurged) {
  Engine e;
  Load(&e, OffboardingTenant());
  e.ProcessAll();
  ASSERT_EQ(Apply1(&e, Req("DELETE", "/users/u1"))["status"], 204);
  json doc = Export(e);
  ASSERT_EQ(doc["deletedItems"].size(), 1u);
  EXPECT_EQ(doc["deletedItems"][0]["memberOf"], json::array({"g"}));
  EXPECT_EQ(doc["users"].size(), 1u);
  Engine reloaded;
  ASSERT_TRUE(reloaded.LoadDocument(e.ExportDocument()).Ok());
  EXPECT_EQ(reloaded.ExportDocument(), e.ExportDocument());
  EXPECT_EQ(Apply1(&reloaded, Req("POST", "/directory/deletedItems/u1/restore"))["status"], 200);
  EXPECT_TRUE(HasLicense(reloaded, "u1", kEms));
  // Deleted permanently: no restore.
  ASSERT_EQ(Apply1(&e, Req("DELETE", "/directory/deletedItems/u1"))["status"], 204);
  EXPECT_EQ(Apply1(&e, Req("POST", "/directory/deletedItems/u1/restore"))["status"], 404);
  EXPECT_FALSE(Export(e).contains("deletedItems"));
}

TEST(DeletedUsers, ADeletionIsUndoneByTheJournal) {
  Engine e;
  Load(&e, OffboardingTenant());
  e.ProcessAll();
  const std::string before = e.ExportDocument();
  e.BeginJournal();
  ASSERT_EQ(Apply1(&e, Req("DELETE", "/users/u1"))["status"], 204);
  ASSERT_EQ(Apply1(&e, Req("POST", "/directory/deletedItems/u1/restore"))["status"], 200);
  ASSERT_EQ(Apply1(&e, Req("DELETE", "/users/u2"))["status"], 204);
  ASSERT_TRUE(e.RollBack().Ok());
  EXPECT_EQ(e.ExportDocument(), before);
}

}  // namespace
}  // namespace gbl::testing
