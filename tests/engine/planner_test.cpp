// The planner's preview (Engine::PlanChanges): the effect it reports is what applying the same
// batch does, and the tenant is left exactly as it was.
#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include "test_util.h"

namespace gbl::testing {
namespace {

/// Each user's products held, from an exported document (assignedLicenses).
std::map<std::string, std::set<std::string>> Held(const json& doc) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& u : doc["users"]) {
    auto& skus = out[u["id"].get<std::string>()];
    for (const auto& l : u["assignedLicenses"]) skus.insert(l["skuId"].get<std::string>());
  }
  return out;
}

/// Users whose assignment of `sku` waits for a seat (CountViolation), from an exported document.
int64_t Waiting(const json& doc, const std::string& sku, std::set<std::string>* groups = nullptr) {
  int64_t n = 0;
  for (const auto& u : doc["users"]) {
    bool waits = false;
    for (const auto& st : u.value("licenseAssignmentStates", json::array())) {
      if (st["skuId"] != sku || st.value("error", "") != "CountViolation") continue;
      waits = true;
      if (groups && st["assignedByGroup"].is_string()) groups->insert(st["assignedByGroup"]);
    }
    n += waits ? 1 : 0;
  }
  return n;
}

/// Each user's assignment paths of the products held, from an exported document: (user, sku) →
/// the sources of its Active / ActiveWithError states ("" for a direct assignment).
std::map<std::pair<std::string, std::string>, std::set<std::string>> Paths(const json& doc) {
  std::map<std::pair<std::string, std::string>, std::set<std::string>> out;
  for (const auto& u : doc["users"]) {
    for (const auto& st : u.value("licenseAssignmentStates", json::array())) {
      const std::string state = st.value("state", "");
      if (state != "Active" && state != "ActiveWithError") continue;
      const json& by = st["assignedByGroup"];
      out[{u["id"], st["skuId"]}].insert(by.is_string() ? by.get<std::string>() : "");
    }
  }
  return out;
}

/// The planner tests' synthetic tenant (300 users, 12 groups, 4 products), as generated.
std::string SmallSynthetic(uint64_t seed, double seat_ratio = 1.2) {
  SyntheticOptions o;
  o.users = 300;
  o.groups = 12;
  o.skus = 4;
  o.seat_ratio = seat_ratio;
  o.seed = seed;
  return GenerateSyntheticTenant(o);
}

/// Loads a tenant on the tests' clock and processes it.
void LoadProcessed(Engine* e, const std::string& text) {
  e->SetNow(1796115600000);
  ASSERT_TRUE(e->LoadDocument(text).Ok());
  e->ProcessAll();
}

/// A random batch of up to 20 requests of the kinds a plan stages.
json RandomBatch(const json& doc, std::mt19937_64* rng) {
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(*rng); };
  json requests = json::array();
  const size_t n = 1 + pick(20);
  for (size_t i = 0; i < n; ++i) {
    const std::string user = doc["users"][pick(doc["users"].size())]["id"];
    const json& g = doc["groups"][pick(doc["groups"].size())];
    const std::string group = g["id"];
    const std::string sku = doc["subscribedSkus"][pick(doc["subscribedSkus"].size())]["skuId"];
    json r;
    switch (pick(6)) {
      case 0:
        r = Req("POST", "/groups/" + group + "/members/$ref",
                {{"@odata.id", "https://graph.microsoft.com/v1.0/directoryObjects/" + user}});
        break;
      case 1:
        r = g["members"].empty()
                ? Req("POST", "/groups/" + group + "/reprocessLicenseAssignment")
                : Req("DELETE",
                      "/groups/" + group + "/members/" +
                          g["members"][pick(g["members"].size())]["id"].get<std::string>() +
                          "/$ref");
        break;
      case 2:
        r = Req("POST", "/groups/" + group + "/assignLicense",
                {{"addLicenses", json::array({{{"skuId", sku}, {"disabledPlans", json::array()}}})},
                 {"removeLicenses", json::array()}});
        break;
      case 3:
        r = Req("POST", "/groups/" + group + "/assignLicense",
                {{"addLicenses", json::array()}, {"removeLicenses", json::array({sku})}});
        break;
      case 4:
        r = Req("POST", "/users/" + user + "/assignLicense",
                {{"addLicenses", json::array({{{"skuId", sku}, {"disabledPlans", json::array()}}})},
                 {"removeLicenses", json::array()}});
        break;
      default:
        r = Req("PATCH", "/users/" + user, {{"usageLocation", pick(3) == 0 ? json() : json("GB")}});
    }
    r["id"] = std::to_string(i + 1);
    requests.push_back(r);
  }
  return {{"requests", requests}};
}

TEST(Planner, ThePlansEffectIsWhatApplyingTheBatchDoesAndTheTenantStaysAsItWas) {
  size_t changing = 0;  // plans that change someone's products (the test would be empty otherwise)
  size_t waits_reported = 0;  // products whose waiting users are reported
  size_t path_changing = 0;   // plans that change someone's assignment paths
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const std::string text = SmallSynthetic(seed, seed % 3 == 0 ? 0.6 : 1.2);  // some run short
    Engine planned, applied;
    LoadProcessed(&planned, text);
    LoadProcessed(&applied, text);
    const std::string before = planned.ExportDocument();
    const json doc = json::parse(before);
    std::mt19937_64 rng(seed);
    const json batch = RandomBatch(doc, &rng);

    auto plan = planned.PlanChanges(batch.dump());
    ASSERT_TRUE(plan.Ok()) << plan.GetError().message;
    EXPECT_EQ(planned.ExportDocument(), before)
        << "seed " << seed << ": the plan changed the tenant";
    const json effect = json::parse(plan.Value());

    auto response = applied.ApplyBatch(batch.dump());
    ASSERT_TRUE(response.Ok());
    applied.ProcessAll();
    const json after = Export(applied);
    auto was = Held(doc), is = Held(after);
    std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>> expected;
    for (const auto& [id, skus] : is) {
      std::set<std::string> gains, loses;
      for (const auto& s : skus) {
        if (!was[id].count(s)) gains.insert(s);
      }
      for (const auto& s : was[id]) {
        if (!skus.count(s)) loses.insert(s);
      }
      if (!gains.empty() || !loses.empty()) expected[id] = {gains, loses};
    }
    std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>> reported;
    for (const auto& u : effect["users"]) {
      std::set<std::string> gains(u["gains"].begin(), u["gains"].end());
      std::set<std::string> loses(u["loses"].begin(), u["loses"].end());
      if (!gains.empty() || !loses.empty()) reported[u["id"].get<std::string>()] = {gains, loses};
    }
    EXPECT_EQ(reported, expected) << "seed " << seed << " batch " << batch.dump();
    changing += expected.empty() ? 0 : 1;
    // Assignment paths: a product held before and after from another set of sources (direct →
    // inherited, one group for another) is listed with both sets, and only then.
    using PathSets = std::pair<std::set<std::string>, std::set<std::string>>;
    std::map<std::pair<std::string, std::string>, PathSets> paths_expected, paths_reported;
    const auto paths_was = Paths(doc), paths_is = Paths(after);
    for (const auto& [key, now] : paths_is) {
      auto it = paths_was.find(key);
      if (it != paths_was.end() && it->second != now) paths_expected[key] = {it->second, now};
    }
    for (const auto& u : effect["users"]) {
      for (const auto& c : u["pathChanges"]) {
        PathSets sets;
        for (const auto& p : c["before"]) {
          sets.first.insert(
              p["assignedByGroup"].is_string() ? p["assignedByGroup"].get<std::string>() : "");
        }
        for (const auto& p : c["after"]) {
          sets.second.insert(
              p["assignedByGroup"].is_string() ? p["assignedByGroup"].get<std::string>() : "");
        }
        paths_reported[{u["id"], c["skuId"]}] = sets;
      }
    }
    EXPECT_EQ(paths_reported, paths_expected) << "seed " << seed << " batch " << batch.dump();
    path_changing += paths_expected.empty() ? 0 : 1;
    // Apply after the plan (what the console's Apply does): exactly the tenant that applying the
    // batch without a plan gives.
    ASSERT_TRUE(planned.ApplyBatch(batch.dump()).Ok());
    planned.ProcessAll();
    EXPECT_EQ(planned.ExportDocument(), applied.ExportDocument())
        << "seed " << seed << ": plan then apply differs from apply";
    // Requests' statuses are the batch's.
    const json responses = json::parse(response.Value())["responses"];
    ASSERT_EQ(effect["requests"].size(), responses.size());
    for (size_t i = 0; i < responses.size(); ++i) {
      EXPECT_EQ(effect["requests"][i]["status"], responses[i]["status"]);
    }
    // Seats: consumedAfter is what the applied tenant consumes; the users waiting for a seat
    // before and after are the ones in CountViolation in each tenant.
    for (const auto& s : effect["skus"]) {
      const std::string sku = s["skuId"];
      EXPECT_EQ(s["consumedAfter"], Consumed(applied, sku.c_str()));
      // Given when the changes touch a wait or a product's units (else nobody waits because of
      // them, and a plan of one change does not read every member in error).
      if (!s.contains("waitingAfter")) continue;
      ++waits_reported;
      EXPECT_EQ(s["waitingBefore"], Waiting(doc, sku)) << "seed " << seed << " " << sku;
      std::set<std::string> groups;
      EXPECT_EQ(s["waitingAfter"], Waiting(after, sku, &groups)) << "seed " << seed << " " << sku;
      EXPECT_EQ(std::set<std::string>(s["waitingGroups"].begin(), s["waitingGroups"].end()),
                groups);
    }
  }
  EXPECT_GE(changing, 8u);
  EXPECT_GT(waits_reported, 0u) << "some plans touch a wait";
  EXPECT_GT(path_changing, 0u) << "some plans change an assignment path";
}

// A template change (other disabledPlans for a product a group gives): the summary's plans turned
// on and off count exactly the listed users whose plans they are, and every user listed has plans
// that changed. Most users of such a change differ in options only (the planner's quick path);
// users holding the product from a second source, or in error, take the full comparison.
TEST(Planner, ATemplateChangeCountsThePlansEachListedUserGainsAndLoses) {
  size_t plan_changes = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Engine e;
    LoadProcessed(&e, SmallSynthetic(seed, seed % 3 == 0 ? 0.6 : 1.2));
    const json doc = Export(e);
    std::mt19937_64 rng(seed * 7919);
    json requests = json::array();
    for (const auto& g : doc["groups"]) {
      for (const auto& lic : g["assignedLicenses"]) {
        const std::string sku = lic["skuId"];
        json disabled = json::array();
        for (const auto& s : doc["subscribedSkus"]) {
          if (s["skuId"] != sku) continue;
          for (const auto& plan : s["servicePlans"]) {
            if (rng() % 3 == 0) disabled.push_back(plan["servicePlanId"]);
          }
        }
        json r = Req("POST", "/groups/" + g["id"].get<std::string>() + "/assignLicense",
                     {{"addLicenses", json::array({{{"skuId", sku}, {"disabledPlans", disabled}}})},
                      {"removeLicenses", json::array()}});
        r["id"] = std::to_string(requests.size() + 1);
        requests.push_back(r);
        if (requests.size() == 20) break;
      }
      if (requests.size() == 20) break;
    }
    ASSERT_FALSE(requests.empty());
    // What each user holds enabled, (product, plan), before and after applying the changes.
    auto enabled = [&](Engine& engine) {
      std::map<std::string, std::set<std::pair<std::string, std::string>>> out;
      for (const auto& u : doc["users"]) {
        const json d = Q(engine, {{"query", "user"}, {"id", u["id"]}});
        auto& set = out[u["id"]];
        for (const auto& l : d["licenses"]) {
          for (const auto& p : l["servicePlans"]) {
            if (p["enabled"] == true)
              set.emplace(l["skuId"].get<std::string>(), p["servicePlanId"].get<std::string>());
          }
        }
      }
      return out;
    };
    Engine applied;
    LoadProcessed(&applied, SmallSynthetic(seed, seed % 3 == 0 ? 0.6 : 1.2));
    const auto before = enabled(applied);
    ASSERT_TRUE(applied.ApplyBatch(json{{"requests", requests}}.dump()).Ok());
    applied.ProcessAll();
    const auto after = enabled(applied);
    using PlanSet = std::set<std::pair<std::string, std::string>>;
    std::map<std::string, std::pair<PlanSet, PlanSet>> expected, reported;
    for (const auto& [id, now] : after) {
      const PlanSet& was = before.at(id);
      PlanSet on, off;
      std::set_difference(now.begin(), now.end(), was.begin(), was.end(),
                          std::inserter(on, on.end()));
      std::set_difference(was.begin(), was.end(), now.begin(), now.end(),
                          std::inserter(off, off.end()));
      if (!on.empty() || !off.empty()) expected[id] = {on, off};
    }
    auto plan =
        e.PlanChanges(std::vector<std::string>{json{{"requests", requests}}.dump()}, SIZE_MAX);
    ASSERT_TRUE(plan.Ok()) << plan.GetError().message;
    const json effect = json::parse(plan.Value());
    std::map<std::pair<std::string, std::string>, size_t> gained, lost;
    for (const auto& u : effect["users"]) {
      const bool something = !u["gains"].empty() || !u["loses"].empty() ||
                             !u["plansGained"].empty() || !u["plansLost"].empty() ||
                             !u["newErrors"].empty() || !u["clearedErrors"].empty();
      EXPECT_TRUE(something) << "seed " << seed << ": " << u.dump();
      PlanSet on, off;
      for (const auto& p : u["plansGained"]) {
        ++gained[{p["skuId"], p["servicePlanId"]}];
        on.emplace(p["skuId"].get<std::string>(), p["servicePlanId"].get<std::string>());
      }
      for (const auto& p : u["plansLost"]) {
        ++lost[{p["skuId"], p["servicePlanId"]}];
        off.emplace(p["skuId"].get<std::string>(), p["servicePlanId"].get<std::string>());
      }
      if (!on.empty() || !off.empty()) reported[u["id"]] = {on, off};
    }
    EXPECT_EQ(reported, expected) << "seed " << seed << ": users whose plans change";
    auto counted = [](const json& rows) {
      std::map<std::pair<std::string, std::string>, size_t> out;
      for (const auto& r : rows) out[{r["skuId"], r["servicePlanId"]}] = r["users"].get<size_t>();
      return out;
    };
    EXPECT_EQ(counted(effect["summary"]["plansGained"]), gained) << "seed " << seed;
    EXPECT_EQ(counted(effect["summary"]["plansLost"]), lost) << "seed " << seed;
    EXPECT_EQ(effect["summary"]["usersChanged"].get<size_t>(), effect["users"].size());
    plan_changes += gained.size() + lost.size();
  }
  EXPECT_GT(plan_changes, 0u) << "the changes turn plans on and off";
}

// "Buy N to clear all": products of a group are assigned all or nothing, so users waiting for one
// product may hold others' seats once it is bought. N is found by a what-if with seats for everyone
// (the planner's preview), then that many are bought: nobody waits and nobody else is short.
TEST(Planner, BuyingWhatAWhatIfWithSeatsForEveryoneConsumesLicensesEveryoneWaiting) {
  Engine e;
  LoadProcessed(&e, SmallSynthetic(3, 0.6));
  const json doc = Export(e);
  std::set<std::string> groups;
  std::map<std::string, int64_t> enabled;
  int64_t waiting = 0;
  for (const auto& s : doc["subscribedSkus"]) {
    waiting += Waiting(doc, s["skuId"], &groups);
    enabled[s["skuId"]] = s["prepaidUnits"]["enabled"];
  }
  ASSERT_GT(waiting, 0) << "the tenant runs out of seats";
  auto buy = [&](const std::map<std::string, int64_t>& units) {
    json requests = json::array();
    for (const auto& [sku, n] : units) {
      requests.push_back(
          Req("PATCH", "/subscribedSkus/" + sku, {{"prepaidUnits", {{"enabled", n}}}}));
    }
    for (const auto& g : groups) {
      requests.push_back(Req("POST", "/groups/" + g + "/reprocessLicenseAssignment"));
    }
    for (size_t i = 0; i < requests.size(); ++i) requests[i]["id"] = std::to_string(i + 1);
    auto plan = e.PlanChanges(json({{"requests", requests}}).dump());
    EXPECT_TRUE(plan.Ok()) << plan.GetError().message;
    return plan.Ok() ? json::parse(plan.Value()) : json();
  };
  std::map<std::string, int64_t> plenty, needed;
  for (const auto& [sku, n] : enabled) plenty[sku] = n + 300;  // a seat for every user
  const json what_if = buy(plenty);
  for (const auto& s : what_if["skus"]) {
    const std::string sku = s["skuId"];
    needed[sku] = std::max(enabled[sku], s["consumedAfter"].get<int64_t>());
  }
  const json bought = buy(needed);
  EXPECT_EQ(bought["skus"].size(), what_if["skus"].size());
  for (const auto& s : bought["skus"]) {
    EXPECT_EQ(s["waitingAfter"], 0) << s.dump();
    EXPECT_EQ(s["available"], 0) << "exactly what is needed: " << s.dump();
  }
  EXPECT_EQ(bought["summary"]["newErrors"], json::array());
  EXPECT_EQ(Export(e), doc) << "the plans changed nothing";
}

TEST(Planner, TheUsersListedComeInPagesThatMakeTheWholeList) {
  Engine e;
  LoadProcessed(&e, SmallSynthetic(5));
  const json doc = Export(e);
  // Every license of the biggest licensed group taken away: many users change.
  const json* group = nullptr;
  for (const auto& g : doc["groups"]) {
    if (!g["assignedLicenses"].empty() &&
        (!group || g["members"].size() > (*group)["members"].size()))
      group = &g;
  }
  ASSERT_NE(group, nullptr);
  json remove = json::array();
  for (const auto& l : (*group)["assignedLicenses"]) remove.push_back(l["skuId"]);
  json batch = {
      {"requests",
       json::array({Req("POST", "/groups/" + (*group)["id"].get<std::string>() + "/assignLicense",
                        {{"addLicenses", json::array()}, {"removeLicenses", remove}})})}};
  batch["requests"][0]["id"] = "1";
  auto whole = e.PlanChanges(std::vector<std::string>{batch.dump()});
  ASSERT_TRUE(whole.Ok());
  const json all = json::parse(whole.Value());
  ASSERT_GT(all["users"].size(), 20u);
  json pages = json::array();
  for (size_t offset = 0; offset < all["users"].size() + 7; offset += 7) {
    auto page = e.PlanChanges(std::vector<std::string>{batch.dump()}, 7, offset);
    ASSERT_TRUE(page.Ok());
    const json p = json::parse(page.Value());
    EXPECT_EQ(p["summary"], all["summary"]) << "every page counts everyone";
    for (const auto& u : p["users"]) pages.push_back(u);
  }
  EXPECT_EQ(pages, all["users"]);
  EXPECT_EQ(Export(e), doc);
}

// A migration from direct licenses (the documented way: add the user to the licensed group, then
// remove the direct license): the user keeps E3 throughout, so nothing is gained or lost, and the
// effect lists the assignment path that changes, Direct → Inherited.
TEST(Planner, MovingADirectLicenseToAGroupShowsThePathChangeNotAGainOrLoss) {
  json u1 = UserDoc("u1");
  u1["assignedLicenses"] = json::array({License(kE3)});
  Engine e;
  Load(&e,
       TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 10)}), json::array({u1, UserDoc("u2")}),
                 json::array({GroupDoc("Sales", {"u2"}, json::array({License(kE3)}))})));
  e.ProcessAll();
  json add = Req("POST", "/groups/Sales/members/$ref",
                 {{"@odata.id", "https://graph.microsoft.com/v1.0/directoryObjects/u1"}});
  add["id"] = "1";
  json remove = Req("POST", "/users/u1/assignLicense",
                    {{"addLicenses", json::array()}, {"removeLicenses", json::array({kE3})}});
  remove["id"] = "2";
  auto plan = e.PlanChanges(json{{"requests", json::array({add, remove})}}.dump());
  ASSERT_TRUE(plan.Ok()) << plan.GetError().message;
  const json effect = json::parse(plan.Value());
  ASSERT_EQ(effect["users"].size(), 1u);
  const json& user = effect["users"][0];
  EXPECT_EQ(user["id"], "u1");
  EXPECT_TRUE(user["gains"].empty());
  EXPECT_TRUE(user["loses"].empty());
  ASSERT_EQ(user["pathChanges"].size(), 1u);
  const json& change = user["pathChanges"][0];
  EXPECT_EQ(change["skuId"], kE3);
  EXPECT_EQ(change["before"], json::parse(R"([{"assignedByGroup":null,"path":"Direct"}])"));
  EXPECT_EQ(change["after"],
            json::array({{{"assignedByGroup", "Sales"}, {"path", "Inherited (Sales)"}}}));
  EXPECT_EQ(effect["summary"]["pathChanges"], json::array({{{"skuId", kE3}, {"users", 1}}}));
  EXPECT_EQ(effect["summary"]["usersChanged"], 1);
}

// Who gets the last seats: a rollout to six users with three seats left gives them to the first
// three in the tenant's user order (document order, not id order); the effect names them and the
// first of those left waiting, in that order.
TEST(Planner, ARolloutShortOfSeatsNamesWhoGetsTheLastSeatsAndWhoWaits) {
  const std::vector<std::string> order = {"zed", "amy", "bob", "kim", "lee", "max"};
  json users = json::array();
  for (const auto& id : order) users.push_back(UserDoc(id));
  Engine e;
  Load(&e, TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 3)}), users,
                     json::array({GroupDoc("Sales", order)})));
  e.ProcessAll();
  json r = Req("POST", "/groups/Sales/assignLicense",
               {{"addLicenses", json::array({License(kE3)})}, {"removeLicenses", json::array()}});
  auto plan = e.PlanChanges(json{{"requests", json::array({r})}}.dump());
  ASSERT_TRUE(plan.Ok()) << plan.GetError().message;
  const json effect = json::parse(plan.Value());
  ASSERT_EQ(effect["skus"].size(), 1u);
  const json& sku = effect["skus"][0];
  EXPECT_EQ(sku["waitingAfter"], 3);
  auto ids = [](const json& list) {
    std::vector<std::string> out;
    for (const auto& u : list) out.push_back(u["id"]);
    return out;
  };
  EXPECT_EQ(ids(sku["lastSeatsTo"]), std::vector<std::string>({"zed", "amy", "bob"}));
  EXPECT_EQ(ids(sku["firstWaiting"]), std::vector<std::string>({"kim", "lee", "max"}));
}

TEST(Planner, APlanWhileAJournalIsOpenIsRefused) {
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  e.BeginJournal();
  auto plan = e.PlanChanges(R"({"requests":[]})");
  ASSERT_FALSE(plan.Ok());
  EXPECT_EQ(plan.GetError().code, "BadRequest");
  ASSERT_TRUE(e.RollBack().Ok());
  auto bad = e.PlanChanges("not json");
  ASSERT_FALSE(bad.Ok());
  EXPECT_FALSE(e.JournalOpen()) << "a failed plan leaves no journal open";
}

}  // namespace
}  // namespace gbl::testing
