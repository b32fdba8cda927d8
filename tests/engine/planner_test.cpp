// The planner's preview (Engine::PlanChanges): the effect it reports is what applying the same
// batch does, and the tenant is left exactly as it was.
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
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SyntheticOptions o;
    o.users = 300;
    o.groups = 12;
    o.skus = 4;
    o.seat_ratio = seed % 3 == 0 ? 0.6 : 1.2;  // some plans run out of seats
    o.seed = seed;
    const std::string text = GenerateSyntheticTenant(o);
    Engine planned, applied;
    planned.SetNow(1796115600000);
    applied.SetNow(1796115600000);
    ASSERT_TRUE(planned.LoadDocument(text).Ok());
    ASSERT_TRUE(applied.LoadDocument(text).Ok());
    planned.ProcessAll();
    applied.ProcessAll();
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
    // Requests' statuses are the batch's.
    const json responses = json::parse(response.Value())["responses"];
    ASSERT_EQ(effect["requests"].size(), responses.size());
    for (size_t i = 0; i < responses.size(); ++i) {
      EXPECT_EQ(effect["requests"][i]["status"], responses[i]["status"]);
    }
    // Seats: consumedAfter is what the applied tenant consumes.
    for (const auto& s : effect["skus"]) {
      EXPECT_EQ(s["consumedAfter"], Consumed(applied, s["skuId"].get<std::string>().c_str()));
    }
  }
  EXPECT_GE(changing, 8u);
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
