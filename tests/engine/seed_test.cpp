// The seed walkthrough on the built-in sample tenant: HR Department and Kiosk users.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "test_util.h"

namespace gbl::testing {
namespace {

// Every step on every rule profile: the walkthrough must work the same on today's rules
// (SharePoint Plan 1/Plan 2 still conflict) and on 2017's.
class SeedScenario : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    engine_.SetNow(1796115600000);  // 2026-12-01T01:00:00Z
    auto r = engine_.LoadSample();
    ASSERT_TRUE(r.Ok()) << r.GetError().message;
    json switched = Apply1(&engine_, Req("PATCH", "/licensingRules", {{"profile", GetParam()}}));
    ASSERT_EQ(switched["status"], 200) << switched.dump();
    ASSERT_EQ(Q(engine_, {{"query", "tenant"}})["rulesProfile"], GetParam());
    hr_ = GroupId("HR Department");
    kiosk_ = GroupId("Kiosk users");
  }

  std::string GroupId(const std::string& name) {
    json page = Q(engine_, {{"query", "groups"}, {"search", name}});
    for (const auto& g : page["items"]) {
      if (g["displayName"] == name) return g["id"];
    }
    ADD_FAILURE() << "no group " << name;
    return "";
  }

  // Step 1: E3 (Yammer Enterprise off) and EMS on HR Department, then background processing.
  void AssignHr() {
    json r = AssignGroup(&engine_, hr_, json::array({License(kE3, {kYammer}), License(kEms)}));
    ASSERT_EQ(r["status"], 202) << r.dump();
    engine_.ProcessAll();
  }

  std::vector<std::string> HrErrorUsers() {
    std::vector<std::string> ids;
    json page = Q(engine_, {{"query", "groupErrors"}, {"id", hr_}, {"limit", 1000}});
    for (const auto& u : page["items"]) ids.push_back(u["id"]);
    return ids;
  }

  Engine engine_;
  std::string hr_, kiosk_;
};

TEST_P(SeedScenario, SampleStartsWithHrUnlicensedAndKioskHoldingE1) {
  json hr = Q(engine_, {{"query", "group"}, {"id", hr_}});
  EXPECT_EQ(hr["members"], 1000);
  EXPECT_TRUE(hr["licenses"].empty());
  json kiosk = Q(engine_, {{"query", "group"}, {"id", kiosk_}});
  ASSERT_EQ(kiosk["licenses"].size(), 1u);
  EXPECT_EQ(kiosk["licenses"][0]["skuId"], kE1);
  EXPECT_FALSE(engine_.HasPendingWork());
}

TEST_P(SeedScenario, AssignmentIsAcceptedAndQueued) {
  json r = AssignGroup(&engine_, hr_, json::array({License(kE3, {kYammer}), License(kEms)}));
  EXPECT_EQ(r["status"], 202);
  EXPECT_EQ(r["body"]["licenseProcessingState"]["state"], "QueuedForProcessing");
  EXPECT_TRUE(engine_.HasPendingWork());
  json g = Q(engine_, {{"query", "group"}, {"id", hr_}});
  EXPECT_EQ(g["processing"]["state"], "QueuedForProcessing");
  ASSERT_EQ(g["licenses"].size(), 2u);
  for (const auto& plan : g["licenses"][0]["servicePlans"]) {
    EXPECT_EQ(plan["enabled"], plan["servicePlanId"] != kYammer) << plan.dump();
  }
}

TEST_P(SeedScenario, HrDepartmentGets990LicensedAndTenInConflict) {
  AssignHr();
  json g = Q(engine_, {{"query", "group"}, {"id", hr_}});
  EXPECT_EQ(g["processing"]["state"], "ProcessingComplete");
  EXPECT_EQ(g["membersWithErrors"], 10);
  auto errors = HrErrorUsers();
  ASSERT_EQ(errors.size(), 10u);
  json page = Q(engine_, {{"query", "groupErrors"}, {"id", hr_}, {"limit", 1000}});
  for (const auto& u : page["items"]) {
    EXPECT_EQ(u["failedProducts"].size(), 2u) << "both products fail (all-or-nothing)";
    // E3 conflicts with E1 (SharePoint); EMS is not assigned because of it: Other.
    for (const auto& p : u["failedProducts"]) {
      EXPECT_EQ(p["error"], p["skuId"] == kE3 ? "MutuallyExclusiveViolation" : "Other") << p.dump();
    }
    EXPECT_EQ(u["topReasonText"], "Conflicting service plans");
    // E1 from Kiosk users stays in force.
    EXPECT_TRUE(HasLicense(engine_, u["id"], kE1));
    EXPECT_FALSE(HasLicense(engine_, u["id"], kE3));
    EXPECT_FALSE(HasLicense(engine_, u["id"], kEms));
  }
  // Everyone else in HR holds E3 and EMS.
  json members = Q(engine_, {{"query", "groupMembers"}, {"id", hr_}, {"limit", 2000}});
  std::set<std::string> in_error(errors.begin(), errors.end());
  int licensed = 0;
  json doc = Export(engine_);
  std::map<std::string, json> users;
  for (const auto& u : doc["users"]) users[u["id"]] = u;
  for (const auto& m : members["items"]) {
    if (in_error.count(m["id"])) continue;
    std::set<std::string> skus;
    for (const auto& l : users[m["id"]]["assignedLicenses"]) skus.insert(l["skuId"]);
    if (skus.count(kE3) && skus.count(kEms)) ++licensed;
  }
  EXPECT_EQ(licensed, 990);
}

// Lists sort and filter by column (issue 13): the users in error by reason and product, All users
// by license errors, sorted by name either way; pages of a sorted list join into the whole list.
TEST_P(SeedScenario, ListsFilterByReasonAndProductAndSortByAnyColumn) {
  AssignHr();
  json errors = Q(engine_, {{"query", "users"}, {"errorsOnly", true}, {"limit", 50}});
  EXPECT_EQ(errors["total"], 10);
  EXPECT_EQ(Q(engine_, {{"query", "users"}, {"reason", "MutuallyExclusiveViolation"}})["total"],
            10);
  EXPECT_EQ(Q(engine_, {{"query", "users"}, {"reason", "CountViolation"}})["total"], 0);
  EXPECT_EQ(Q(engine_, {{"query", "users"}, {"errorsOnly", true}, {"skuId", kEms}})["total"], 10);
  EXPECT_EQ(Q(engine_, {{"query", "groupErrors"}, {"id", hr_}, {"skuId", kE1}})["total"], 0);
  EXPECT_EQ(Q(engine_, {{"query", "licensedUsers"}, {"skuId", kE3}, {"errorsOnly", true}})["total"],
            10);

  auto names = [&](json query) {
    std::vector<std::string> out;
    const json page = Q(engine_, query);
    for (const auto& u : page["items"]) out.push_back(u["displayName"]);
    return out;
  };
  auto lower = [](std::string v) {
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
  };
  std::vector<std::string> up =
      names({{"query", "groupErrors"}, {"id", hr_}, {"orderBy", "displayName"}});
  ASSERT_EQ(up.size(), 10u);
  EXPECT_TRUE(std::is_sorted(up.begin(), up.end(), [&](const std::string& a, const std::string& b) {
    return lower(a) < lower(b);
  }));
  std::vector<std::string> down =
      names({{"query", "groupErrors"}, {"id", hr_}, {"orderBy", "displayName desc"}});
  std::reverse(down.begin(), down.end());
  EXPECT_EQ(down, up);
  // All users sorted by errors, those in error first, in pages of 7 that join up.
  const int users = Q(engine_, {{"query", "users"}, {"limit", 0}})["total"];
  std::vector<std::string> paged;
  for (int offset = 0; offset < users; offset += 7) {
    for (auto& n : names({{"query", "users"},
                          {"orderBy", "hasErrors desc"},
                          {"offset", offset},
                          {"limit", 7}})) {
      paged.push_back(n);
    }
  }
  EXPECT_EQ(paged.size(), static_cast<size_t>(users));
  EXPECT_EQ(paged, names({{"query", "users"}, {"orderBy", "hasErrors desc"}, {"limit", users}}));
  json first10 = Q(engine_, {{"query", "users"}, {"orderBy", "hasErrors desc"}, {"limit", 10}});
  for (const auto& u : first10["items"]) EXPECT_TRUE(u["hasErrors"].get<bool>()) << u.dump();
  json groups =
      Q(engine_, {{"query", "groups"}, {"orderBy", "membersWithErrors desc"}, {"limit", 1}});
  EXPECT_EQ(groups["items"][0]["displayName"], "HR Department");
  // A column the list does not have is refused, naming those it has.
  auto bad = engine_.Query(R"({"query":"users","orderBy":"shoeSize"})");
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(bad.GetError().message,
            "orderBy: this list has no column \"shoeSize\" (displayName, userPrincipalName, "
            "usageLocation, accountEnabled, licenses, hasErrors)");
  EXPECT_FALSE(engine_.Query(R"({"query":"users","orderBy":"displayName sideways"})").Ok());
  EXPECT_FALSE(engine_.Query(R"({"query":"users","reason":"Sad"})").Ok());
  // The filter's choices: every kind but None, with the portal's words.
  json kinds = Q(engine_, {{"query", "errorKinds"}});
  ASSERT_EQ(kinds.size(), 6u);
  EXPECT_EQ(kinds[1]["error"], "MutuallyExclusiveViolation");
  EXPECT_EQ(kinds[1]["errorText"], "Conflicting service plans");
}

// The group's own log read as an admin reads it: without the 1,000 per-user rows, Start and Finish
// are the first rows (the per-user rows stay one filter away).
TEST_P(SeedScenario, AuditLogWithoutPerUserRowsReadsFinishAndStartFirst) {
  AssignHr();
  json audit = Q(engine_, {{"query", "audit"},
                           {"targetId", hr_},
                           {"excludeActivity", "Change user license"},
                           {"limit", 10}});
  ASSERT_EQ(audit["total"], 3);
  EXPECT_EQ(audit["items"][0]["activityDisplayName"],
            "Finish applying group based license to users");
  EXPECT_EQ(audit["items"][1]["activityDisplayName"],
            "Start applying group based license to users");
  EXPECT_EQ(audit["items"][2]["activityDisplayName"], "Set group license");
}

TEST_P(SeedScenario, AuditLogShowsStartAndFinishWith990And10) {
  AssignHr();
  json audit = Q(engine_, {{"query", "audit"}, {"targetId", hr_}, {"limit", 5000}});
  int starts = 0, finishes = 0, sets = 0;
  for (const auto& e : audit["items"]) {
    std::string a = e["activityDisplayName"];
    EXPECT_EQ(e["loggedByService"], "Core Directory");
    if (a == "Start applying group based license to users") {
      ++starts;
      EXPECT_EQ(e["initiatedBy"]["app"]["displayName"], "Microsoft Entra group-Based Licensing");
    }
    if (a == "Finish applying group based license to users") {
      ++finishes;
      EXPECT_EQ(e["targetResources"][0]["modifiedProperties"][0]["newValue"],
                "[Users successfully assigned licenses: 990, Users for whom license assignment "
                "failed: 10.]");
    }
    if (a == "Set group license") ++sets;
  }
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(finishes, 1);
  EXPECT_EQ(sets, 1);
  json changes = Q(engine_, {{"query", "audit"},
                             {"activity", "Change user license"},
                             {"result", "success"},
                             {"limit", 1}});
  EXPECT_EQ(changes["total"], 990);
  // The ten the service could not license: a failed "Change user license" each, by the group
  // licensing app, naming the conflicting plan pair.
  json failures = Q(engine_, {{"query", "audit"},
                              {"activity", "Change user license"},
                              {"result", "failure"},
                              {"limit", 100}});
  ASSERT_EQ(failures["total"], 10);
  for (const auto& f : failures["items"]) {
    EXPECT_EQ(f["result"], "failure");
    EXPECT_EQ(f["initiatedBy"]["app"]["displayName"], "Microsoft Entra group-Based Licensing");
    std::string reason = f["resultReason"];
    EXPECT_NE(reason.find("Resolve these conflicting service plan pairs"), std::string::npos);
    // On current the pair is SharePoint's; 2017 also has Exchange's, which it meets first.
    const char* plan = GetParam() == "current" ? "SHAREPOINTENTERPRISE" : "EXCHANGE_S_ENTERPRISE";
    EXPECT_NE(reason.find(plan), std::string::npos) << reason;
    EXPECT_NE(reason.find(kE3), std::string::npos) << "licenses being added";
  }
  auto bad = engine_.Query(R"({"query":"audit","result":"maybe"})");
  ASSERT_FALSE(bad.Ok());
  EXPECT_EQ(bad.GetError().code, "BadRequest");
}

// The planner (issue: preview any change before it happens) on the seed's own case.
TEST_P(SeedScenario, ThePlanOfStepOneShows990LicensedAndTenConflictsAndChangesNothing) {
  const std::string untouched = engine_.ExportDocument();
  json batch = {
      {"requests",
       json::array({Req("POST", "/groups/" + hr_ + "/assignLicense",
                        {{"addLicenses", json::array({License(kE3, {kYammer}), License(kEms)})},
                         {"removeLicenses", json::array()}})})}};
  auto planned = engine_.PlanChanges(batch.dump());
  ASSERT_TRUE(planned.Ok()) << planned.GetError().message;
  json effect = json::parse(planned.Value());
  EXPECT_EQ(engine_.ExportDocument(), untouched) << "a plan changes nothing";
  EXPECT_EQ(effect["requests"], json::array({{{"id", "1"}, {"status", 202}}}));
  size_t licensed = 0, failed = 0;
  std::set<std::string> conflicts;
  for (const auto& u : effect["users"]) {
    if (u["gains"] == json::array({kE3, kEms}) || u["gains"] == json::array({kEms, kE3})) {
      ++licensed;
    }
    if (u["newErrors"].empty()) continue;
    ++failed;
    // E3 conflicts; EMS, from the same group, is not assigned either (all or nothing).
    ASSERT_EQ(u["newErrors"].size(), 2u) << u.dump();
    for (const auto& e : u["newErrors"]) {
      EXPECT_EQ(e["assignedByGroup"], hr_);
      if (e["skuId"] == kEms) {
        EXPECT_EQ(e["error"], "Other");
        EXPECT_EQ(e["evidence"]["failingSkuId"], kE3);
        continue;
      }
      EXPECT_EQ(e["error"], "MutuallyExclusiveViolation");
      conflicts.insert(
          e["evidence"]["servicePlan"]["servicePlanName"].get<std::string>() + " / " +
          e["evidence"]["conflictingServicePlan"]["servicePlanName"].get<std::string>() + " from " +
          e["evidence"]["conflictingPath"].get<std::string>());
    }
  }
  EXPECT_EQ(licensed, 990u);
  EXPECT_EQ(failed, 10u);
  // The first conflicting pair the rules find: today Exchange Online Plan 1 and Plan 2 may be
  // held together, so SharePoint's pair; in 2017 Exchange's came first.
  const std::string pair = GetParam() == "current" ? "SHAREPOINTENTERPRISE / SHAREPOINTSTANDARD"
                                                   : "EXCHANGE_S_ENTERPRISE / EXCHANGE_S_STANDARD";
  EXPECT_EQ(conflicts, std::set<std::string>({pair + " from Inherited (Kiosk users)"}));
  bool e3_seats = false;
  for (const auto& s : effect["skus"]) {
    if (s["skuId"] == kE3)
      e3_seats = s["consumedAfter"].get<int64_t>() - s["consumedBefore"].get<int64_t>() == 990;
  }
  EXPECT_TRUE(e3_seats) << effect["skus"].dump();
  EXPECT_EQ(effect["groups"], json::array({{{"id", hr_},
                                            {"displayName", "HR Department"},
                                            {"membersWithErrorsBefore", 0},
                                            {"membersWithErrorsAfter", 10}}}));

  // Then staging "remove the ten from Kiosk users" on the tenant after step 1: they lose E1 and
  // gain E3 + EMS, and ten E1 seats are freed.
  AssignHr();
  const std::string after_step_one = engine_.ExportDocument();
  json removals = json::array();
  for (const auto& id : HrErrorUsers()) {
    removals.push_back(Req("DELETE", "/groups/" + kiosk_ + "/members/" + id + "/$ref"));
    removals.back()["id"] = std::to_string(removals.size());
  }
  planned = engine_.PlanChanges(json({{"requests", removals}}).dump());
  ASSERT_TRUE(planned.Ok()) << planned.GetError().message;
  effect = json::parse(planned.Value());
  EXPECT_EQ(engine_.ExportDocument(), after_step_one);
  ASSERT_EQ(effect["users"].size(), 10u);
  for (const auto& u : effect["users"]) {
    EXPECT_EQ(u["loses"], json::array({kE1})) << u.dump();
    EXPECT_EQ(u["clearedErrors"].size(), 2u) << u.dump();
    EXPECT_TRUE(u["newErrors"].empty()) << u.dump();
    std::set<std::string> gains(u["gains"].begin(), u["gains"].end());
    EXPECT_EQ(gains, std::set<std::string>({kE3, kEms})) << u.dump();
  }
  for (const auto& s : effect["skus"]) {
    if (s["skuId"] == kE1) {
      EXPECT_EQ(s["consumedBefore"].get<int64_t>() - s["consumedAfter"].get<int64_t>(), 10);
    }
  }
}

TEST_P(SeedScenario, ThePlanOfTurningYammerBackOnInHrsE3CountsTheServiceGainedNotAProduct) {
  AssignHr();
  json batch = {{"requests", json::array({Req("POST", "/groups/" + hr_ + "/assignLicense",
                                              {{"addLicenses", json::array({License(kE3)})},
                                               {"removeLicenses", json::array()}})})}};
  batch["requests"][0]["id"] = "1";
  auto planned = engine_.PlanChanges(batch.dump());
  ASSERT_TRUE(planned.Ok()) << planned.GetError().message;
  const json summary = json::parse(planned.Value())["summary"];
  EXPECT_EQ(summary["gains"], json::array()) << "nobody gains a product";
  EXPECT_EQ(summary["loses"], json::array());
  ASSERT_EQ(summary["plansGained"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["plansGained"][0]["servicePlanId"], kYammer);
  EXPECT_EQ(summary["plansGained"][0]["skuId"], kE3);
  EXPECT_EQ(summary["plansGained"][0]["users"], 990) << "the ten in error hold no E3";
  EXPECT_EQ(summary["plansLost"], json::array());
  // And turning it off again from there is the same users losing it.
  ASSERT_TRUE(engine_.ApplyBatch(batch.dump()).Ok());
  engine_.ProcessAll();
  batch["requests"][0]["body"]["addLicenses"] = json::array({License(kE3, {kYammer})});
  planned = engine_.PlanChanges(batch.dump());
  ASSERT_TRUE(planned.Ok());
  const json off = json::parse(planned.Value())["summary"];
  ASSERT_EQ(off["plansLost"].size(), 1u) << off.dump();
  EXPECT_EQ(off["plansLost"][0]["servicePlanId"], kYammer);
  EXPECT_EQ(off["plansLost"][0]["users"], 990);
}

TEST_P(SeedScenario, AFailedAssignmentsPlansShowNotAppliedNotOff) {
  AssignHr();
  auto errors = HrErrorUsers();
  ASSERT_EQ(errors.size(), 10u);
  json user = Q(engine_, {{"query", "user"}, {"id", errors[0]}});
  const json* e3 = nullptr;
  for (const auto& l : user["licenses"]) {
    if (l["skuId"] == kE3) e3 = &l;
  }
  ASSERT_NE(e3, nullptr);
  size_t not_applied = 0;
  for (const auto& p : (*e3)["servicePlans"]) {
    if (p["servicePlanId"] == kYammer) {
      EXPECT_EQ(p["status"], "Off") << "turned off in the group's template: off by choice";
      continue;
    }
    EXPECT_EQ(p["status"], "NotApplied") << p.dump();
    EXPECT_EQ(p["notAppliedFrom"], json::array({"Inherited (HR Department)"}));
    ++not_applied;
  }
  EXPECT_GT(not_applied, 10u);
}

TEST_P(SeedScenario, RemovingTheTenFromKioskUsersLetsAllThousandBeLicensed) {
  AssignHr();
  auto errors = HrErrorUsers();
  ASSERT_EQ(errors.size(), 10u);
  int64_t e1_before = Consumed(engine_, kE1);
  for (const auto& id : errors) {
    json r = RemoveMember(&engine_, kiosk_, id);
    EXPECT_EQ(r["status"], 204) << r.dump();
  }
  engine_.ProcessAll();
  EXPECT_TRUE(HrErrorUsers().empty());
  json g = Q(engine_, {{"query", "group"}, {"id", hr_}});
  EXPECT_EQ(g["membersWithErrors"], 0);
  for (const auto& id : errors) {
    EXPECT_TRUE(HasLicense(engine_, id, kE3));
    EXPECT_TRUE(HasLicense(engine_, id, kEms));
    EXPECT_FALSE(HasLicense(engine_, id, kE1));
  }
  EXPECT_EQ(Consumed(engine_, kE1), e1_before - 10);
  json licensed = Q(engine_, {{"query", "licensedUsers"}, {"skuId", kE3}, {"limit", 1}});
  EXPECT_GE(licensed["total"], 1000);
}

TEST_P(SeedScenario, UserLicensesShowInheritedE1AndTheHrAssignmentInError) {
  AssignHr();
  std::string id = HrErrorUsers().at(0);
  json u = Q(engine_, {{"query", "user"}, {"id", id}});
  std::map<std::string, json> by_sku;
  for (const auto& l : u["licenses"]) by_sku[l["skuId"]] = l;
  ASSERT_TRUE(by_sku.count(kE1));
  EXPECT_EQ(by_sku[kE1]["state"], "Active");
  EXPECT_EQ(by_sku[kE1]["assignments"][0]["path"], "Inherited (Kiosk users)");
  ASSERT_TRUE(by_sku.count(kE3));
  EXPECT_EQ(by_sku[kE3]["state"], "Error");
  EXPECT_EQ(by_sku[kE3]["assignments"][0]["path"], "Inherited (HR Department)");
  EXPECT_EQ(by_sku[kE3]["assignments"][0]["errorText"], "Conflicting service plans");
}

INSTANTIATE_TEST_SUITE_P(Profiles, SeedScenario, ::testing::Values("current", "2017"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return p.param == "2017" ? std::string("Rules2017")
                                                    : std::string("RulesCurrent");
                         });

}  // namespace
}  // namespace gbl::testing
