// The journal (Tenant::BeginJournal / RollbackJournal): every change goes through the tenant's own
// methods and is recorded, so a rollback gives back exactly the tenant that was, whatever happened.
#include <random>

#include "tenant.h"
#include "test_util.h"

namespace gbl::testing {
namespace {

/// Random Graph changes of every kind the engine accepts, plus processing and the clock.
class Changes {
 public:
  Changes(Engine* e, uint64_t seed) : e_(*e), rng_(seed) {}

  size_t Pick(size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }

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
    const json license = {{"skuId", sku.id}, {"disabledPlans", disabled}};
    switch (Pick(16)) {
      case 0:
      case 1:
        AddMember(&e_, group, user);
        break;
      case 2: {
        const Group& g = t.groups()[t.group_index().Find(group)];
        if (!g.members.empty()) {
          RemoveMember(&e_, group, t.users()[g.members[Pick(g.members.size())]].id);
        }
        break;
      }
      case 3:
        AssignGroup(&e_, group, json::array({license}));
        break;
      case 4:
        AssignGroup(&e_, group, json::array(), json::array({sku.id}));
        break;
      case 5:
        AssignUser(&e_, user, json::array({license}));
        break;
      case 6:
        AssignUser(&e_, user, json::array(), json::array({sku.id}));
        break;
      case 7: {
        static const char* kLocations[] = {"US", "GB", "DE"};
        Apply1(&e_, Req("PATCH", "/users/" + user,
                        {{"usageLocation", Pick(4) == 0 ? json() : json(kLocations[Pick(3)])}}));
        break;
      }
      case 8: {
        // Shared addresses come and go (proxy uniqueness index, UniquenessViolation evidence).
        const std::string other = t.users()[Pick(t.users().size())].upn;
        Apply1(&e_, Req("PATCH", "/users/" + user,
                        {{"proxyAddresses", json::array({"smtp:" + other})}}));
        break;
      }
      case 9:
        Apply1(&e_, Req("POST", "/users/" + user + "/reprocessLicenseAssignment"));
        break;
      case 10:
        Apply1(&e_, Req("PATCH", "/subscribedSkus/" + sku.id,
                        {{"prepaidUnits",
                          {{"enabled", std::max<int64_t>(sku.consumed,
                                                         sku.prepaid.enabled - 2 +
                                                             static_cast<int64_t>(Pick(5)))}}}}));
        break;
      case 11: {
        const int n = static_cast<int>(created_++);
        Apply1(&e_, Req("POST", "/users",
                        {{"displayName", "New " + std::to_string(n)},
                         {"userPrincipalName", "new" + std::to_string(n) + "@contoso.com"},
                         {"usageLocation", "US"}}));
        break;
      }
      case 12: {
        const int n = static_cast<int>(created_++);
        Apply1(&e_,
               Req("POST", "/groups",
                   {{"displayName", "New group " + std::to_string(n)},
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
      default:
        e_.ProcessChunk(1 + Pick(300));
    }
  }

 private:
  Engine& e_;
  std::mt19937_64 rng_;
  size_t created_ = 0;
};

std::string Tenant(uint64_t seed) {
  SyntheticOptions o;
  o.users = 250;
  o.groups = 20;
  o.skus = 8;
  o.memberships_per_user = 2.5;
  o.licensed_group_fraction = 0.5;
  o.seat_ratio = 0.7;
  o.direct_fraction = 0.2;
  o.seed = seed;
  return GenerateSyntheticTenant(o);
}

/// Everything a console shows that the export does not: each group's users in error, with the
/// evidence of their errors.
std::string Views(const Engine& e) {
  std::string out;
  for (const auto& g : e.GetTenant().groups()) {
    if (g.deleted) continue;
    out += Q(e, {{"query", "groupErrors"}, {"id", g.id}, {"limit", 1000}}).dump();
  }
  return out;
}

TEST(Journal, RollbackRestoresTheTenantExactlyAfterRandomChanges) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    // Two engines walk the same path; only `a` detours through a journal that is rolled back.
    Engine a, b;
    const std::string doc = Tenant(seed);
    ASSERT_TRUE(a.LoadDocument(doc).Ok());
    ASSERT_TRUE(b.LoadDocument(doc).Ok());
    Changes warm_a(&a, seed), warm_b(&b, seed);
    for (int i = 0; i < 60; ++i) {
      warm_a.Step();
      warm_b.Step();
    }
    const std::string before = a.ExportDocument();
    const std::string views = Views(a);

    a.BeginJournal();
    Changes detour(&a, seed * 7919);
    for (int i = 0; i < 80; ++i) detour.Step();
    a.ProcessAll();
    ASSERT_NE(a.ExportDocument(), before) << "seed " << seed << ": the detour changed nothing";
    ASSERT_TRUE(a.RollBack().Ok());
    EXPECT_FALSE(a.JournalOpen());
    ASSERT_EQ(a.ExportDocument(), before) << "seed " << seed << ": export differs after rollback";
    ASSERT_EQ(Views(a), views) << "seed " << seed << ": queries differ after rollback";

    // The hidden state (indices, interned options, proxy counts, evidence, id counter) is back
    // too: the same later changes give the same tenant as on the engine that never detoured.
    Changes next_a(&a, seed * 104729), next_b(&b, seed * 104729);
    for (int i = 0; i < 60; ++i) {
      next_a.Step();
      next_b.Step();
    }
    a.ProcessAll();
    b.ProcessAll();
    ASSERT_EQ(a.ExportDocument(), b.ExportDocument()) << "seed " << seed;
    ASSERT_EQ(Views(a), Views(b)) << "seed " << seed;
  }
}

TEST(Journal, CommitKeepsTheChanges) {
  Engine a, b;
  const std::string doc = Tenant(3);
  ASSERT_TRUE(a.LoadDocument(doc).Ok());
  ASSERT_TRUE(b.LoadDocument(doc).Ok());
  a.BeginJournal();
  Changes ca(&a, 5), cb(&b, 5);
  for (int i = 0; i < 50; ++i) {
    ca.Step();
    cb.Step();
  }
  ASSERT_TRUE(a.Commit().Ok());
  EXPECT_EQ(a.ExportDocument(), b.ExportDocument());
  EXPECT_EQ(a.RollBack().GetError().code, "BadRequest") << "nothing left to roll back";
}

TEST(Journal, RollbackWithoutAJournalIsABadRequest) {
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  auto r = e.RollBack();
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().code, "BadRequest");
  EXPECT_FALSE(e.Commit().Ok());
}

TEST(Journal, TheSeedsStepOnePreviewedAndRolledBack) {
  // Preview the walkthrough's step 1 (E3 + EMS on HR Department), read its effect, roll back.
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  e.ProcessAll();
  const std::string before = e.ExportDocument();
  json hr = Q(e, {{"query", "groups"}, {"search", "HR Department"}})["items"][0];
  e.BeginJournal();
  ASSERT_EQ(
      AssignGroup(&e, hr["id"], json::array({License(kE3, {kYammer}), License(kEms)}))["status"],
      202);
  e.ProcessAll();
  EXPECT_EQ(Q(e, {{"query", "groupErrors"}, {"id", hr["id"]}})["total"], 10);
  ASSERT_TRUE(e.RollBack().Ok());
  EXPECT_EQ(e.ExportDocument(), before);
  EXPECT_EQ(Q(e, {{"query", "groupErrors"}, {"id", hr["id"]}})["total"], 0);
}

TEST(Journal, LicenseOptionsFirstSeenInARolledBackChangeAreForgotten) {
  // E3 without Sway is new to the tenant: interned inside the journal, dropped by the rollback,
  // and interned afresh when the same change is made for real.
  Engine a, b;
  ASSERT_TRUE(a.LoadSample().Ok());
  ASSERT_TRUE(b.LoadSample().Ok());
  a.ProcessAll();
  b.ProcessAll();
  std::string hr = Q(a, {{"query", "groups"}, {"search", "HR Department"}})["items"][0]["id"];
  const size_t options = a.GetTenant().assignments().size();
  a.BeginJournal();
  ASSERT_EQ(AssignGroup(&a, hr, json::array({License(kE3, {kSway})}))["status"], 202);
  ASSERT_GT(a.GetTenant().assignments().size(), options);
  ASSERT_TRUE(a.RollBack().Ok());
  EXPECT_EQ(a.GetTenant().assignments().size(), options);
  // Another new option takes the freed slot; the first one must not find that slot as its own.
  for (Engine* e : {&a, &b}) {
    ASSERT_EQ(AssignGroup(e, hr, json::array({License(kE3, {kPlanner})}))["status"], 202);
    ASSERT_EQ(AssignGroup(e, hr, json::array({License(kE3, {kSway})}))["status"], 202);
    e->ProcessAll();
  }
  EXPECT_EQ(a.ExportDocument(), b.ExportDocument());
}

TEST(Journal, AUserChangedByProcessingAndThenEditedRollsBackWhole) {
  // Processing saves only a user's states; a later edit of the same user saves the whole user,
  // which must take the states from before the journal.
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  e.ProcessAll();
  const std::string before = e.ExportDocument();
  json hr = Q(e, {{"query", "groups"}, {"search", "HR Department"}})["items"][0];
  std::string member = Q(e, {{"query", "groupMembers"}, {"id", hr["id"]}})["items"][0]["id"];
  e.BeginJournal();
  ASSERT_EQ(AssignGroup(&e, hr["id"], json::array({License(kEms)}))["status"], 202);
  e.ProcessAll();
  ASSERT_TRUE(HasLicense(e, member, kEms));
  Apply1(&e, Req("PATCH", "/users/" + member, {{"usageLocation", "GB"}}));
  ASSERT_TRUE(e.RollBack().Ok());
  EXPECT_EQ(e.ExportDocument(), before);
}

TEST(Journal, LoadingADocumentDropsTheJournal) {
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  e.BeginJournal();
  ASSERT_TRUE(e.LoadSample().Ok());
  EXPECT_FALSE(e.JournalOpen());
}

}  // namespace
}  // namespace gbl::testing
