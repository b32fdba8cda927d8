// The journal (Tenant::BeginJournal / RollbackJournal): every change goes through the tenant's own
// methods and is recorded, so a rollback gives back exactly the tenant that was, whatever happened.
#include <map>
#include <random>

#include "random_changes.h"
#include "tenant.h"
#include "test_util.h"

namespace gbl::testing {
namespace {

/// Random changes of every kind the engine accepts, plus processing and the clock.
class Changes : public RandomChanges {
 public:
  Changes(Engine* e, uint64_t seed) : RandomChanges(e, seed, true) {}
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

namespace gbl::testing {
namespace {

TEST(ProxyCounts, TheFlatTableAgreesWithAMapUnderRandomAddsAndRemovals) {
  // The proxy-address counts behind UniquenessViolation: a key's count 0 is its removal, and
  // removal shifts later keys back, so every key stays findable.
  std::mt19937_64 rng(7);
  CountTable table;
  std::map<uint64_t, uint32_t> expected;
  for (int step = 0; step < 200000; ++step) {
    // Few distinct keys, some with the same home slot (multiples of a power of two).
    const uint64_t key = (rng() % 3000) << (rng() % 2 ? 20 : 0);
    uint32_t count = table.Get(key);
    ASSERT_EQ(count, expected.count(key) ? expected[key] : 0u) << "step " << step;
    const uint32_t next = rng() % 3 == 0 ? 0 : count + 1;
    table.Set(key, next);
    if (next == 0)
      expected.erase(key);
    else
      expected[key] = next;
  }
  for (const auto& [key, count] : expected) EXPECT_EQ(table.Get(key), count);
}

}  // namespace
}  // namespace gbl::testing
