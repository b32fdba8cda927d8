// Dynamic groups in the tenant (issue 15): a dynamic group's members follow its membership rule
// on load, on PATCH /users and on PATCH /groups; Validate rules; the planner's preview.
#include <gtest/gtest.h>

#include <algorithm>

#include "gbl/engine.h"
#include "test_util.h"

namespace gbl {
namespace {

using json = nlohmann::json;
using namespace gbl::testing;  // NOLINT

json Person(const std::string& id, const std::string& department) {
  json u = UserDoc(id);
  if (!department.empty()) u["department"] = department;
  return u;
}

json DynamicGroup(const std::string& id, const std::string& rule,
                  const std::vector<std::string>& listed = {}, json licenses = json::array()) {
  json g = GroupDoc(id, listed, std::move(licenses));
  g["groupTypes"] = json::array({"DynamicMembership"});
  g["membershipRule"] = rule;
  return g;
}

/// Sales (s1, s2) and HR (h1) people, a dynamic Sales group licensed with E3 and a dynamic HR
/// group licensed with EMS.
json SalesAndHr() {
  return TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 10), Sku(kEms, "EMS", 10)}),
                   json::array({Person("s1", "Sales"), Person("s2", "Sales"), Person("h1", "HR")}),
                   json::array({DynamicGroup("sales", "user.department -eq \"Sales\"", {"s1", "s2"},
                                             json::array({License(kE3)})),
                                DynamicGroup("hr", "user.department -eq \"HR\"", {"h1"},
                                             json::array({License(kEms)}))}));
}

std::vector<std::string> MemberIds(const Engine& e, const std::string& g) {
  std::vector<std::string> ids;
  const json page = Q(e, {{"query", "groupMembers"}, {"id", g}, {"limit", 1000}});
  for (const auto& m : page["items"]) {
    ids.push_back(m["id"].get<std::string>());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

using Ids = std::vector<std::string>;

TEST(DynamicGroups, LoadEvaluatesTheRule) {
  json doc = SalesAndHr();
  for (auto& g : doc["groups"]) g["members"] = json::array();  // as EntraExporter leaves them
  Engine e;
  Load(&e, doc);
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"s1", "s2"}));
  EXPECT_EQ(MemberIds(e, "hr"), (Ids{"h1"}));
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "s1", kE3));
  EXPECT_TRUE(HasLicense(e, "h1", kEms));
  EXPECT_FALSE(HasLicense(e, "h1", kE3));
}

TEST(DynamicGroups, GroupJsonCarriesTheRuleAndItsState) {
  Engine e;
  Load(&e, SalesAndHr());
  json g = Q(e, {{"query", "group"}, {"id", "sales"}});
  EXPECT_EQ(g["groupTypes"], json::array({"DynamicMembership"}));
  EXPECT_EQ(g["membershipRule"], "user.department -eq \"Sales\"");
  EXPECT_EQ(g["membershipRuleProcessingState"], "On");
  EXPECT_FALSE(g.contains("staleExport")) << "the rule gives the listed members";
  json row = Q(e, {{"query", "groups"}})["items"][0];
  EXPECT_EQ(row["membershipRuleProcessingState"], "On");
  json exported = Export(e)["groups"][0];
  EXPECT_EQ(exported["membershipRuleProcessingState"], "On");
}

TEST(DynamicGroups, StaleExportIsReported) {
  json doc = SalesAndHr();
  doc["groups"][0]["members"] = json::array({"s1", "h1"});  // h1 left Sales, s2 joined since
  Engine e;
  Load(&e, doc);
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"s1", "s2"}));
  json g = Q(e, {{"query", "group"}, {"id", "sales"}});
  ASSERT_TRUE(g.contains("staleExport")) << g.dump();
  EXPECT_EQ(g["staleExport"]["listedOnly"], 1);
  EXPECT_EQ(g["staleExport"]["ruleOnly"], 1);
}

TEST(DynamicGroups, StaleExportLeaversLoseWhatTheGroupGaveAndJoinersGetItAfterProcessing) {
  json doc = SalesAndHr();
  doc["groups"][0]["members"] = json::array({"s1", "h1"});
  for (auto& u : doc["users"]) {
    if (u["id"] == "s2") continue;  // s2 joined since the export
    u["assignedLicenses"] = json::array({License(kE3)});
    u["licenseAssignmentStates"] = json::array(
        {{{"skuId", kE3}, {"assignedByGroup", "sales"}, {"state", "Active"}, {"error", "None"}}});
  }
  Engine e;
  Load(&e, doc);
  EXPECT_FALSE(HasLicense(e, "h1", kE3)) << "h1 left Sales: its license from Sales goes";
  EXPECT_TRUE(HasLicense(e, "s1", kE3));
  EXPECT_EQ(Consumed(e, kE3), 1);
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "s2", kE3));
  EXPECT_EQ(Consumed(e, kE3), 2);
}

TEST(DynamicGroups, PausedGroupKeepsItsListedMembersOnLoad) {
  json doc = SalesAndHr();
  doc["groups"][0]["members"] = json::array({"h1"});
  doc["groups"][0]["membershipRuleProcessingState"] = "Paused";
  Engine e;
  Load(&e, doc);
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"h1"}));
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "sales"}})["membershipRuleProcessingState"], "Paused");
}

TEST(DynamicGroups, RuleThatDoesNotParseKeepsListedMembersWithAWarning) {
  json doc = SalesAndHr();
  doc["groups"][0]["membershipRule"] = "user.department -eq";
  doc["groups"][0]["members"] = json::array({"s1"});
  Engine e;
  auto r = e.LoadDocument(doc.dump());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  ASSERT_FALSE(r.Value().warnings.empty());
  EXPECT_NE(r.Value().warnings[0].find("group \"sales\""), std::string::npos)
      << r.Value().warnings[0];
  EXPECT_NE(r.Value().warnings[0].find("position "), std::string::npos) << r.Value().warnings[0];
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"s1"}));
  json g = Q(e, {{"query", "group"}, {"id", "sales"}});
  ASSERT_TRUE(g.contains("ruleError")) << g.dump();
  EXPECT_EQ(g["ruleError"]["position"], 19);
}

TEST(DynamicGroups, UnknownProcessingStateIsALoadError) {
  json doc = SalesAndHr();
  doc["groups"][1]["membershipRuleProcessingState"] = "Sometimes";
  Engine e;
  auto r = e.LoadDocument(doc.dump());
  ASSERT_FALSE(r.Ok());
  EXPECT_NE(r.GetError().message.find("groups[1].membershipRuleProcessingState"), std::string::npos)
      << r.GetError().message;
}

TEST(DynamicGroups, UserAttributesReloadToTheSameExport) {
  json doc = SalesAndHr();
  json& u = doc["users"][0];
  u["jobTitle"] = "Seller";
  u["officeLocation"] = "Building 7";
  u["otherMails"] = json::array({"s1@fabrikam.com", "s1@example.com"});
  u["onPremisesSyncEnabled"] = true;
  u["onPremisesExtensionAttributes"] = {{"extensionAttribute1", "A1"},
                                        {"extensionAttribute15", nullptr}};
  u["extension_b7d8e5fb2f7c4bf1a2a1c0f3f5e9d6c4_costCenter"] = "CC-7";
  u["manager"] = {{"id", "h1"}, {"displayName", "User h1"}};
  Engine e;
  Load(&e, doc);
  const std::string first = e.ExportDocument();
  json user = ExportedUser(e, "s1");
  EXPECT_EQ(user["jobTitle"], "Seller");
  EXPECT_EQ(user["officeLocation"], "Building 7");
  EXPECT_EQ(user["otherMails"], json::array({"s1@fabrikam.com", "s1@example.com"}));
  EXPECT_EQ(user["onPremisesSyncEnabled"], true);
  EXPECT_EQ(user["onPremisesExtensionAttributes"], json({{"extensionAttribute1", "A1"}}));
  EXPECT_EQ(user["extension_b7d8e5fb2f7c4bf1a2a1c0f3f5e9d6c4_costCenter"], "CC-7");
  EXPECT_EQ(user["manager"], json({{"id", "h1"}}));
  Engine again;
  auto r = again.LoadDocument(first);
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(again.ExportDocument(), first);
}

TEST(DynamicGroups, RulesReadEveryKindOfStoredAttribute) {
  json doc = SalesAndHr();
  json& u = doc["users"][0];
  u["otherMails"] = json::array({"s1@fabrikam.com"});
  u["onPremisesSyncEnabled"] = true;
  u["onPremisesExtensionAttributes"] = {{"extensionAttribute3", "Tier1"}};
  u["extension_b7d8e5fb2f7c4bf1a2a1c0f3f5e9d6c4_costCenter"] = "CC-7";
  u["manager"] = {{"id", "h1"}};
  u["officeLocation"] = "Building 7";
  Engine e;
  Load(&e, doc);
  e.ProcessAll();
  auto holds = [&](const std::string& rule) {
    json r = Q(e, {{"query", "validateRule"}, {"rule", rule}, {"userIds", {"s1"}}});
    EXPECT_EQ(r["valid"], true) << rule << " " << r.dump();
    return r["users"][0]["matches"].get<bool>();
  };
  EXPECT_TRUE(holds("user.otherMails -any (_ -contains \"fabrikam\")"));
  EXPECT_TRUE(holds("user.dirSyncEnabled -eq true"));
  EXPECT_TRUE(holds("user.extensionAttribute3 -eq \"tier1\""));
  EXPECT_TRUE(
      holds("user.extension_b7d8e5fb2f7c4bf1a2a1c0f3f5e9d6c4_costCenter -startsWith \"CC\""));
  EXPECT_TRUE(holds("user.physicalDeliveryOfficeName -eq \"Building 7\""));
  EXPECT_TRUE(holds("user.proxyAddresses -any (_ -startsWith \"smtp:\")"));
  EXPECT_TRUE(holds("user.userPrincipalName -endsWith \"@contoso.com\""));
  EXPECT_TRUE(holds("user.usageLocation -eq \"US\" -and user.accountEnabled -eq true"));
  EXPECT_TRUE(
      holds("user.assignedPlans -any (assignedPlan.servicePlanId -eq "
            "\"efb87545-963c-4e0d-99df-69c6916d9eb0\" -and assignedPlan.capabilityStatus "
            "-eq \"Enabled\")"))
      << "s1 holds E3 (Exchange Online Plan 2) through the Sales group";
  EXPECT_FALSE(holds("user.jobTitle -ne null"));
  EXPECT_TRUE(holds("Direct Reports for \"h1\""));
}

TEST(DynamicGroups, ValidateRuleExplainsEachUser) {
  Engine e;
  Load(&e, SalesAndHr());
  json r = Q(e, {{"query", "validateRule"},
                 {"rule", "user.department -eq \"Sales\" -or user.department -eq \"Legal\""},
                 {"userIds", {"s1", "h1"}}});
  ASSERT_EQ(r["valid"], true) << r.dump();
  ASSERT_EQ(r["users"].size(), 2u);
  EXPECT_EQ(r["users"][0]["id"], "s1");
  EXPECT_EQ(r["users"][0]["displayName"], "User s1");
  EXPECT_EQ(r["users"][0]["matches"], true);
  EXPECT_EQ(r["users"][0]["decidedBy"], "user.department -eq \"Sales\"");
  EXPECT_EQ(r["users"][1]["matches"], false);
  EXPECT_EQ(r["users"][1]["decidedBy"], "user.department -eq \"Legal\"");
}

TEST(DynamicGroups, ValidateRuleNamesThePositionOfAnError) {
  Engine e;
  Load(&e, SalesAndHr());
  json r = Q(
      e, {{"query", "validateRule"}, {"rule", "user.department -eq"}, {"userIds", json::array()}});
  EXPECT_EQ(r["valid"], false);
  EXPECT_EQ(r["error"]["position"], 19);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("position 19"), std::string::npos);
  auto unknown = e.Query(
      json{{"query", "validateRule"}, {"rule", "user.city -eq \"x\""}, {"userIds", {"nobody"}}}
          .dump());
  EXPECT_FALSE(unknown.Ok());
}

TEST(DynamicGroups, PatchUserMovesThemBetweenGroupsAndTheirLicensesFollow) {
  Engine e;
  Load(&e, SalesAndHr());
  e.ProcessAll();
  ASSERT_TRUE(HasLicense(e, "s1", kE3));
  json r = Apply1(&e, Req("PATCH", "/users/s1", {{"department", "HR"}}));
  EXPECT_EQ(r["status"], 204) << r.dump();
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"s2"}));
  EXPECT_EQ(MemberIds(e, "hr"), (Ids{"h1", "s1"}));
  e.ProcessAll();
  EXPECT_FALSE(HasLicense(e, "s1", kE3));
  EXPECT_TRUE(HasLicense(e, "s1", kEms));
  EXPECT_EQ(ExportedUser(e, "s1")["department"], "HR");
  json audit = Q(e, {{"query", "audit"}, {"limit", 100}});
  std::string activities = audit.dump();
  EXPECT_NE(activities.find("Add member to group"), std::string::npos);
  EXPECT_NE(activities.find("Remove member from group"), std::string::npos);
}

TEST(DynamicGroups, PatchUserWithNullClearsTheAttribute) {
  Engine e;
  Load(&e, SalesAndHr());
  EXPECT_EQ(Apply1(&e, Req("PATCH", "/users/h1", {{"department", nullptr}}))["status"], 204);
  EXPECT_TRUE(MemberIds(e, "hr").empty());
  EXPECT_FALSE(ExportedUser(e, "h1").contains("department"));
  json bad = Apply1(&e, Req("PATCH", "/users/h1", {{"department", 7}}));
  EXPECT_EQ(bad["status"], 400);
}

TEST(DynamicGroups, PatchGroupRuleReevaluatesTheGroup) {
  Engine e;
  Load(&e, SalesAndHr());
  json r = Apply1(&e, Req("PATCH", "/groups/sales",
                          {{"membershipRule", "user.department -in [\"Sales\",\"HR\"]"}}));
  EXPECT_EQ(r["status"], 204) << r.dump();
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"h1", "s1", "s2"}));
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "sales"}})["membershipRule"],
            "user.department -in [\"Sales\",\"HR\"]");
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "h1", kE3));
}

TEST(DynamicGroups, PatchGroupRuleThatDoesNotParseIsRefusedWithItsPosition) {
  Engine e;
  Load(&e, SalesAndHr());
  json r = Apply1(&e, Req("PATCH", "/groups/sales", {{"membershipRule", "user.department -eq"}}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_NE(r["body"]["error"]["message"].get<std::string>().find("position 19"), std::string::npos)
      << r.dump();
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"s1", "s2"}));
  json static_group = Apply1(
      &e, Req("PATCH", "/groups/sales",
              {{"members@odata.bind", json::array()}, {"membershipRule", "user.city -eq \"x\""}}));
  EXPECT_EQ(static_group["status"], 400);
}

TEST(DynamicGroups, PausedRuleKeepsMembersAsTheyAre) {
  Engine e;
  Load(&e, SalesAndHr());
  json r = Apply1(&e, Req("PATCH", "/groups/sales",
                          {{"membershipRule", "user.department -eq \"HR\""},
                           {"membershipRuleProcessingState", "Paused"}}));
  EXPECT_EQ(r["status"], 204) << r.dump();
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"s1", "s2"}));
  EXPECT_EQ(Apply1(&e, Req("PATCH", "/users/h1", {{"department", "Sales"}}))["status"], 204);
  EXPECT_EQ(MemberIds(e, "sales"), (Ids{"s1", "s2"})) << "paused: a user change moves nobody";
  EXPECT_EQ(Apply1(&e, Req("PATCH", "/groups/sales",
                           {{"membershipRuleProcessingState", "On"}}))["status"],
            204);
  EXPECT_EQ(MemberIds(e, "sales"), Ids{})
      << "On again: the rule (department HR, nobody now) applies";
}

TEST(DynamicGroups, ACreatedUserJoinsTheGroupsWhoseRulesHold) {
  Engine e;
  Load(&e, SalesAndHr());
  json r = Apply1(&e, Req("POST", "/users",
                          {{"id", "n1"},
                           {"displayName", "New"},
                           {"userPrincipalName", "n1@contoso.com"},
                           {"usageLocation", "US"},
                           {"department", "HR"}}));
  EXPECT_EQ(r["status"], 201) << r.dump();
  EXPECT_EQ(MemberIds(e, "hr"), (Ids{"h1", "n1"}));
  EXPECT_EQ(ExportedUser(e, "n1")["department"], "HR");
  EXPECT_TRUE(HasLicense(e, "n1", kEms));
}

TEST(DynamicGroups, ManualMembershipChangesOnDynamicGroupsStayRefused) {
  Engine e;
  Load(&e, SalesAndHr());
  EXPECT_EQ(AddMember(&e, "sales", "h1")["status"], 400);
  EXPECT_EQ(RemoveMember(&e, "sales", "s1")["status"], 400);
}

TEST(DynamicGroups, JournalRollbackOfAUserChangeIsExact) {
  Engine e;
  Load(&e, SalesAndHr());
  e.ProcessAll();
  const std::string before = e.ExportDocument();
  e.BeginJournal();
  Apply1(&e, Req("PATCH", "/users/s1",
                 {{"department", "HR"}, {"jobTitle", "Manager"}, {"otherMails", {"x@y.com"}}}));
  e.ProcessAll();
  ASSERT_NE(e.ExportDocument(), before);
  ASSERT_TRUE(e.RollBack().Ok());
  EXPECT_EQ(e.ExportDocument(), before);
  EXPECT_EQ(MemberIds(e, "hr"), (Ids{"h1"}));
}

TEST(DynamicGroups, JournalRollbackOfARuleEditIsExact) {
  Engine e;
  Load(&e, SalesAndHr());
  e.ProcessAll();
  const std::string before = e.ExportDocument();
  e.BeginJournal();
  Apply1(&e, Req("PATCH", "/groups/sales", {{"membershipRule", "user.department -ne null"}}));
  e.ProcessAll();
  ASSERT_NE(e.ExportDocument(), before);
  ASSERT_TRUE(e.RollBack().Ok());
  EXPECT_EQ(e.ExportDocument(), before);
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "sales"}})["membershipRule"],
            "user.department -eq \"Sales\"");
}

TEST(DynamicGroups, JournalRollbackOfPausingIsExact) {
  Engine e;
  Load(&e, SalesAndHr());
  const std::string before = e.ExportDocument();
  e.BeginJournal();
  Apply1(&e, Req("PATCH", "/groups/sales", {{"membershipRuleProcessingState", "Paused"}}));
  ASSERT_NE(e.ExportDocument(), before);
  ASSERT_TRUE(e.RollBack().Ok());
  EXPECT_EQ(e.ExportDocument(), before);
}

json Plan(Engine* e, json requests) {
  for (size_t i = 0; i < requests.size(); ++i) requests[i]["id"] = std::to_string(i + 1);
  auto r = e->PlanChanges(json{{"requests", requests}}.dump());
  EXPECT_TRUE(r.Ok()) << (r.Ok() ? "" : r.GetError().message);
  return r.Ok() ? json::parse(r.Value()) : json();
}

TEST(DynamicGroups, PlannerPreviewOfARuleEditShowsJoinsLeavesAndTheLicenseEffect) {
  Engine e;
  Load(&e, SalesAndHr());
  e.ProcessAll();
  const std::string before = e.ExportDocument();
  json plan = Plan(&e, json::array({Req("PATCH", "/groups/sales",
                                        {{"membershipRule", "user.department -eq \"HR\""}})}));
  EXPECT_EQ(e.ExportDocument(), before) << "a preview changes nothing";
  ASSERT_EQ(plan["summary"]["memberships"].size(), 1u) << plan.dump();
  EXPECT_EQ(plan["summary"]["memberships"][0]["groupId"], "sales");
  EXPECT_EQ(plan["summary"]["memberships"][0]["joined"], 1);
  EXPECT_EQ(plan["summary"]["memberships"][0]["left"], 2);
  ASSERT_EQ(plan["groups"].size(), 1u) << plan.dump();
  EXPECT_EQ(plan["groups"][0]["membersBefore"], 2);
  EXPECT_EQ(plan["groups"][0]["membersAfter"], 1);
  EXPECT_EQ(plan["groups"][0]["joined"], 1);
  EXPECT_EQ(plan["groups"][0]["left"], 2);
  EXPECT_EQ(plan["summary"]["usersChanged"], 3) << "s1 and s2 lose E3, h1 gains it";
  bool seen_h1 = false;
  for (const auto& u : plan["users"]) {
    if (u["id"] != "h1") continue;
    seen_h1 = true;
    EXPECT_EQ(u["joinedGroups"], json::array({"sales"}));
    EXPECT_EQ(u["gains"], json::array({kE3}));
  }
  EXPECT_TRUE(seen_h1) << plan.dump();
  for (const auto& sku : plan["skus"]) {
    if (sku["skuId"] == kE3) {
      EXPECT_EQ(sku["consumedBefore"], 2);
      EXPECT_EQ(sku["consumedAfter"], 1);
    }
  }
}

TEST(DynamicGroups, PlannerPreviewOfAnAttributeChangeShowsTheMove) {
  Engine e;
  Load(&e, SalesAndHr());
  e.ProcessAll();
  json plan = Plan(&e, json::array({Req("PATCH", "/users/s2", {{"department", "HR"}})}));
  ASSERT_EQ(plan["summary"]["memberships"].size(), 2u) << plan.dump();
  ASSERT_EQ(plan["users"].size(), 1u) << plan.dump();
  EXPECT_EQ(plan["users"][0]["joinedGroups"], json::array({"hr"}));
  EXPECT_EQ(plan["users"][0]["leftGroups"], json::array({"sales"}));
  EXPECT_EQ(plan["users"][0]["gains"], json::array({kEms}));
  EXPECT_EQ(plan["users"][0]["loses"], json::array({kE3}));
}

}  // namespace
}  // namespace gbl
