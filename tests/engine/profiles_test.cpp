// Rule profiles (issue: today's service, not only 2017's): `current` (the default) lifts the
// Exchange Online Plan 1 / Plan 2 conflict, as licensing-groups-resolve-problems.md says since
// 2023; `2017` keeps the seed-era list.
#include <map>

#include "tenant.h"
#include "test_util.h"

namespace gbl::testing {
namespace {

json Skus() { return json::array({Sku(kE1, "STANDARDPACK", 10), Sku(kE3, "ENTERPRISEPACK", 10)}); }

/// E1 from one group, E3 without SharePoint from another: only Exchange Plan 1 / Plan 2 overlap.
json ExchangeOnlyOverlap(const std::string& profile) {
  json doc =
      TenantDoc(Skus(), json::array({UserDoc("u1")}),
                json::array({GroupDoc("e1", {"u1"}, json::array({License(kE1)})),
                             GroupDoc("e3", {"u1"}, json::array({License(kE3, {kSharePoint2})}))}));
  if (!profile.empty()) doc["licensingRules"] = {{"profile", profile}};
  return doc;
}

TEST(Profiles, CurrentIsTheDefaultAndLetsExchangePlansStack) {
  Engine e;
  Load(&e, ExchangeOnlyOverlap(""));
  e.ProcessAll();
  EXPECT_EQ(Q(e, {{"query", "tenant"}})["rulesProfile"], "current");
  EXPECT_TRUE(HasLicense(e, "u1", kE1));
  EXPECT_TRUE(HasLicense(e, "u1", kE3))
      << "Exchange Online (Plan 1) and (Plan 2) allow duplication";
}

TEST(Profiles, The2017ProfileKeepsTheExchangeConflict) {
  Engine e;
  Load(&e, ExchangeOnlyOverlap("2017"));
  e.ProcessAll();
  auto states = States(e, "u1", kE3);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0]["error"], "MutuallyExclusiveViolation");
  json u = Q(e, {{"query", "user"}, {"id", "u1"}});
  json ev;
  for (const auto& l : u["licenses"]) {
    if (l["skuId"] == kE3) ev = l["assignments"][0]["evidence"];
  }
  EXPECT_EQ(ev["servicePlan"]["servicePlanId"], kExchange2);
}

TEST(Profiles, SharePointPlansStillConflictOnCurrent) {
  Engine e;
  Load(&e, TenantDoc(Skus(), json::array({UserDoc("u1")}),
                     json::array({GroupDoc("e1", {"u1"}, json::array({License(kE1)})),
                                  GroupDoc("e3", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
  json u = Q(e, {{"query", "user"}, {"id", "u1"}});
  for (const auto& l : u["licenses"]) {
    if (l["skuId"] == kE3) {
      EXPECT_EQ(l["assignments"][0]["evidence"]["servicePlan"]["servicePlanId"], kSharePoint2);
    }
  }
}

TEST(Profiles, AnExportsExchangeConflictsClearWhenReprocessed) {
  // The docs' tip: "If you are experiencing conflicts with these service plans, try reprocessing
  // them" (licensing-groups-resolve-problems.md): an export recorded under the old rule loads
  // with its errors as they stand, and a reprocess applies today's rule.
  Engine old;
  Load(&old, ExchangeOnlyOverlap("2017"));
  old.ProcessAll();
  ASSERT_EQ(States(old, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
  json doc = Export(old);
  doc["licensingRules"] = {{"profile", "current"}};
  Engine e;
  Load(&e, doc);
  e.ProcessAll();
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
  EXPECT_EQ(Apply1(&e, Req("POST", "/groups/e3/reprocessLicenseAssignment"))["status"], 202);
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
}

TEST(Profiles, AnUnknownProfileIsASchemaErrorNamingIt) {
  Engine e;
  json doc = ExchangeOnlyOverlap("2019");
  auto r = e.LoadDocument(doc.dump());
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().code, "SchemaError");
  EXPECT_NE(r.GetError().message.find("licensingRules.profile"), std::string::npos);
  EXPECT_NE(r.GetError().message.find("2019"), std::string::npos);
}

TEST(Profiles, SwitchingReEvaluatesEveryUserAndTheExportKeepsIt) {
  Engine e;
  Load(&e, ExchangeOnlyOverlap(""));
  e.ProcessAll();
  ASSERT_TRUE(HasLicense(e, "u1", kE3));
  json r = Apply1(&e, Req("PATCH", "/licensingRules", {{"profile", "2017"}}));
  ASSERT_EQ(r["status"], 200) << r.dump();
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "MutuallyExclusiveViolation");
  // The export names the profile and its families; it loads back to the same rules.
  Engine reloaded;
  ASSERT_TRUE(reloaded.LoadDocument(e.ExportDocument()).Ok());
  EXPECT_EQ(Q(reloaded, {{"query", "tenant"}})["rulesProfile"], "2017");
  EXPECT_EQ(reloaded.ExportDocument(), e.ExportDocument());
  // And back: the error clears at once.
  ASSERT_EQ(Apply1(&e, Req("PATCH", "/licensingRules", {{"profile", "current"}}))["status"], 200);
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
}

TEST(Profiles, ASwitchIsUndoneByTheJournal) {
  Engine e;
  Load(&e, ExchangeOnlyOverlap(""));
  e.ProcessAll();
  const std::string before = e.ExportDocument();
  e.BeginJournal();
  ASSERT_EQ(Apply1(&e, Req("PATCH", "/licensingRules", {{"profile", "2017"}}))["status"], 200);
  ASSERT_TRUE(e.RollBack().Ok());
  EXPECT_EQ(e.ExportDocument(), before);
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
}

TEST(Profiles, BadSwitchRequestsAreRefusedAndChangeNothing) {
  Engine e;
  Load(&e, ExchangeOnlyOverlap(""));
  e.ProcessAll();
  const std::string before = e.ExportDocument();
  for (json body : {json{{"profile", "2019"}}, json{{"profile", 7}}, json{{"colour", "red"}}}) {
    json r = Apply1(&e, Req("PATCH", "/licensingRules", body));
    EXPECT_EQ(r["status"], 400) << body.dump();
  }
  EXPECT_EQ(e.ExportDocument(), before);
}

/// Intune (in EMS) needs Exchange Online (Plan 1), which no product of this tenant has.
json UnownedPrerequisite(bool template_in_document) {
  json doc = TenantDoc(
      json::array({Sku(kEms, "EMS", 10)}), json::array({UserDoc("u1")}),
      json::array({GroupDoc("g", {"u1"},
                            template_in_document ? json::array({License(kEms)}) : json::array())}));
  doc["licensingRules"] = {
      {"dependencies",
       json::array({{{"servicePlanId", kIntune},
                     {"requiresAnyOf", json::array({"9aaf7827-d63c-4b61-89c3-182f06f82e5c"})}}})}};
  return doc;
}

TEST(Dependencies, APrerequisiteTheTenantDoesNotOwnFailsTheGroupsMembers) {
  Engine e;
  Load(&e, UnownedPrerequisite(true));
  e.ProcessAll();
  auto states = States(e, "u1", kEms);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0]["state"], "Error");
  EXPECT_EQ(states[0]["error"], "DependencyViolation");
  EXPECT_EQ(Consumed(e, kEms), 0);
  json u = Q(e, {{"query", "user"}, {"id", "u1"}});
  std::string reason = u["licenses"][0]["assignments"][0]["evidence"]["reason"];
  EXPECT_NE(reason.find("Exchange Online (Plan 1)"), std::string::npos) << reason;
}

TEST(Dependencies, APrerequisiteTheTenantDoesNotOwnRefusesTheGroupTemplateAndTheDirectLicense) {
  Engine e;
  Load(&e, UnownedPrerequisite(false));
  json g = AssignGroup(&e, "g", json::array({License(kEms)}));
  EXPECT_EQ(g["status"], 400);
  EXPECT_NE(g["body"]["error"]["message"].get<std::string>().find("requires"), std::string::npos);
  json d = AssignUser(&e, "u1", json::array({License(kEms)}));
  EXPECT_EQ(d["status"], 400);
  EXPECT_NE(d["body"]["error"]["message"].get<std::string>().find("DependencyViolation"),
            std::string::npos);
  // Without Intune nothing is missing.
  EXPECT_EQ(AssignUser(&e, "u1", json::array({License(kEms, {kIntune})}))["status"], 200);
}

TEST(Dependencies, AnUnownedPrerequisiteSurvivesExportAndReload) {
  Engine e;
  Load(&e, UnownedPrerequisite(true));
  e.ProcessAll();
  Engine reloaded;
  ASSERT_TRUE(reloaded.LoadDocument(e.ExportDocument()).Ok());
  EXPECT_EQ(reloaded.ExportDocument(), e.ExportDocument());
  EXPECT_EQ(AssignUser(&reloaded, "u1", json::array({License(kEms)}))["status"], 400);
}

TEST(Dependencies, TheMessageNamesPlansInWords) {
  Engine e;
  json doc = TenantDoc(json::array({Sku(kEms, "EMS", 10)}), json::array({UserDoc("u1")}),
                       json::array({GroupDoc("g", {"u1"})}));
  doc["licensingRules"] = {
      {"dependencies",
       json::array({{{"servicePlanId", kIntune}, {"requiresAnyOf", json::array({kAadP1})}}})}};
  Load(&e, doc);
  json r = AssignGroup(&e, "g", json::array({License(kEms, {kAadP1})}));
  ASSERT_EQ(r["status"], 400);
  std::string message = r["body"]["error"]["message"];
  EXPECT_EQ(message.find("INTUNE_A"), std::string::npos) << message;
  // The catalogue's friendly names (EMS E3 lists Intune as "MICROSOFT INTUNE").
  EXPECT_NE(Lower(message).find("the service microsoft intune requires microsoft entra id p1"),
            std::string::npos)
      << message;
}

TEST(GroupsOutsideTheDocument, APartialExportsInheritedStatesStandAndSurviveReEvaluation) {
  // A user exported without the group that licenses them: the state is kept as it stands.
  json users = json::array({UserDoc("u1")});
  users[0]["licenseAssignmentStates"] = json::array({{{"skuId", kE3},
                                                      {"assignedByGroup", "ghost"},
                                                      {"state", "Active"},
                                                      {"error", "None"},
                                                      {"disabledPlans", json::array()}}});
  Engine e;
  Load(&e, TenantDoc(Skus(), users, json::array()));
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_EQ(Consumed(e, kE3), 1);
  json u = Q(e, {{"query", "user"}, {"id", "u1"}});
  EXPECT_EQ(u["licenses"][0]["assignments"][0]["path"],
            "Inherited (group ghost, not in the document)");
  EXPECT_EQ(Q(e, {{"query", "groups"}})["total"], 0) << "not listed as a group of this tenant";
  // A change to the user re-evaluates them; what the unlisted group gives stays.
  Apply1(&e, Req("PATCH", "/users/u1", {{"usageLocation", "GB"}}));
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  Engine reloaded;
  ASSERT_TRUE(reloaded.LoadDocument(e.ExportDocument()).Ok());
  EXPECT_EQ(reloaded.ExportDocument(), e.ExportDocument());
}

TEST(GroupsOutsideTheDocument, AGroupDeletedWhileADependencyKeepsItsLicenseExportsAndReloads) {
  // Intune (EMS, direct, without Entra ID P1) needs the P1 that the group's EMS gives. The group's
  // license is removed (the state stays, in error: the dependency) and the group deleted: the
  // export names the deleted group in the state and must load again.
  json doc = TenantDoc(json::array({Sku(kEms, "EMS", 10)}), json::array({UserDoc("u1")}),
                       json::array({GroupDoc("g", {"u1"}, json::array({License(kEms)}))}));
  doc["licensingRules"] = {
      {"dependencies",
       json::array({{{"servicePlanId", kIntune}, {"requiresAnyOf", json::array({kAadP1})}}})}};
  Engine e;
  Load(&e, doc);
  e.ProcessAll();
  ASSERT_EQ(AssignUser(&e, "u1", json::array({License(kEms, {kAadP1})}))["status"], 200);
  ASSERT_EQ(AssignGroup(&e, "g", json::array(), json::array({kEms}))["status"], 202);
  e.ProcessAll();
  ASSERT_EQ(Apply1(&e, Req("DELETE", "/groups/g"))["status"], 204);
  auto states = States(e, "u1", kEms);
  ASSERT_EQ(states.size(), 2u);
  json inherited = states[0]["assignedByGroup"].is_null() ? states[1] : states[0];
  EXPECT_EQ(inherited["error"], "DependencyViolation");
  Engine reloaded;
  auto r = reloaded.LoadDocument(e.ExportDocument());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(reloaded.ExportDocument(), e.ExportDocument());
  // Resolving the dependency and reprocessing the user lets the deleted group's license go.
  for (Engine* x : {&e, &reloaded}) {
    ASSERT_EQ(AssignUser(x, "u1", json::array({License(kEms, {kAadP1, kIntune})}))["status"], 200);
    ASSERT_EQ(Apply1(x, Req("POST", "/users/u1/reprocessLicenseAssignment"))["status"], 200);
    EXPECT_EQ(States(*x, "u1", kEms).size(), 1u) << "only the direct license is left";
  }
}

TEST(AssignedPlans, ServiceIsTheWorkloadAndStatusFollowsTheSubscription) {
  json skus = json::array({Sku(kE3, "ENTERPRISEPACK", 10)});
  skus[0]["capabilityStatus"] = "Warning";
  Engine e;
  Load(&e, TenantDoc(skus, json::array({UserDoc("u1")}),
                     json::array({GroupDoc("g", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  json u = ExportedUser(e, "u1");
  std::map<std::string, json> by_plan;
  for (const auto& p : u["assignedPlans"]) by_plan[p["servicePlanId"]] = p;
  ASSERT_TRUE(by_plan.count(kExchange2));
  EXPECT_EQ(by_plan[kExchange2]["service"], "exchange");
  EXPECT_EQ(by_plan[kSharePoint2]["service"], "SharePoint");
  EXPECT_EQ(by_plan[kTeams]["service"], "TeamspaceAPI");
  EXPECT_EQ(by_plan[kSway]["service"], "Sway");
  for (const auto& [id, p] : by_plan) EXPECT_EQ(p["capabilityStatus"], "Warning") << id;
}

constexpr const char* kWorkplaceAnalytics = "3d957427-ecdc-4df2-aacd-01cc9d519da8";
constexpr const char* kAudioConferencing = "0c266dff-15dd-4b49-8397-2bb16070ed52";

/// E3 (Exchange Online (Plan 2), Skype for Business Online (Plan 2), Teams) and two add-ons.
json AddOnTenant(json groups, json rules = nullptr) {
  json doc = TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 10),
                                    Sku(kWorkplaceAnalytics, "WORKPLACE_ANALYTICS", 10),
                                    Sku(kAudioConferencing, "MCOMEETADV", 10)}),
                       json::array({UserDoc("u1"), UserDoc("u2")}), std::move(groups));
  if (!rules.is_null()) doc["licensingRules"] = std::move(rules);
  return doc;
}

/// Every plan of E3 but Exchange Online (Plan 2) disabled.
std::vector<std::string> AllE3PlansBut(const Engine& e, const std::string& keep) {
  std::vector<std::string> off;
  const json doc = Export(e);  // kept: a range over a temporary's member would dangle
  for (const auto& s : doc["subscribedSkus"]) {
    if (s["skuId"] != kE3) continue;
    for (const auto& p : s["servicePlans"]) {
      if (p["servicePlanId"] != keep) off.push_back(p["servicePlanId"]);
    }
  }
  return off;
}

TEST(DefaultDependencies, WorkplaceAnalyticsNeedsExchangeOnlineInTheSameGroup) {
  // licensing-group-advanced.md: the add-on's prerequisite must be "in the same group"; the
  // portal refuses the group operation naming the plans in words.
  Engine e;
  Load(&e, AddOnTenant(json::array({GroupDoc("e3", {"u1", "u2"}, json::array({License(kE3)})),
                                    GroupDoc("wa", {"u1"}), GroupDoc("wa-ex", {"u2"})})));
  e.ProcessAll();
  json alone = AssignGroup(&e, "wa", json::array({License(kWorkplaceAnalytics)}));
  ASSERT_EQ(alone["status"], 400);
  std::string message = alone["body"]["error"]["message"];
  EXPECT_NE(message.find("The service Microsoft Workplace Analytics requires Exchange Online "
                         "(Plan 2) to be enabled as well."),
            std::string::npos)
      << message;
  EXPECT_FALSE(HasLicense(e, "u1", kWorkplaceAnalytics));
  // The docs' recipe: E3 with only Exchange Online (Plan 2) enabled beside the add-on. u2 holds
  // one E3 seat (also through the full-E3 group) and one Workplace Analytics seat.
  json with = AssignGroup(
      &e, "wa-ex",
      json::array({License(kE3, AllE3PlansBut(e, kExchange2)), License(kWorkplaceAnalytics)}));
  ASSERT_EQ(with["status"], 202) << with.dump();
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u2", kWorkplaceAnalytics));
  EXPECT_EQ(Consumed(e, kE3), 2);
  EXPECT_EQ(Consumed(e, kWorkplaceAnalytics), 1);
}

TEST(DefaultDependencies, AnExportedGroupWithTheAddOnAloneFailsItsMembers) {
  // A template read from a document is not refused: its members get DependencyViolation even
  // when another group gives them Exchange (the prerequisite must be in the same group).
  Engine e;
  Load(&e, AddOnTenant(
               json::array({GroupDoc("e3", {"u1"}, json::array({License(kE3)})),
                            GroupDoc("wa", {"u1"}, json::array({License(kWorkplaceAnalytics)}))})));
  e.ProcessAll();
  auto states = States(e, "u1", kWorkplaceAnalytics);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0]["error"], "DependencyViolation");
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
}

TEST(DefaultDependencies, AudioConferencingNeedsSkypeForBusinessOrTeams) {
  // A direct add-on may lean on a prerequisite from any source (§6.11); the removal of that
  // source then fails with DependencyViolation (licensing-groups-resolve-problems.md).
  Engine e;
  Load(&e, AddOnTenant(json::array({GroupDoc("e3", {"u1"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  json refused = AssignUser(&e, "u2", json::array({License(kAudioConferencing)}));
  ASSERT_EQ(refused["status"], 400);
  std::string message = refused["body"]["error"]["message"];
  EXPECT_NE(Lower(message).find("requires skype for business online (plan 2) or microsoft teams"),
            std::string::npos)
      << message;
  EXPECT_EQ(AssignUser(&e, "u1", json::array({License(kAudioConferencing)}))["status"], 200);
  RemoveMember(&e, "e3", "u1");
  e.ProcessAll();
  auto states = States(e, "u1", kE3);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0]["state"], "ActiveWithError");
  EXPECT_EQ(states[0]["error"], "DependencyViolation");
  EXPECT_EQ(Consumed(e, kE3), 1);
}

TEST(DefaultDependencies, WithNoExchangeProductWorkplaceAnalyticsCanNeverBeAssigned) {
  Engine e;
  json doc =
      TenantDoc(json::array({Sku(kWorkplaceAnalytics, "WORKPLACE_ANALYTICS", 10)}),
                json::array({UserDoc("u1")}),
                json::array({GroupDoc("wa", {"u1"}, json::array({License(kWorkplaceAnalytics)}))}));
  Load(&e, doc);
  e.ProcessAll();
  auto states = States(e, "u1", kWorkplaceAnalytics);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0]["error"], "DependencyViolation");
  json u = Q(e, {{"query", "user"}, {"id", "u1"}});
  std::string reason = u["licenses"][0]["assignments"][0]["evidence"]["reason"];
  EXPECT_NE(reason.find("requires Exchange Online (Plan 1) or Exchange Online (Plan 2)"),
            std::string::npos)
      << reason;
}

TEST(DefaultDependencies, ADocumentsOwnDependenciesReplaceTheDefaults) {
  Engine e;
  Load(&e, AddOnTenant(json::array({GroupDoc("wa", {"u1"})}), {{"dependencies", json::array()}}));
  EXPECT_EQ(AssignGroup(&e, "wa", json::array({License(kWorkplaceAnalytics)}))["status"], 202);
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kWorkplaceAnalytics));
  // And the defaults are written out, so a processed export reloads to the same rules.
  Engine defaults;
  Load(&defaults, AddOnTenant(json::array()));
  json rules = Export(defaults)["licensingRules"]["dependencies"];
  EXPECT_EQ(rules.size(), 2u) << rules.dump();
  Engine reloaded;
  ASSERT_TRUE(reloaded.LoadDocument(defaults.ExportDocument()).Ok());
  EXPECT_EQ(reloaded.ExportDocument(), defaults.ExportDocument());
}

}  // namespace
}  // namespace gbl::testing
