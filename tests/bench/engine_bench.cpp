// engine_bench: Google Benchmark suite of the engine on a synthetic tenant.
//
// Size: GBL_BENCH_USERS users (default 1,000,000), GBL_BENCH_USERS / 100 groups (at least 10),
// 100 SKUs, 5 memberships per user, seed 42. The document is generated once per process.
//
//   BM_MemoryPerMembership  RSS growth of a load (and of the processing) per user membership
//   BM_LoadDocument         Engine::LoadDocument on the whole document (bytes_per_second)
//   BM_FullProcessing       ProcessAll after a load (the load itself is not timed)
//   BM_MembershipChange     one POST .../members/$ref or DELETE .../members/{id}/$ref batch plus
//                           ProcessAll, on the fully processed tenant, alternating add and remove;
//                           arg 0: a small licensed group, arg 1: the biggest group (groups[0])
//   BM_TemplateChange100k   assignLicense on groups[0] (a tenth of the users) toggling its
//                           disabledPlans, then ProcessAll
//   BM_RollbackTemplateChange100k  the same change and its processing inside a journal (not
//                           timed), then the rollback alone (timed): the planner's preview cost
//   BM_PreviewTemplateChange100k   journal + change + processing + rollback, all timed
//   BM_PlanTemplateChange100k      Engine::PlanChanges of the same change (with the effect's JSON):
//                           arg 0 every changed user listed, arg 1 the summary and 20 users;
//                           counters: the heap the processed tenant holds (tenant_MB) and the
//                           most a preview adds to the heap in use (preview_peak_MB,
//                           preview_peak_pct of the tenant's), counted by this binary's
//                           operator new / delete
//   BM_PlanMembershipChange        Engine::PlanChanges of one POST .../members/$ref (the effect,
//                           summary and 20 users); arg 0 a small licensed group, arg 1 the biggest
//   BM_SortedUsersPage      one page of 100 of All users ordered by displayName (the console's
//                           sortable column): arg 0 the first page, arg 1 the page in the middle
//   BM_CreateUsers          arg N: N x POST /users in batches of 20 on the sample tenant (each
//   create
//                           checks its UPN against every user: issue 16's PERF1, once quadratic)
//   BM_EvaluateRule         a typical dynamic membership rule (membership_rule.h) over 1M
//                           synthetic users' attributes, one pass per iteration (issue 15)
//   BM_DynamicUserChange    on the tenant with a 100K-member dynamic licensing group
//                           (SyntheticOptions::dynamic_members): one PATCH /users department
//                           change, the user's memberships and licenses re-evaluated
//   BM_DynamicRuleEdit      PATCH /groups membershipRule of that group: the rule over every
//                           user, about 1% of the group leaving or joining, licenses following
//   BM_PlanDynamicRuleEdit  Engine::PlanChanges of a rule edit adding ~100K members (summary
//                           and 20 users)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gbl/engine.h"
#include "membership_rule.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <atomic>
#include <new>

// Heap bytes in use and their peak, counted by operator new / delete (malloc_usable_size of each
// block on glibc): what a preview adds to the tenant's memory at its worst.
namespace heap_count {
std::atomic<size_t> in_use{0};
std::atomic<size_t> peak{0};
size_t SizeOf(void* p) {
#if defined(__GLIBC__)
  return malloc_usable_size(p);
#else
  (void)p;
  return 0;
#endif
}
void* Allocate(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  const size_t now = in_use.fetch_add(SizeOf(p), std::memory_order_relaxed) + SizeOf(p);
  size_t seen = peak.load(std::memory_order_relaxed);
  while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
  return p;
}
void Free(void* p) {
  if (p == nullptr) return;
  in_use.fetch_sub(SizeOf(p), std::memory_order_relaxed);
  std::free(p);
}
}  // namespace heap_count

void* operator new(size_t n) { return heap_count::Allocate(n); }
void* operator new[](size_t n) { return heap_count::Allocate(n); }
void operator delete(void* p) noexcept { heap_count::Free(p); }
void operator delete[](void* p) noexcept { heap_count::Free(p); }
void operator delete(void* p, size_t) noexcept { heap_count::Free(p); }
void operator delete[](void* p, size_t) noexcept { heap_count::Free(p); }

namespace {

using nlohmann::json;

/// Users of the benchmark tenant: GBL_BENCH_USERS or 1,000,000.
size_t BenchUsers() {
  const char* env = std::getenv("GBL_BENCH_USERS");
  if (env != nullptr && *env != '\0') {
    char* end = nullptr;
    unsigned long long n = std::strtoull(env, &end, 10);
    if (end != nullptr && *end == '\0' && n > 0) return static_cast<size_t>(n);
  }
  return 1000000;
}

/// The options of the benchmark tenant.
gbl::SyntheticOptions BenchOptions() {
  gbl::SyntheticOptions o;
  o.users = BenchUsers();
  o.groups = std::max<size_t>(10, o.users / 100);
  o.skus = 100;
  o.memberships_per_user = 5.0;
  o.licensed_group_fraction = 0.2;
  o.seat_ratio = 1.2;
  o.direct_fraction = 0.05;
  o.seed = 42;
  return o;
}

/// The benchmark document, generated on first use.
const std::string& Document() {
  static const std::string doc = gbl::GenerateSyntheticTenant(BenchOptions());
  return doc;
}

/// Resident set size of this process in bytes (VmRSS of /proc/self/status), 0 if unknown.
size_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.compare(0, 6, "VmRSS:") == 0) {
      return static_cast<size_t>(std::strtoull(line.c_str() + 6, nullptr, 10)) * 1024;
    }
  }
  return 0;
}

/// Gives freed heap pages back to the system so RSS reflects live data.
void TrimHeap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

/// Position just after the balanced JSON value starting at `pos` (an object or array),
/// skipping over strings; npos when unbalanced.
size_t ValueEnd(std::string_view text, size_t pos) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = pos; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

/// The top-level array `"key":[...]` of the document as text (empty when absent).
std::string_view TopLevelArray(std::string_view doc, std::string_view key) {
  std::string needle = "\"" + std::string(key) + "\":[";
  size_t at = doc.find(needle);
  if (at == std::string_view::npos) return {};
  size_t begin = at + needle.size() - 1;
  size_t end = ValueEnd(doc, begin);
  if (end == std::string_view::npos) return {};
  return doc.substr(begin, end - begin);
}

/// Calls `visit(text)` for each element object of a JSON array given as text, until it returns
/// false.
template <typename Visit>
void ForEachObject(std::string_view array, Visit visit) {
  size_t pos = 1;
  while (pos < array.size()) {
    size_t begin = array.find('{', pos);
    if (begin == std::string_view::npos) return;
    size_t end = ValueEnd(array, begin);
    if (end == std::string_view::npos) return;
    if (!visit(array.substr(begin, end - begin))) return;
    pos = end;
  }
}

/// What the change benchmarks need to know about the tenant.
struct Targets {
  json big_group;              ///< groups[0]: id, assignedLicenses, members
  json small_group;            ///< a licensed group with 50-2,000 members
  std::string outsider_big;    ///< a user who is not in big_group
  std::string outsider_small;  ///< a user who is not in small_group
  json sku_plans;              ///< skuId -> [servicePlanId]
  bool ok = false;
};

/// Reads the change targets out of the benchmark document.
const Targets& GetTargets() {
  static const Targets targets = [] {
    Targets t;
    std::string_view doc = Document();
    std::string_view groups = TopLevelArray(doc, "groups");
    ForEachObject(groups, [&](std::string_view obj) {
      if (t.big_group.is_null()) {
        t.big_group = json::parse(obj, nullptr, false);
        return true;
      }
      if (obj.find("\"assignedLicenses\":[]") != std::string_view::npos) return true;
      json g = json::parse(obj, nullptr, false);
      if (g.is_discarded() || !g.contains("members")) return true;
      size_t n = g["members"].size();
      if (n >= 50 && n <= 2000) {
        t.small_group = std::move(g);
        return false;
      }
      return true;
    });
    if (t.big_group.is_discarded() || t.big_group.is_null() || t.small_group.is_null()) return t;
    std::set<std::string> in_big;
    std::set<std::string> in_small;
    for (const json& m : t.big_group["members"]) {
      if (m.is_string()) in_big.insert(m.get<std::string>());
    }
    for (const json& m : t.small_group["members"]) {
      if (m.is_string()) in_small.insert(m.get<std::string>());
    }
    ForEachObject(TopLevelArray(doc, "users"), [&](std::string_view obj) {
      // Users start with their id: {"id":"<guid>", ...
      size_t at = obj.find("\"id\":\"");
      if (at == std::string_view::npos) return true;
      std::string id(obj.substr(at + 6, 36));
      if (t.outsider_big.empty() && in_big.count(id) == 0) t.outsider_big = id;
      if (t.outsider_small.empty() && in_small.count(id) == 0) t.outsider_small = id;
      return t.outsider_big.empty() || t.outsider_small.empty();
    });
    json skus = json::parse(TopLevelArray(doc, "subscribedSkus"), nullptr, false);
    if (skus.is_discarded()) return t;
    t.sku_plans = json::object();
    for (const json& s : skus) {
      json plans = json::array();
      for (const json& p : s["servicePlans"]) plans.push_back(p["servicePlanId"]);
      t.sku_plans[s["skuId"].get<std::string>()] = plans;
    }
    t.ok = !t.outsider_big.empty() && !t.outsider_small.empty();
    return t;
  }();
  return targets;
}

/// A fresh engine holding the benchmark tenant, not processed.
std::unique_ptr<gbl::Engine> LoadedEngine(benchmark::State& state) {
  auto engine = std::make_unique<gbl::Engine>();
  auto loaded = engine->LoadDocument(Document());
  if (!loaded.Ok()) {
    state.SkipWithError(("LoadDocument failed: " + loaded.GetError().message).c_str());
    return nullptr;
  }
  return engine;
}

/// The fully processed tenant shared by the change benchmarks (kept between them).
std::unique_ptr<gbl::Engine>& SharedProcessed() {
  static std::unique_ptr<gbl::Engine> engine;
  return engine;
}

/// The shared processed engine, loading and processing it when needed (untimed by callers).
/// Heap bytes the shared processed tenant holds (in use after its load and processing less
/// before them; the document and the benchmarks' own data are not counted).
size_t& TenantBytes() {
  static size_t bytes = 0;
  return bytes;
}

gbl::Engine* ProcessedEngine(benchmark::State& state) {
  auto& engine = SharedProcessed();
  if (!engine) {
    Document();  // generated first: the document is not the tenant's
    const size_t before = heap_count::in_use.load();
    engine = LoadedEngine(state);
    if (engine) engine->ProcessAll();
    TenantBytes() = heap_count::in_use.load() - before;
  }
  return engine.get();
}

/// True when every response of a batch answer has a 2xx status; the first error goes to `why`.
bool BatchSucceeded(const gbl::Result<std::string>& result, std::string* why) {
  if (!result.Ok()) {
    *why = result.GetError().code + ": " + result.GetError().message;
    return false;
  }
  json answer = json::parse(result.Value(), nullptr, false);
  if (answer.is_discarded() || !answer.contains("responses")) {
    *why = "unreadable batch answer";
    return false;
  }
  for (const json& r : answer["responses"]) {
    int status = r.value("status", 0);
    if (status < 200 || status > 299) {
      *why = r.dump();
      return false;
    }
  }
  return true;
}

void BM_MemoryPerMembership(benchmark::State& state) {
  const std::string& doc = Document();
  for (auto _ : state) {
    state.PauseTiming();
    TrimHeap();
    size_t before = ResidentBytes();
    state.ResumeTiming();
    auto engine = std::make_unique<gbl::Engine>();
    auto loaded = engine->LoadDocument(doc);
    state.PauseTiming();
    if (!loaded.Ok()) {
      state.SkipWithError(("LoadDocument failed: " + loaded.GetError().message).c_str());
      break;
    }
    TrimHeap();
    size_t after_load = ResidentBytes();
    engine->ProcessAll();
    TrimHeap();
    size_t after_processing = ResidentBytes();
    double memberships = static_cast<double>(loaded.Value().memberships);
    state.counters["memberships"] = memberships;
    state.counters["users"] = static_cast<double>(loaded.Value().users);
    state.counters["rss_loaded_MB"] = static_cast<double>(after_load - before) / 1048576.0;
    state.counters["rss_processed_MB"] = static_cast<double>(after_processing - before) / 1048576.0;
    state.counters["bytes_per_membership_loaded"] =
        static_cast<double>(after_load - before) / memberships;
    state.counters["bytes_per_membership_processed"] =
        static_cast<double>(after_processing - before) / memberships;
    engine.reset();
    TrimHeap();
    state.ResumeTiming();
  }
}

void BM_LoadDocument(benchmark::State& state) {
  const std::string& doc = Document();
  std::unique_ptr<gbl::Engine> engine;
  gbl::LoadSummary summary;
  for (auto _ : state) {
    state.PauseTiming();
    engine = std::make_unique<gbl::Engine>();  // the previous tenant is freed untimed
    state.ResumeTiming();
    auto loaded = engine->LoadDocument(doc);
    if (!loaded.Ok()) {
      state.SkipWithError(("LoadDocument failed: " + loaded.GetError().message).c_str());
      break;
    }
    summary = loaded.Value();
  }
  engine.reset();  // the timed loop is over: freeing is not measured
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(doc.size()));
  state.counters["document_MiB"] = static_cast<double>(doc.size()) / 1048576.0;
  state.counters["users"] = static_cast<double>(summary.users);
  state.counters["groups"] = static_cast<double>(summary.groups);
  state.counters["memberships"] = static_cast<double>(summary.memberships);
  state.counters["queued_groups"] = static_cast<double>(summary.queued_groups);
}

void BM_FullProcessing(benchmark::State& state) {
  std::unique_ptr<gbl::Engine> engine;
  gbl::ProcessProgress progress;
  for (auto _ : state) {
    state.PauseTiming();
    engine.reset();
    engine = LoadedEngine(state);
    if (!engine) break;
    state.ResumeTiming();
    progress = engine->ProcessAll();
  }
  state.counters["groups_completed"] = static_cast<double>(progress.groups_completed);
  // Keep the last processed tenant for the change benchmarks (outside the timed loop).
  if (engine && progress.done) SharedProcessed() = std::move(engine);
}

/// A batch of one POST /groups/{gid}/members/$ref adding `user`.
std::string AddMemberBatch(const std::string& gid, const std::string& user) {
  return R"({"requests":[{"id":"1","method":"POST","url":"/groups/)" + gid +
         R"(/members/$ref","body":{"@odata.id":"https://graph.microsoft.com/v1.0/)"
         R"(directoryObjects/)" +
         user + R"("}}]})";
}

/// The processed engine and the group and outsider of a membership benchmark (arg 0: the small
/// licensed group, arg 1: the biggest); null (the benchmark skipped) when they are missing.
gbl::Engine* MembershipSetUp(benchmark::State& state, std::string* gid, std::string* user,
                             size_t* members = nullptr) {
  const Targets& t = GetTargets();
  gbl::Engine* engine = ProcessedEngine(state);
  if (engine == nullptr) return nullptr;
  if (!t.ok) {
    state.SkipWithError("could not find the change targets in the document");
    return nullptr;
  }
  const bool big = state.range(0) == 1;
  const json& group = big ? t.big_group : t.small_group;
  *gid = group["id"].get<std::string>();
  *user = big ? t.outsider_big : t.outsider_small;
  if (members != nullptr) *members = group["members"].size();
  return engine;
}

void BM_MembershipChange(benchmark::State& state) {
  std::string gid, user;
  size_t members = 0;
  gbl::Engine* engine = MembershipSetUp(state, &gid, &user, &members);
  if (engine == nullptr) return;
  std::string add = AddMemberBatch(gid, user);
  std::string remove = R"({"requests":[{"id":"1","method":"DELETE","url":"/groups/)" + gid +
                       "/members/" + user + R"(/$ref"}]})";
  // Membership survives between the runs Google Benchmark makes to size the iteration count.
  static std::set<std::string> added;
  std::string key = gid + user;
  int64_t checked = 0;
  for (auto _ : state) {
    bool is_member = added.count(key) != 0;
    auto result = engine->ApplyBatch(is_member ? remove : add);
    engine->ProcessAll();
    if (checked < 2) {
      state.PauseTiming();
      std::string why;
      if (!BatchSucceeded(result, &why)) {
        state.SkipWithError(("membership batch failed: " + why).c_str());
        break;
      }
      ++checked;
      state.ResumeTiming();
    }
    if (is_member)
      added.erase(key);
    else
      added.insert(key);
  }
  state.counters["group_members"] = static_cast<double>(members);
}

void BM_TemplateChange100k(benchmark::State& state) {
  const Targets& t = GetTargets();
  gbl::Engine* engine = ProcessedEngine(state);
  if (engine == nullptr) return;
  if (!t.ok || t.big_group["assignedLicenses"].empty()) {
    state.SkipWithError("could not find the licensed big group in the document");
    return;
  }
  const json& group = t.big_group;
  std::string gid = group["id"].get<std::string>();
  json license = group["assignedLicenses"][0];
  std::string sku = license["skuId"].get<std::string>();
  // Two templates of the group's first product: as in the document, and with one more plan
  // disabled. Every member is re-evaluated on each switch.
  json original = license["disabledPlans"];
  json changed = original;
  for (const json& p : t.sku_plans.value(sku, json::array())) {
    bool present = false;
    for (const json& d : original) present |= d == p;
    if (!present) {
      changed.push_back(p);
      break;
    }
  }
  auto batch = [&](const json& disabled) {
    json b = {
        {"requests",
         json::array(
             {{{"id", "1"},
               {"method", "POST"},
               {"url", "/groups/" + gid + "/assignLicense"},
               {"body",
                {{"addLicenses", json::array({{{"skuId", sku}, {"disabledPlans", disabled}}})},
                 {"removeLicenses", json::array()}}}}})}};
    return b.dump();
  };
  const std::string to_changed = batch(changed);
  const std::string to_original = batch(original);
  static bool is_changed = false;
  int64_t checked = 0;
  for (auto _ : state) {
    auto result = engine->ApplyBatch(is_changed ? to_original : to_changed);
    gbl::ProcessProgress p = engine->ProcessAll();
    if (checked < 2) {
      state.PauseTiming();
      std::string why;
      if (!BatchSucceeded(result, &why) || !p.done) {
        state.SkipWithError(("assignLicense batch failed: " + why).c_str());
        break;
      }
      ++checked;
      state.ResumeTiming();
    }
    is_changed = !is_changed;
  }
  state.counters["group_members"] = static_cast<double>(group["members"].size());
}

/// The big group's first product with one more plan disabled, as an assignLicense batch.
std::string TemplateToggleBatch(const Targets& t) {
  const json& group = t.big_group;
  json license = group["assignedLicenses"][0];
  std::string sku = license["skuId"].get<std::string>();
  json changed = license["disabledPlans"];
  for (const json& p : t.sku_plans.value(sku, json::array())) {
    if (std::find(changed.begin(), changed.end(), p) == changed.end()) {
      changed.push_back(p);
      break;
    }
  }
  json b = {
      {"requests",
       json::array({{{"id", "1"},
                     {"method", "POST"},
                     {"url", "/groups/" + group["id"].get<std::string>() + "/assignLicense"},
                     {"body",
                      {{"addLicenses", json::array({{{"skuId", sku}, {"disabledPlans", changed}}})},
                       {"removeLicenses", json::array()}}}}})}};
  return b.dump();
}

/// The processed engine and the big group's template toggle, or nullptr (the state says why).
gbl::Engine* TemplateToggleSetUp(benchmark::State& state, std::string* batch) {
  const Targets& t = GetTargets();
  gbl::Engine* engine = ProcessedEngine(state);
  if (engine == nullptr) return nullptr;
  if (!t.ok || t.big_group["assignedLicenses"].empty()) {
    state.SkipWithError("could not find the licensed big group in the document");
    return nullptr;
  }
  *batch = TemplateToggleBatch(t);
  state.counters["group_members"] = static_cast<double>(t.big_group["members"].size());
  return engine;
}

void BM_RollbackTemplateChange100k(benchmark::State& state) {
  std::string batch;
  gbl::Engine* engine = TemplateToggleSetUp(state, &batch);
  if (engine == nullptr) return;
  for (auto _ : state) {
    state.PauseTiming();
    engine->BeginJournal();
    auto result = engine->ApplyBatch(batch);
    engine->ProcessAll();
    std::string why;
    if (!BatchSucceeded(result, &why)) {
      state.SkipWithError(("assignLicense batch failed: " + why).c_str());
      break;
    }
    state.ResumeTiming();
    if (!engine->RollBack().Ok()) {
      state.SkipWithError("rollback failed");
      break;
    }
  }
}

void BM_PreviewTemplateChange100k(benchmark::State& state) {
  std::string batch;
  gbl::Engine* engine = TemplateToggleSetUp(state, &batch);
  if (engine == nullptr) return;
  for (auto _ : state) {
    engine->BeginJournal();
    auto result = engine->ApplyBatch(batch);
    engine->ProcessAll();
    if (!engine->RollBack().Ok()) {
      state.SkipWithError("rollback failed");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
}

/// The planner's whole preview of the same change: Engine::PlanChanges (journal, change,
/// processing, the effect as JSON for every user it touches, rollback).
void BM_PlanTemplateChange100k(benchmark::State& state) {
  std::string batch;
  gbl::Engine* engine = TemplateToggleSetUp(state, &batch);
  if (engine == nullptr) return;
  size_t bytes = 0, before = 0, added = 0;
  for (auto _ : state) {
    before = heap_count::in_use.load();
    heap_count::peak.store(before);
    auto effect =
        engine->PlanChanges(std::vector<std::string>{batch}, state.range(0) == 0 ? SIZE_MAX : 20);
    added = std::max(added, heap_count::peak.load() - before);
    if (!effect.Ok()) {
      state.SkipWithError(("PlanChanges failed: " + effect.GetError().message).c_str());
      break;
    }
    bytes = effect.Value().size();
    benchmark::DoNotOptimize(effect);
  }
  state.counters["effect_MB"] = static_cast<double>(bytes) / 1e6;
  const size_t tenant = TenantBytes();
  state.counters["tenant_MB"] = static_cast<double>(tenant) / 1e6;
  state.counters["preview_peak_MB"] = static_cast<double>(added) / 1e6;
  state.counters["preview_peak_pct"] =
      tenant == 0 ? 0.0 : 100.0 * static_cast<double>(added) / static_cast<double>(tenant);
}

/// The planner's preview of one membership change (the console's: summary and 20 users).
void BM_PlanMembershipChange(benchmark::State& state) {
  std::string gid, user;
  gbl::Engine* engine = MembershipSetUp(state, &gid, &user);
  if (engine == nullptr) return;
  const std::string add = AddMemberBatch(gid, user);
  for (auto _ : state) {
    auto effect = engine->PlanChanges(std::vector<std::string>{add}, 20);
    if (!effect.Ok()) {
      state.SkipWithError(("PlanChanges failed: " + effect.GetError().message).c_str());
      break;
    }
    benchmark::DoNotOptimize(effect);
  }
}

void BM_SortedUsersPage(benchmark::State& state) {
  gbl::Engine* engine = ProcessedEngine(state);
  if (engine == nullptr) return;
  auto tenant = engine->Query(R"({"query":"tenant"})");
  const size_t users =
      tenant.Ok() ? nlohmann::json::parse(tenant.Value())["users"].get<size_t>() : 0;
  const size_t offset = state.range(0) == 0 ? 0 : users / 2;
  const std::string query = R"({"query":"users","orderBy":"displayName","limit":100,"offset":)" +
                            std::to_string(offset) + "}";
  for (auto _ : state) {
    auto page = engine->Query(query);
    if (!page.Ok()) {
      state.SkipWithError(("Query failed: " + page.GetError().message).c_str());
      break;
    }
    benchmark::DoNotOptimize(page);
  }
}

void BM_CreateUsers(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<std::string> batches;
  for (size_t i = 0; i < n; i += 20) {
    nlohmann::json requests = nlohmann::json::array();
    for (size_t k = i; k < std::min(n, i + 20); ++k) {
      const std::string upn = "created" + std::to_string(k) + "@contoso.com";
      requests.push_back({{"id", std::to_string(k - i + 1)},
                          {"method", "POST"},
                          {"url", "/users"},
                          {"body",
                           {{"accountEnabled", true},
                            {"displayName", upn},
                            {"mailNickname", "created" + std::to_string(k)},
                            {"userPrincipalName", upn},
                            {"passwordProfile", {{"password", "x"}}}}}});
    }
    batches.push_back(nlohmann::json{{"requests", requests}}.dump());
  }
  for (auto _ : state) {
    state.PauseTiming();
    gbl::Engine engine;
    if (!engine.LoadSample().Ok()) {
      state.SkipWithError("LoadSample failed");
      break;
    }
    state.ResumeTiming();
    for (const auto& b : batches) {
      auto r = engine.ApplyBatch(b);
      if (!r.Ok()) {
        state.SkipWithError(("ApplyBatch failed: " + r.GetError().message).c_str());
        break;
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

/// One synthetic user as a rule reads it: a few attributes pointing into shared pools.
class BenchRuleUser final : public gbl::UserAttributes {
 public:
  BenchRuleUser(const std::string* department, const std::string* country,
                const std::string* job_title, bool enabled)
      : department_(department), country_(country), job_title_(job_title), enabled_(enabled) {}
  std::optional<std::string_view> String(gbl::UserProperty p) const override {
    if (p == gbl::UserProperty::kDepartment) return std::string_view(*department_);
    if (p == gbl::UserProperty::kCountry) return std::string_view(*country_);
    if (p == gbl::UserProperty::kJobTitle) return std::string_view(*job_title_);
    return std::nullopt;
  }
  std::optional<bool> Boolean(gbl::UserProperty p) const override {
    if (p == gbl::UserProperty::kAccountEnabled) return enabled_;
    return std::nullopt;
  }
  size_t CollectionSize(gbl::UserProperty) const override { return 0; }
  std::string_view CollectionItem(gbl::UserProperty, size_t) const override { return {}; }
  size_t AssignedPlanCount() const override { return 0; }
  gbl::AssignedPlanView AssignedPlan(size_t) const override { return {}; }
  std::optional<std::string_view> Extension(std::string_view) const override {
    return std::nullopt;
  }
  std::optional<std::string_view> ManagerId() const override { return std::nullopt; }

 private:
  const std::string* department_;
  const std::string* country_;
  const std::string* job_title_;
  bool enabled_;
};

void BM_EvaluateRule(benchmark::State& state) {
  static const std::vector<std::string> departments = {
      "Sales", "Marketing", "HR", "Finance", "Engineering", "Legal", "Support"};
  static const std::vector<std::string> countries = {"US", "CA", "GB", "DE", "FR", "IN", "JP"};
  static const std::vector<std::string> titles = {"Account Manager", "Intern", "Engineer",
                                                  "Director", "Analyst"};
  const size_t n = 1000000;
  std::vector<BenchRuleUser> users;
  users.reserve(n);
  uint64_t x = 42;
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto r = static_cast<size_t>(x >> 33);
    users.emplace_back(&departments[r % departments.size()], &countries[(r / 7) % countries.size()],
                       &titles[(r / 49) % titles.size()], (r / 245) % 10 != 0);
  }
  auto rule = gbl::ParseMembershipRule(
      R"((user.department -eq "Sales" -or user.department -eq "Marketing") -and )"
      R"(user.country -in ["US","CA","GB"] -and user.accountEnabled -eq true -and )"
      R"(-not (user.jobTitle -startsWith "Intern"))");
  if (!rule.Ok()) {
    state.SkipWithError(("ParseMembershipRule failed: " + rule.GetError().message).c_str());
    return;
  }
  size_t members = 0;
  for (auto _ : state) {
    members = 0;
    for (const auto& u : users) members += gbl::Evaluate(rule.Value(), u) ? 1 : 0;
    benchmark::DoNotOptimize(members);
  }
  state.counters["members"] = static_cast<double>(members);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

/// The benchmark tenant with departments and a dynamic licensing group of a tenth of the users
/// (SyntheticOptions::dynamic_members), loaded and processed once (issue 15).
gbl::Engine* DynamicEngine(benchmark::State& state, std::string* group, std::string* user) {
  static std::unique_ptr<gbl::Engine> engine;
  static std::string gid, uid;
  if (!engine) {
    gbl::SyntheticOptions o = BenchOptions();
    o.dynamic_members = o.users / 10;
    engine = std::make_unique<gbl::Engine>();
    auto loaded = engine->LoadDocument(gbl::GenerateSyntheticTenant(o));
    if (!loaded.Ok()) {
      state.SkipWithError(("LoadDocument failed: " + loaded.GetError().message).c_str());
      engine.reset();
      return nullptr;
    }
    engine->ProcessAll();
    auto groups =
        engine->Query(json{{"query", "groups"}, {"search", "Sales (dynamic licensing)"}}.dump());
    json found = json::parse(groups.Ok() ? groups.Value() : "{}", nullptr, false);
    if (found.is_discarded() || !found.contains("items") || found["items"].empty()) {
      state.SkipWithError("the dynamic group is missing");
      engine.reset();
      return nullptr;
    }
    gid = found["items"][0]["id"].get<std::string>();
    auto members = engine->Query(json{{"query", "groupMembers"}, {"id", gid}, {"limit", 1}}.dump());
    uid = json::parse(members.Value())["items"][0]["id"].get<std::string>();
  }
  *group = gid;
  *user = uid;
  return engine.get();
}

std::string PatchBatch(const std::string& url, const json& body) {
  return json{{"requests", json::array({{{"id", "1"},
                                         {"method", "PATCH"},
                                         {"url", url},
                                         {"headers", {{"Content-Type", "application/json"}}},
                                         {"body", body}}})}}
      .dump();
}

/// One user's department changed (Sales <-> Finance, alternating): the user's dynamic
/// memberships re-evaluated, it leaves or joins the 100K licensing group and its licenses follow.
void BM_DynamicUserChange(benchmark::State& state) {
  std::string gid, uid;
  gbl::Engine* engine = DynamicEngine(state, &gid, &uid);
  if (engine == nullptr) return;
  const std::string leave = PatchBatch("/users/" + uid, {{"department", "Finance"}});
  const std::string join = PatchBatch("/users/" + uid, {{"department", "Sales"}});
  bool in = true;
  for (auto _ : state) {
    auto r = engine->ApplyBatch(in ? leave : join);
    std::string why;
    if (!BatchSucceeded(r, &why)) {
      state.SkipWithError(why.c_str());
      break;
    }
    in = !in;
  }
  if (!in) {  // leave the shared tenant as it was
    auto r = engine->ApplyBatch(join);
    benchmark::DoNotOptimize(r);
  }
}

/// The dynamic group's rule edited (alternating `user.department -eq "Sales"` and the same
/// -and accountEnabled): the rule over every user, then the leaves and joins (about 1% of the
/// group: its disabled users) with their licenses.
void BM_DynamicRuleEdit(benchmark::State& state) {
  std::string gid, uid;
  gbl::Engine* engine = DynamicEngine(state, &gid, &uid);
  if (engine == nullptr) return;
  const std::string narrow =
      PatchBatch("/groups/" + gid, {{"membershipRule",
                                     "user.department -eq \"Sales\" -and user.accountEnabled -eq "
                                     "true"}});
  const std::string wide =
      PatchBatch("/groups/" + gid, {{"membershipRule", "user.department -eq \"Sales\""}});
  bool narrowed = false;
  for (auto _ : state) {
    auto r = engine->ApplyBatch(narrowed ? wide : narrow);
    std::string why;
    if (!BatchSucceeded(r, &why)) {
      state.SkipWithError(why.c_str());
      break;
    }
    narrowed = !narrowed;
  }
  if (narrowed) {
    auto r = engine->ApplyBatch(wide);
    benchmark::DoNotOptimize(r);
  }
}

/// The planner's preview (summary and 20 users) of a rule edit on the 100K dynamic licensing
/// group that adds a department: about 100K joins, the license each gets, the seats.
void BM_PlanDynamicRuleEdit(benchmark::State& state) {
  std::string gid, uid;
  gbl::Engine* engine = DynamicEngine(state, &gid, &uid);
  if (engine == nullptr) return;
  const std::string edit = PatchBatch(
      "/groups/" + gid, {{"membershipRule", "user.department -in [\"Sales\", \"Finance\"]"}});
  size_t joined = 0;
  for (auto _ : state) {
    auto effect = engine->PlanChanges(std::vector<std::string>{edit}, 20);
    if (!effect.Ok()) {
      state.SkipWithError(("PlanChanges failed: " + effect.GetError().message).c_str());
      break;
    }
    json e = json::parse(effect.Value(), nullptr, false);
    if (!e.is_discarded() && !e["summary"]["memberships"].empty()) {
      joined = e["summary"]["memberships"][0]["joined"].get<size_t>();
    }
  }
  state.counters["joined"] = static_cast<double>(joined);
}

BENCHMARK(BM_MemoryPerMembership)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadDocument)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FullProcessing)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MembershipChange)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TemplateChange100k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RollbackTemplateChange100k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PreviewTemplateChange100k)->Unit(benchmark::kMillisecond);
// Arg 0: every changed user listed (the CLI's json); arg 1: the summary and 20 users (the console).
BENCHMARK(BM_PlanTemplateChange100k)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanMembershipChange)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SortedUsersPage)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CreateUsers)->Arg(10000)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvaluateRule)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DynamicUserChange)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DynamicRuleEdit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanDynamicRuleEdit)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
