// Console queries: the data behind each portal blade, as JSON.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "dynamic.h"
#include "json_dom.h"
#include "licensing.h"
#include "read_ahead.h"
#include "rules.h"

namespace gbl {

using nlohmann::json;

namespace {

/// The ids of `now` not in `was` (joined) and of `was` not in `now` (left), both ascending: one
/// merge pass that steps over equal runs 64 ids at a time (a change to a big group's members
/// leaves nearly all of the two lists equal).
void DiffSortedIds(const std::vector<Id>& now, const std::vector<Id>& was, std::vector<Id>* joined,
                   std::vector<Id>* left) {
  constexpr size_t kRun = 64;
  size_t i = 0, j = 0;
  while (i < now.size() && j < was.size()) {
    while (i + kRun <= now.size() && j + kRun <= was.size() &&
           std::memcmp(now.data() + i, was.data() + j, kRun * sizeof(Id)) == 0) {
      i += kRun;
      j += kRun;
    }
    if (i >= now.size() || j >= was.size()) break;
    if (now[i] == was[j]) {
      ++i;
      ++j;
    } else if (now[i] < was[j]) {
      joined->push_back(now[i++]);
    } else {
      left->push_back(was[j++]);
    }
  }
  joined->insert(joined->end(), now.begin() + static_cast<std::ptrdiff_t>(i), now.end());
  left->insert(left->end(), was.begin() + static_cast<std::ptrdiff_t>(j), was.end());
}

/// A membership rule's parse error for the console: its position and ParseMembershipRule's text.
json RuleErrorJson(const std::string& message) {
  return json{{"position", RuleErrorPosition(message)}, {"message", message}};
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

struct Paging {
  size_t offset = 0;
  size_t limit = 100;
  std::string search;    // lower-cased
  std::string order_by;  // a column of the list (`orderBy`, Graph's $orderby: "name [asc|desc]")
  bool descending = false;
};

bool ReadPaging(const json& q, Paging* p, Error* err) {
  for (const char* key : {"offset", "limit"}) {
    if (q.contains(key)) {
      if (!q[key].is_number_unsigned() &&
          !(q[key].is_number_integer() && q[key].get<int64_t>() >= 0)) {
        *err = Error{"BadRequest", std::string(key) + ": expected a non-negative integer"};
        return false;
      }
      (std::string(key) == "offset" ? p->offset : p->limit) = q[key].get<size_t>();
    }
  }
  if (q.contains("search") && !q["search"].is_null()) {
    if (!q["search"].is_string()) {
      *err = Error{"BadRequest", "search: expected a string"};
      return false;
    }
    p->search = Lower(q["search"].get<std::string>());
  }
  if (q.contains("orderBy") && !q["orderBy"].is_null()) {
    if (!q["orderBy"].is_string()) {
      *err = Error{"BadRequest", "orderBy: expected a string such as \"displayName desc\""};
      return false;
    }
    std::string v = q["orderBy"].get<std::string>();
    const size_t space = v.find(' ');
    p->order_by = v.substr(0, space);
    const std::string dir = space == std::string::npos ? "" : Lower(v.substr(space + 1));
    if (dir != "" && dir != "asc" && dir != "desc") {
      *err = Error{"BadRequest", "orderBy: \"" + v + "\": the direction is asc or desc"};
      return false;
    }
    p->descending = dir == "desc";
  }
  return true;
}

/// Compares two texts as the portal sorts names: ignoring ASCII letter case.
int CompareText(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y - 'A' + 'a');
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

/// Compares two numbers.
template <typename T>
int CompareNumber(T a, T b) {
  return a == b ? 0 : a < b ? -1 : 1;
}

/// A column a list can be ordered by: its name in `orderBy` and how two rows compare.
struct OrderColumn {
  const char* name;
  int (*compare)(const Tenant& t, Id a, Id b);
};

/// Held products of a user (distinct SKUs).
size_t HeldCount(const User& u) {
  std::vector<Id> skus;
  for (const auto& s : u.states) {
    if (s.Holds() && std::find(skus.begin(), skus.end(), s.sku) == skus.end())
      skus.push_back(s.sku);
  }
  return skus.size();
}

bool HasErrors(const User& u) {
  for (const auto& s : u.states) {
    if (s.error != ErrorKind::kNone) return true;
  }
  return false;
}

/// Columns of the lists of users (All users, a product's licensed users, a group's errors).
constexpr OrderColumn kUserColumns[] = {
    {"displayName",
     [](const Tenant& t, Id a, Id b) {
       return CompareText(t.users()[a].display_name, t.users()[b].display_name);
     }},
    {"userPrincipalName",
     [](const Tenant& t, Id a, Id b) { return CompareText(t.users()[a].upn, t.users()[b].upn); }},
    {"usageLocation",
     [](const Tenant& t, Id a, Id b) {
       return CompareText(t.users()[a].usage_location, t.users()[b].usage_location);
     }},
    {"accountEnabled",
     [](const Tenant& t, Id a, Id b) {
       return CompareNumber(t.users()[a].account_enabled, t.users()[b].account_enabled);
     }},
    {"licenses",
     [](const Tenant& t, Id a, Id b) {
       return CompareNumber(HeldCount(t.users()[a]), HeldCount(t.users()[b]));
     }},
    {"hasErrors",
     [](const Tenant& t, Id a, Id b) {
       return CompareNumber(HasErrors(t.users()[a]), HasErrors(t.users()[b]));
     }},
};

/// Columns of the lists of groups.
constexpr OrderColumn kGroupColumns[] = {
    {"displayName",
     [](const Tenant& t, Id a, Id b) {
       return CompareText(t.groups()[a].display_name, t.groups()[b].display_name);
     }},
    {"members",
     [](const Tenant& t, Id a, Id b) {
       const Group &x = t.groups()[a], &y = t.groups()[b];
       return CompareNumber(x.members.size() + x.member_groups.size(),
                            y.members.size() + y.member_groups.size());
     }},
    {"membersWithErrors",
     [](const Tenant& t, Id a, Id b) {
       return CompareNumber(t.groups()[a].error_users, t.groups()[b].error_users);
     }},
    {"processingState",
     [](const Tenant& t, Id a, Id b) {
       return CompareNumber(static_cast<int>(t.groups()[a].processing),
                            static_cast<int>(t.groups()[b].processing));
     }},
};

/// Orders the rows by the page's column (ties keep the list's order) just enough to cut the
/// page's slice out of them, and returns that slice; BadRequest naming the list's columns when
/// `orderBy` is none of them. Without `orderBy` the rows keep the list's order.
template <size_t N>
Result<std::vector<Id>> PageOf(const Tenant& t, std::vector<Id> rows, const Paging& page,
                               const OrderColumn (&columns)[N]) {
  const size_t lo = std::min(page.offset, rows.size());
  const size_t hi = lo + std::min(page.limit, rows.size() - lo);
  if (!page.order_by.empty()) {
    const OrderColumn* column = nullptr;
    std::string names;
    for (const OrderColumn& c : columns) {
      if (page.order_by == c.name) column = &c;
      names += std::string(names.empty() ? "" : ", ") + c.name;
    }
    if (column == nullptr) {
      return Error{"BadRequest",
                   "orderBy: this list has no column \"" + page.order_by + "\" (" + names + ")"};
    }
    const bool desc = page.descending;
    auto before = [&](Id a, Id b) {
      const int c = column->compare(t, a, b);
      return c != 0 ? (desc ? c > 0 : c < 0) : a < b;
    };
    if (lo > 0) std::nth_element(rows.begin(), rows.begin() + lo, rows.end(), before);
    if (hi < rows.size())
      std::nth_element(rows.begin() + lo, rows.begin() + hi, rows.end(), before);
    std::sort(rows.begin() + lo, rows.begin() + hi, before);
  }
  return std::vector<Id>(rows.begin() + lo, rows.begin() + hi);
}

bool Matches(const std::string& needle, const std::string& a, const std::string& b = "") {
  if (needle.empty()) return true;
  return Lower(a).find(needle) != std::string::npos || Lower(b).find(needle) != std::string::npos;
}

json ProductRow(const Tenant& t, Id s) {
  const Sku& sku = t.skus()[s];
  return json{{"skuId", sku.id},
              {"skuPartNumber", sku.part_number},
              {"displayName", sku.display_name},
              {"total", sku.prepaid.enabled + sku.prepaid.warning},
              {"assigned", sku.consumed},
              {"available", sku.prepaid.enabled + sku.prepaid.warning - sku.consumed},
              {"expiringSoon", sku.prepaid.warning},
              {"warning", sku.prepaid.warning},
              {"suspended", sku.prepaid.suspended},
              {"capabilityStatus", sku.capability_status},
              {"appliesTo", sku.applies_to}};
}

json PlanList(const Tenant& t, const Assignment& a) {
  json plans = json::array();
  for (Id p : t.skus()[a.sku].plans) {
    plans.push_back({{"servicePlanId", t.plans()[p].id},
                     {"servicePlanName", t.plans()[p].name},
                     {"friendlyName", t.plans()[p].friendly},
                     {"enabled", !std::binary_search(a.disabled.begin(), a.disabled.end(), p)}});
  }
  return plans;
}

std::string PathText(const Tenant& t, Id source) {
  if (source == kDirect) return "Direct";
  const Group& g = t.groups()[source];
  if (g.external) return "Inherited (group " + g.id + ", not in the document)";
  return "Inherited (" + g.display_name + ")";
}

/// What a journal saved of each object (a user, a group, a product) as it was, by dense id.
template <typename T>
std::unordered_map<Id, const T*> SavedBefore(const std::vector<std::pair<Id, T>>& saved) {
  std::unordered_map<Id, const T*> out;
  for (const auto& [id, value] : saved) out.emplace(id, &value);
  return out;
}

/// A boolean option of a query: absent or null is false; anything but true/false is refused.
bool ReadFlag(const json& q, const char* key, bool* out, Error* err) {
  if (!q.contains(key) || q[key].is_null()) return true;
  if (!q[key].is_boolean()) {
    *err = Error{"BadRequest", std::string(key) + ": expected true or false"};
    return false;
  }
  *out = q[key].get<bool>();
  return true;
}

/// Filters of the lists of users (`errorsOnly`, `reason`, `skuId` as a filter).
struct ListFilter {
  bool errors_only = false;
  ErrorKind reason = ErrorKind::kNone;
  Id sku = kNoId;
};

Result<std::string> DumpResult(const Result<json>& r) {
  if (!r.Ok()) return r.GetError();
  return Dump(r.Value());
}

/// For two lists of a user's states that differ in options only (position by position the same
/// products, sources, states and errors): whether each product held whose options differ is held
/// from that one source alone.
bool ChangedOptionsHeldAlone(StateSpan was, StateSpan now) {
  for (size_t k = 0; k < now.size(); ++k) {
    if (!now[k].Holds() || was[k].assignment == now[k].assignment) continue;
    for (size_t m = 0; m < now.size(); ++m) {
      if (m != k && now[m].sku == now[k].sku && now[m].Holds()) return false;
    }
  }
  return true;
}

/// Calls `each(sku, i, i_end, k, k_end)` for every product in both of two lists of (product, x)
/// sorted by product, with its ranges [i, i_end) in `a` and [k, k_end) in `b`; stops when `each`
/// returns false (and then returns false).
template <typename Each>
bool ForEachSharedProduct(const std::vector<std::pair<Id, Id>>& a,
                          const std::vector<std::pair<Id, Id>>& b, Each each) {
  size_t i = 0, k = 0;
  while (i < a.size() && k < b.size()) {
    if (a[i].first < b[k].first) {
      ++i;
    } else if (b[k].first < a[i].first) {
      ++k;
    } else {
      const Id sku = a[i].first;
      size_t i_end = i + 1, k_end = k + 1;
      while (i_end < a.size() && a[i_end].first == sku) ++i_end;
      while (k_end < b.size() && b[k_end].first == sku) ++k_end;
      if (!each(sku, i, i_end, k, k_end)) return false;
      i = i_end, k = k_end;
    }
  }
  return true;
}

/// Calls `each(sku, i, i_end, k, k_end)` for every product held before and after from another
/// set of sources (`was`, `now`: (product, source) held, sorted): an assignment path change.
template <typename Each>
void ForEachPathChange(const std::vector<std::pair<Id, Id>>& was,
                       const std::vector<std::pair<Id, Id>>& now, Each each) {
  ForEachSharedProduct(was, now, [&](Id sku, size_t i, size_t i_end, size_t k, size_t k_end) {
    if (!std::equal(was.begin() + static_cast<std::ptrdiff_t>(i),
                    was.begin() + static_cast<std::ptrdiff_t>(i_end),
                    now.begin() + static_cast<std::ptrdiff_t>(k),
                    now.begin() + static_cast<std::ptrdiff_t>(k_end))) {
      each(sku, i, i_end, k, k_end);
    }
    return true;
  });
}

/// Puts the (product, source) pairs that `states` hold into `out`, sorted: a user's assignment
/// paths, as ForEachPathChange compares them.
void HeldPaths(StateSpan states, std::vector<std::pair<Id, Id>>* out) {
  out->clear();
  for (const auto& st : states) {
    if (st.Holds()) out->emplace_back(st.sku, st.source);
  }
  std::sort(out->begin(), out->end());
}

class QueryRunner {
 public:
  explicit QueryRunner(const Tenant& t) : t_(t) {}

  /// Reads the list filters; `skuId` filters only the lists that do not name a product by it.
  bool ReadFilter(const json& q, ListFilter* f, Error* err) const {
    if (!ReadFlag(q, "errorsOnly", &f->errors_only, err)) return false;
    if (q.contains("reason") && !q["reason"].is_null()) {
      if (!q["reason"].is_string() || !ParseErrorName(q["reason"].get<std::string>(), &f->reason) ||
          f->reason == ErrorKind::kNone) {
        *err = Error{"BadRequest",
                     "reason: expected an error kind such as \"MutuallyExclusiveViolation\""};
        return false;
      }
    }
    const std::string name = q["query"].get<std::string>();
    if (name != "product" && name != "licensedUsers" && name != "licensedGroups" &&
        q.contains("skuId") && q["skuId"].is_string() && !q["skuId"].get<std::string>().empty()) {
      auto it = t_.sku_index().find(Lower(q["skuId"].get<std::string>()));
      if (it == t_.sku_index().end()) {
        *err = Error{"NotFound",
                     "skuId: no subscribed product \"" + q["skuId"].get<std::string>() + "\""};
        return false;
      }
      f->sku = it->second;
    }
    return true;
  }

  Result<std::string> Run(const json& q) {
    std::string name = q["query"].get<std::string>();
    Paging page;
    Error err;
    if (!ReadPaging(q, &page, &err)) return err;
    if (name == "tenant") return Dump(Tenant());
    if (name == "products") return Dump(Products());
    if (name == "processing") return Dump(Processing());
    if (name == "errorKinds") {
      // The error kinds' table (error_kinds.def), for the console's filters.
      json kinds = json::array();
      for (size_t k = 1; k < kErrorKindCount; ++k) {
        const auto kind = static_cast<ErrorKind>(k);
        kinds.push_back({{"error", ErrorName(kind)}, {"errorText", ErrorText(kind)}});
      }
      return Dump(kinds);
    }
    ListFilter filter;
    if (!ReadFilter(q, &filter, &err)) return err;
    if (name == "users") return DumpResult(Users(page, filter));
    if (name == "assignmentPaths") return Dump(AssignmentPaths(page));
    if (name == "groups") {
      bool licensed_only = false, errors_only = false;
      if (!ReadFlag(q, "licensedOnly", &licensed_only, &err) ||
          !ReadFlag(q, "errorsOnly", &errors_only, &err)) {
        return err;
      }
      return DumpResult(Groups(page, licensed_only, errors_only));
    }
    if (name == "audit") return Audit(q, page);
    if (name == "validateRule") return ValidateRule(q);
    // The rest name an object.
    if (!q.contains("id") && !q.contains("skuId")) {
      return Error{"BadRequest", name + ": the query needs an id"};
    }
    if (name == "product" || name == "licensedUsers" || name == "licensedGroups") {
      std::string id = q.contains("skuId") && q["skuId"].is_string() ? q["skuId"].get<std::string>()
                       : q.contains("id") && q["id"].is_string()     ? q["id"].get<std::string>()
                                                                     : "";
      auto it = t_.sku_index().find(Lower(id));
      if (it == t_.sku_index().end())
        return Error{"NotFound", "no subscribed product \"" + id + "\""};
      if (name == "product") return Dump(Product(it->second));
      if (name == "licensedUsers") return DumpResult(LicensedUsers(it->second, page, filter));
      return DumpResult(LicensedGroups(it->second, page));
    }
    // (Only `skuId` given: no `id` to read.)
    std::string id = q.contains("id") && q["id"].is_string() ? q["id"].get<std::string>() : "";
    if (name == "user") {
      Id u = t_.user_index().Find(id);
      if (u == kNoId || t_.users()[u].deleted) return Error{"NotFound", "no user \"" + id + "\""};
      return Dump(UserDetail(u));
    }
    if (name == "group" || name == "groupMembers" || name == "groupErrors") {
      Id g = t_.group_index().Find(id);
      if (g == kNoId) return Error{"NotFound", "no group \"" + id + "\""};
      if (name == "group") return Dump(GroupDetail(g));
      if (name == "groupMembers") return Dump(GroupMembers(g, page));
      return DumpResult(GroupErrors(g, page, filter));
    }
    return Error{"BadRequest", "unknown query \"" + name + "\""};
  }

 private:
  json Tenant() {
    size_t groups = 0;
    for (const auto& g : t_.groups()) groups += g.deleted ? 0 : 1;
    size_t users = 0;
    for (const auto& u : t_.users()) users += u.deleted ? 0 : 1;
    return json{{"id", t_.org_id},
                {"displayName", t_.org_name},
                {"countryLetterCode", t_.country},
                {"users", users},
                {"deletedUsers", t_.deleted_users().size()},
                {"groups", groups},
                {"skus", t_.skus().size()},
                {"auditEvents", t_.audit().size()},
                {"pending", t_.run().group != kNoId || !t_.queue().empty()},
                {"rulesProfile", t_.rules_profile},
                {"rulesProfiles", Profiles()}};
  }

  /// The rule profiles a trainer can switch between.
  static json Profiles() {
    json list = json::array();
    for (const auto& name : RulesProfileNames()) {
      list.push_back({{"name", name}, {"description", RulesProfileDescription(name)}});
    }
    return list;
  }

  json Products() {
    json rows = json::array();
    for (Id s = 0; s < t_.skus().size(); ++s) rows.push_back(ProductRow(t_, s));
    return rows;
  }

  json Product(Id s) {
    json row = ProductRow(t_, s);
    json plans = json::array();
    for (Id p : t_.skus()[s].plans) {
      plans.push_back({{"servicePlanId", t_.plans()[p].id},
                       {"servicePlanName", t_.plans()[p].name},
                       {"friendlyName", t_.plans()[p].friendly},
                       {"appliesTo", t_.plans()[p].applies_to}});
    }
    row["servicePlans"] = plans;
    return row;
  }

  /// A list's page: its rows ordered and cut by PageOf, each written by `row`, with the total.
  template <size_t N, typename Row>
  Result<json> ListPage(std::vector<Id> rows, const Paging& page, const OrderColumn (&columns)[N],
                        Row row) {
    const size_t total = rows.size();
    auto slice = PageOf(t_, std::move(rows), page, columns);
    if (!slice.Ok()) return slice.GetError();
    json items = json::array();
    for (Id id : slice.Value()) row(id, &items);
    return Page(total, std::move(items));
  }

  json Page(size_t total, json items) {
    return json{{"total", total}, {"items", std::move(items)}};
  }

  Result<json> LicensedUsers(Id sku, const Paging& page, ListFilter filter) {
    std::vector<Id> rows;
    for (Id ui = 0; ui < t_.users().size(); ++ui) {
      const User& u = t_.users()[ui];
      bool any = false, error = false;
      for (const auto& st : u.states) {
        if (st.sku != sku) continue;
        any = true;
        error = error || st.error != ErrorKind::kNone;
      }
      if (!any || !Matches(page.search, u.display_name, u.upn)) continue;
      if (filter.errors_only && !error) continue;
      if (filter.reason != ErrorKind::kNone || filter.sku != kNoId) {
        ListFilter f = filter;
        f.errors_only = false;
        if (!Passes(u, f)) continue;
      }
      rows.push_back(ui);
    }
    return ListPage(std::move(rows), page, kUserColumns, [&](Id ui, json* items) {
      const User& u = t_.users()[ui];
      json paths = json::array();
      std::string state = "Error";
      for (const auto& st : u.states) {
        if (st.sku != sku) continue;
        paths.push_back(PathText(t_, st.source));
        if (st.Holds()) state = "Active";
      }
      items->push_back({{"id", u.id},
                        {"displayName", u.display_name},
                        {"userPrincipalName", u.upn},
                        {"paths", paths},
                        {"state", state}});
    });
  }

  json GroupRow(Id gi) {
    const Group& g = t_.groups()[gi];
    json lic = json::array();
    for (Id a : g.licenses) lic.push_back(t_.skus()[t_.assignments()[a].sku].display_name);
    json row{{"id", g.id},
             {"displayName", g.display_name},
             {"securityEnabled", g.security_enabled},
             {"mailEnabled", g.mail_enabled},
             {"groupTypes", g.group_types},
             {"members", g.members.size() + g.member_groups.size()},
             {"licenses", lic},
             {"processingState", ProcessingStateName(g.processing)},
             {"membersWithErrors", g.error_users}};
    AddRuleFields(g, &row);
    return row;
  }

  /// Graph's membershipRule and membershipRuleProcessingState (dynamic groups and groups with a
  /// rule), and ruleError when the rule does not parse (our extension).
  static void AddRuleFields(const Group& g, json* out) {
    if (g.membership_rule.empty() && !IsDynamicGroup(g)) return;
    (*out)["membershipRule"] = g.membership_rule.empty() ? json() : json(g.membership_rule);
    (*out)["membershipRuleProcessingState"] = g.rule_paused ? "Paused" : "On";
    if (!g.rule_error.empty()) (*out)["ruleError"] = RuleErrorJson(g.rule_error);
  }

  /// Whether a user's states pass the list filters: `errorsOnly`, `reason` (an error kind), and
  /// `skuId` (an assignment of that product, held or failing); `source` limits them to one group.
  bool Passes(const User& u, const ListFilter& f, Id source = kNoId) const {
    if (!f.errors_only && f.reason == ErrorKind::kNone && f.sku == kNoId) return true;
    bool error = false, reason = false, sku = false;
    for (const auto& st : u.states) {
      if (source != kNoId && st.source != source) continue;
      error = error || st.error != ErrorKind::kNone;
      reason = reason || (f.reason != ErrorKind::kNone && st.error == f.reason);
      sku = sku || st.sku == f.sku;
    }
    return (!f.errors_only || error) && (f.reason == ErrorKind::kNone || reason) &&
           (f.sku == kNoId || sku);
  }

  Result<json> Users(const Paging& page, const ListFilter& filter) {
    std::vector<Id> rows;
    for (Id ui = 0; ui < t_.users().size(); ++ui) {
      const User& u = t_.users()[ui];
      if (u.deleted || !Matches(page.search, u.display_name, u.upn)) continue;
      if (Passes(u, filter)) rows.push_back(ui);
    }
    return ListPage(std::move(rows), page, kUserColumns, [&](Id ui, json* items) {
      const User& u = t_.users()[ui];
      items->push_back({{"id", u.id},
                        {"displayName", u.display_name},
                        {"userPrincipalName", u.upn},
                        {"usageLocation", u.usage_location},
                        {"accountEnabled", u.account_enabled},
                        {"licenses", HeldCount(u)},
                        {"hasErrors", HasErrors(u)}});
    });
  }

  /// Every licensed user (paged) with each license's assignment paths: direct or which group,
  /// its state and error (the paths CSV).
  json AssignmentPaths(const Paging& page) {
    json items = json::array();
    size_t total = 0;
    for (const auto& u : t_.users()) {
      if (u.deleted || u.states.empty() || !Matches(page.search, u.display_name, u.upn)) continue;
      if (total++ < page.offset || items.size() >= page.limit) continue;
      json paths = json::array();
      for (const auto& s : u.states) {
        const Sku& sku = t_.skus()[s.sku];
        const bool direct = s.source == kDirect;
        paths.push_back({{"skuId", sku.id},
                         {"skuPartNumber", sku.part_number},
                         {"product", sku.display_name},
                         {"assignedByGroup", direct ? json() : json(t_.groups()[s.source].id)},
                         {"groupName", direct ? json() : json(t_.groups()[s.source].display_name)},
                         {"path", PathText(t_, s.source)},
                         {"state", StateName(s.state)},
                         {"error", ErrorName(s.error)}});
      }
      items.push_back({{"id", u.id},
                       {"displayName", u.display_name},
                       {"userPrincipalName", u.upn},
                       {"paths", std::move(paths)}});
    }
    return Page(total, std::move(items));
  }

  /// Groups (paged, ordered by `orderBy`) that pass `keep`.
  template <typename Keep>
  Result<json> GroupList(const Paging& page, Keep keep) {
    std::vector<Id> rows;
    for (Id gi = 0; gi < t_.groups().size(); ++gi) {
      const Group& g = t_.groups()[gi];
      if (!g.deleted && Matches(page.search, g.display_name) && keep(g)) rows.push_back(gi);
    }
    return ListPage(std::move(rows), page, kGroupColumns,
                    [&](Id gi, json* items) { items->push_back(GroupRow(gi)); });
  }

  Result<json> LicensedGroups(Id sku, const Paging& page) {
    return GroupList(page, [&](const Group& g) {
      for (Id a : g.licenses) {
        if (t_.assignments()[a].sku == sku) return true;
      }
      return false;
    });
  }

  Result<json> Groups(const Paging& page, bool licensed_only, bool errors_only) {
    return GroupList(page, [&](const Group& g) {
      return (!licensed_only || !g.licenses.empty()) && (!errors_only || g.error_users > 0);
    });
  }

  /// The evidence of a state in error read from a document (processing recorded none): the
  /// checks of rules.cpp run again on the user as the tenant stands, kept only when they find the
  /// same error for the same product (a stale export's error that nothing explains now has none).
  std::optional<Violation> Recheck(Id ui, const AssignmentState& s) const {
    if (s.error == ErrorKind::kNone || ui >= t_.users().size()) return std::nullopt;
    const User& u = t_.users()[ui];
    std::optional<Violation> v;
    if (s.source == kDirect) {
      const std::vector<Id> replaced{s.sku};
      v = CheckAssignment(t_, u, kDirect, {s.assignment}, &replaced);
    } else if (s.source < t_.groups().size()) {
      v = CheckAssignment(t_, u, s.source, t_.groups()[s.source].licenses);
    }
    if (!v) return std::nullopt;
    if (s.error == ErrorKind::kOther && v->sku != s.sku && s.source != kDirect) {
      // All or nothing: another product of the group is at fault (as AssignGroup records it).
      Violation other;
      other.kind = ErrorKind::kOther;
      other.sku = s.sku;
      other.other_sku = v->sku;
      other.other_source = s.source;
      return other;
    }
    if (v->kind != s.error || v->sku != s.sku) return std::nullopt;
    return v;
  }

  /// The evidence of a state in error (rules.cpp), or null when there is none: `reason` in
  /// words, and the ids it names. With `recheck`, a state read from a document gets the evidence
  /// the checks find now (marked `"rechecked": true`).
  json Evidence(Id ui, const AssignmentState& s, bool recheck = true) const {
    const Violation* v = t_.EvidenceOf(ui, s);
    std::optional<Violation> rechecked;
    if (v == nullptr && recheck) {
      rechecked = Recheck(ui, s);
      if (rechecked) v = &*rechecked;
    }
    if (v == nullptr) return json();
    auto plan = [&](Id p) {
      return json{{"servicePlanId", t_.plans()[p].id},
                  {"servicePlanName", t_.plans()[p].name},
                  {"friendlyName", t_.plans()[p].friendly}};
    };
    json e = {{"error", ErrorName(v->kind)},
              {"reason", DescribeViolation(t_, &t_.users()[ui], *v)}};
    if (v->plan != kNoId) e["servicePlan"] = plan(v->plan);
    switch (v->kind) {
      case ErrorKind::kMutuallyExclusiveViolation:
        e["conflictingServicePlan"] = plan(v->other_plan);
        e["conflictingSkuId"] = t_.skus()[v->other_sku].id;
        e["conflictingPath"] = PathText(t_, v->other_source);
        if (v->other_source != kDirect) e["conflictingGroupId"] = t_.groups()[v->other_source].id;
        {
          // Every conflicting pair between this assignment and the other holder's (the reason
          // names the first): turning one plan off may not be enough.
          const Assignment& mine = t_.assignments()[s.assignment];
          const Assignment* theirs = nullptr;
          for (const auto& o : t_.users()[ui].states) {
            if (o.source == v->other_source && o.sku == v->other_sku) {
              theirs = &t_.assignments()[o.assignment];
            }
          }
          json pairs = json::array();
          for (const auto& [p, f] : mine.exclusive) {
            if (theirs == nullptr) break;
            for (const auto& [q, fq] : theirs->exclusive) {
              if (fq == f && q != p) {
                pairs.push_back({{"servicePlan", plan(p)}, {"conflictingServicePlan", plan(q)}});
              }
            }
          }
          if (pairs.empty()) {
            pairs.push_back(
                {{"servicePlan", plan(v->plan)}, {"conflictingServicePlan", plan(v->other_plan)}});
          }
          e["conflictingPairs"] = std::move(pairs);
        }
        break;
      case ErrorKind::kDependencyViolation:
        if (v->other_plan != kNoId) e["prerequisiteServicePlan"] = plan(v->other_plan);
        break;
      case ErrorKind::kProhibitedInUsageLocationViolation:
        e["usageLocation"] = t_.LocationOf(t_.users()[ui]);
        e["fromTenant"] = v->tenant_location;
        break;
      case ErrorKind::kUniquenessViolation:
        if (v->address < t_.users()[ui].proxy_addresses.size())
          e["proxyAddress"] = t_.users()[ui].proxy_addresses[v->address];
        break;
      case ErrorKind::kCountViolation:
        e["shortfall"] = SeatsShort(t_.skus()[v->sku]);
        break;
      case ErrorKind::kOther:
        if (v->other_sku != kNoId) e["failingSkuId"] = t_.skus()[v->other_sku].id;
        break;
      default:
        break;
    }
    if (rechecked) e["rechecked"] = true;
    return e;
  }

 public:
  /// The effect of the changes since journal `j` began: per user what is gained and lost
  /// (products, plans) and the errors that appear and clear, per product the seats before and
  /// after, per group its members in error before and after (only what changed, users by id).
  /// One pass over the users the journal saved; an error group's row and examples are its first
  /// users by id, whatever page is asked for.
  json PlanEffect(const Journal& j, size_t user_limit, size_t user_offset = 0) const {
    const StateSpan kNone;
    // The users the changes touched, each with its states as they were: saved whole, saved
    // states only (the whole user's copy counts first), or created since the journal began.
    const std::vector<User>& all_users = t_.users();
    std::vector<bool> seen(all_users.size());
    std::vector<std::pair<Id, StateSpan>> touched;
    touched.reserve(j.saved_users.size() + j.saved_states.size());
    auto touch = [&](Id u, StateSpan was) {
      if (u >= seen.size() || seen[u]) return;
      seen[u] = true;
      touched.emplace_back(u, was);
    };
    for (const auto& [u, user] : j.saved_users) touch(u, user.states);
    for (const auto& saved : j.saved_states) touch(saved.user, j.StatesOf(saved));
    for (Id u = static_cast<Id>(j.users); u < all_users.size(); ++u) touch(u, kNone);

    // One side (before or after) of a user, read into buffers kept across users: no allocation
    // per user once they have grown.
    struct Side {
      std::vector<std::pair<Id, Id>> held;         ///< (product, assignment) held, sorted
      std::vector<std::pair<Id, Id>> paths;        ///< (product, source) held, sorted
      std::vector<Id> skus;                        ///< products held, distinct, sorted
      std::vector<const AssignmentState*> errors;  ///< in error, one per (source, product)
      std::vector<Id> waits;                       ///< products waiting for a seat, distinct
      bool waits_any = false;                      ///< a CountViolation in `errors`
      void Read(StateSpan states) {
        held.clear();
        HeldPaths(states, &paths);
        skus.clear();
        errors.clear();
        waits.clear();
        for (const auto& st : states) {
          if (st.Holds()) held.emplace_back(st.sku, st.assignment);
          if (st.error != ErrorKind::kNone) errors.push_back(&st);
          if (st.error == ErrorKind::kCountViolation) waits.push_back(st.sku);
        }
        std::sort(held.begin(), held.end());
        for (size_t k = 0; k < held.size(); ++k) {
          if (k == 0 || held[k].first != held[k - 1].first) skus.push_back(held[k].first);
        }
        // By (source, product), the last state of a key standing for it.
        auto key_less = [](const AssignmentState* a, const AssignmentState* b) {
          return std::make_pair(a->source, a->sku) < std::make_pair(b->source, b->sku);
        };
        if (!std::is_sorted(errors.begin(), errors.end(), key_less)) {
          std::stable_sort(errors.begin(), errors.end(), key_less);
        }
        size_t kept = 0;
        for (size_t k = 0; k < errors.size(); ++k) {
          if (kept > 0 && !key_less(errors[kept - 1], errors[k])) {
            errors[kept - 1] = errors[k];
          } else {
            errors[kept++] = errors[k];
          }
        }
        errors.resize(kept);
        waits_any = false;
        for (const AssignmentState* st : errors) {
          waits_any = waits_any || st->error == ErrorKind::kCountViolation;
        }
        std::sort(waits.begin(), waits.end());
        waits.erase(std::unique(waits.begin(), waits.end()), waits.end());
      }
    };
    Side was_side, now_side;
    auto same_key = [](const AssignmentState* a, const AssignmentState* b) {
      return a->source == b->source && a->sku == b->sku;
    };
    // Whether two assignments (options of one product) enable the same plans, cached per pair.
    std::unordered_map<uint64_t, bool> same_plans;
    auto pair_key = [](Id a, Id b) { return (uint64_t{a} << 32) | b; };
    Id last_a = kNoId, last_b = kNoId;  // most users of a change compare the same pair
    bool last_same = false;
    auto same_options = [&](Id a, Id b) {
      if (a == b) return true;
      if (a == last_a && b == last_b) return last_same;
      last_a = a, last_b = b;
      auto it = same_plans.find(pair_key(a, b));
      if (it == same_plans.end()) {
        it =
            same_plans
                .emplace(pair_key(a, b), t_.assignments()[a].enabled == t_.assignments()[b].enabled)
                .first;
      }
      return last_same = it->second;
    };
    // The plans a user holds of one product through several sources: each side's distinct
    // plans (the holders from `from` to `to` in its `held`), marked by plan id with this
    // comparison's stamp, so no sorting is needed.
    std::vector<uint32_t> mark_was(t_.plans().size()), mark_now(t_.plans().size());
    uint32_t stamp = 0;
    auto union_plans = [&](const std::vector<std::pair<Id, Id>>& held, size_t from, size_t to,
                           std::vector<uint32_t>* mark, std::vector<Id>* out) {
      out->clear();
      for (size_t k = from; k < to; ++k) {
        for (Id p : t_.assignments()[held[k].second].enabled) {
          if ((*mark)[p] == stamp) continue;
          (*mark)[p] = stamp;
          out->push_back(p);
        }
      }
    };
    std::vector<Id> plans_was, plans_now;
    // Calls `each(sku, was_from, was_to, now_from, now_to)` for every product held before and
    // after, with its holders' ranges in the two sides' `held`.
    auto for_each_kept = [&](auto each) {
      return ForEachSharedProduct(was_side.held, now_side.held, each);
    };
    // Whether a product held before and after gives the same plans on both sides.
    auto same_kept = [&](Id, size_t i, size_t i_end, size_t k, size_t k_end) {
      if (i_end - i == 1 && k_end - k == 1) {
        return same_options(was_side.held[i].second, now_side.held[k].second);
      }
      if (std::equal(was_side.held.begin() + i, was_side.held.begin() + i_end,
                     now_side.held.begin() + k, now_side.held.begin() + k_end)) {
        return true;
      }
      ++stamp;
      union_plans(was_side.held, i, i_end, &mark_was, &plans_was);
      union_plans(now_side.held, k, k_end, &mark_now, &plans_now);
      if (plans_was.size() != plans_now.size()) return false;
      for (Id p : plans_now) {
        if (mark_was[p] != stamp) return false;
      }
      return true;
    };

    // A changed user: dense id, the first 8 bytes of its id (big-endian, so they order as the
    // id does), and its two sides.
    struct Changed {
      uint64_t prefix;
      Id user;
      StateSpan was;
      StateSpan now;
    };
    auto id_prefix = [](const std::string& id) {
      uint64_t v = 0;
      for (size_t k = 0; k < 8; ++k) {
        v = (v << 8) | (k < id.size() ? static_cast<unsigned char>(id[k]) : 0u);
      }
      return v;
    };
    auto by_id = [&](const Changed& x, const Changed& y) {
      if (x.prefix != y.prefix) return x.prefix < y.prefix;
      return all_users[x.user].id < all_users[y.user].id;
    };

    // The summary, counted as the changed users are found: users by the products they gain /
    // lose; by (product, plan) turned on and off in products held before and after (a single
    // holder each side counted per pair of assignments, the plans of the pair added at the end);
    // by error with its evidence (the first user by id stands for the group, five by id are
    // examples); the waits per product.
    std::map<std::vector<Id>, size_t> gained, lost;
    std::vector<Id> gains, losses;
    std::unordered_map<uint64_t, size_t> plans_on_flat, plans_off_flat;  // (sku, plan) → users
    std::map<std::tuple<Id, Id, Id>, size_t> pair_users;  // (sku, assignment before, after)
    std::map<Id, size_t> path_changes;  // sku → users holding it before and after by other paths
    std::tuple<Id, Id, Id> last_pair;   // the pair counted last, and its count
    size_t* last_pair_users = nullptr;
    auto count_pair = [&](Id sku, Id a, Id b) {
      if (last_pair_users == nullptr || last_pair != std::make_tuple(sku, a, b)) {
        last_pair = {sku, a, b};
        last_pair_users = &pair_users[last_pair];
      }
      ++*last_pair_users;
    };
    struct ErrorGroup {
      size_t users = 0;
      std::vector<Changed> firsts;  ///< up to five users by id, with their state (below)
      std::vector<const AssignmentState*> states;
    };
    std::map<std::string, ErrorGroup> appeared, cleared;
    // The grouping key of an error row depends on these only (the text key is built once for
    // each): product, source, error, its evidence's kind and ids, the usage location named.
    using EvidenceKey = std::tuple<Id, Id, int, int, Id, Id, Id, Id, std::string>;
    std::map<EvidenceKey, ErrorGroup*> appeared_by, cleared_by;
    auto error_row = [&](Id ui, const AssignmentState& s) {
      return json{
          {"skuId", t_.skus()[s.sku].id},
          {"assignedByGroup", s.source == kDirect ? json() : json(t_.groups()[s.source].id)},
          {"error", ErrorName(s.error)},
          {"errorText", ErrorText(s.error)},
          {"evidence", Evidence(ui, s, false)}};
    };
    auto add_error = [&](const Changed& c, const AssignmentState& s,
                         std::map<std::string, ErrorGroup>* out,
                         std::map<EvidenceKey, ErrorGroup*>* by) {
      const Violation* v = t_.EvidenceOf(c.user, s);
      EvidenceKey key{s.sku, s.source,     static_cast<int>(s.error), -1, kNoId, kNoId, kNoId,
                      kNoId, std::string()};
      if (v != nullptr) {
        std::get<3>(key) = static_cast<int>(v->kind);
        std::get<4>(key) = v->plan;
        std::get<5>(key) = v->other_plan;
        std::get<6>(key) = v->other_sku;
        std::get<7>(key) = v->other_source;
        if (v->kind == ErrorKind::kProhibitedInUsageLocationViolation) {
          std::get<8>(key) = t_.LocationOf(all_users[c.user]);
        }
      }
      auto it = by->find(key);
      if (it == by->end()) {
        const json row = error_row(c.user, s);
        const json& e = row["evidence"];
        std::string text =
            row["skuId"].dump() + row["assignedByGroup"].dump() + row["error"].dump();
        if (e.is_object()) {
          for (const char* k : {"servicePlan", "conflictingServicePlan", "conflictingPath",
                                "prerequisiteServicePlan", "failingSkuId", "usageLocation"}) {
            if (e.contains(k)) text += e[k].dump();
          }
        }
        it = by->emplace(std::move(key), &(*out)[text]).first;
      }
      ErrorGroup& g = *it->second;
      ++g.users;
      // The first five by id: kept in order, a later user goes in only before the fifth.
      if (g.firsts.size() == 5 && !by_id(c, g.firsts.back())) return;
      size_t at = g.firsts.size();
      while (at > 0 && by_id(c, g.firsts[at - 1])) --at;
      g.firsts.insert(g.firsts.begin() + static_cast<std::ptrdiff_t>(at), c);
      g.states.insert(g.states.begin() + static_cast<std::ptrdiff_t>(at), &s);
      if (g.firsts.size() > 5) {
        g.firsts.pop_back();
        g.states.pop_back();
      }
    };
    // Errors of `a` that `b` does not have with the same error (both by key, one per key).
    auto errors_not_in = [&](const Changed& c, const std::vector<const AssignmentState*>& a,
                             const std::vector<const AssignmentState*>& b,
                             std::map<std::string, ErrorGroup>* out,
                             std::map<EvidenceKey, ErrorGroup*>* by) {
      size_t k = 0;
      for (const AssignmentState* s : a) {
        while (k < b.size() &&
               std::make_pair(b[k]->source, b[k]->sku) < std::make_pair(s->source, s->sku)) {
          ++k;
        }
        if (k < b.size() && same_key(b[k], s) && b[k]->error == s->error) continue;
        add_error(c, *s, out, by);
      }
    };
    const size_t sku_count = t_.skus().size();
    // Who gets the last seats (first come, first served in the tenant's user order, §6.1): per
    // product, the last five changed users by dense id who gain it and the first five who newly
    // wait for a seat (kept sorted ascending).
    struct SeatOrder {
      std::vector<Id> last_gaining, first_waiting;
    };
    std::vector<SeatOrder> seat_order(sku_count);
    auto keep_five = [](std::vector<Id>* list, Id u, bool last) {
      if (list->size() == 5 && (last ? u < list->front() : u > list->back())) return;
      list->insert(std::upper_bound(list->begin(), list->end(), u), u);
      if (list->size() > 5) {
        if (last) {
          list->erase(list->begin());
        } else {
          list->pop_back();
        }
      }
    };
    std::vector<int64_t> waiting_delta(sku_count, 0);
    bool waits_touched = false;
    std::vector<Changed> changed;
    ReadAhead ahead;
    for (size_t n = 0; n < touched.size(); ++n) {
      // The users' records are scattered in memory: ask for their states, ids and records ahead.
      ahead.Batch(
          n, touched.size(),
          [&](size_t k) {
            const User& next = all_users[touched[k].first];
            ahead.Touch(next.states.data());
            ahead.Touch(next.id.data());
            ahead.Touch(touched[k].second.begin());
          },
          [&](size_t k) { ahead.TouchRecord(&all_users[touched[k].first], sizeof(User)); });
      const auto& [ui, was_states] = touched[n];
      const User& u = all_users[ui];
      const StateSpan now_states = u.deleted ? kNone : StateSpan(u.states);
      // Most touched users of a big change have one state changed: compare side by side first.
      if (was_states.size() == now_states.size()) {
        bool same_states = true, same_options_too = true;
        for (size_t k = 0; same_states && k < now_states.size(); ++k) {
          const AssignmentState &a = was_states[k], &b = now_states[k];
          same_states =
              a.sku == b.sku && a.source == b.source && a.state == b.state && a.error == b.error;
          same_options_too = same_options_too && a.assignment == b.assignment;
        }
        if (same_states && same_options_too) continue;
        // A template change's usual user: the same products from the same sources in the same
        // states and errors, some with other options. When each such product is held from one
        // source alone, only its plans change: what the general comparison below would find,
        // without reading the two sides.
        if (same_states && ChangedOptionsHeldAlone(was_states, now_states)) {
          bool plans_differ = false;
          for (size_t k = 0; k < now_states.size(); ++k) {
            const AssignmentState &a = was_states[k], &b = now_states[k];
            if (!b.Holds() || a.assignment == b.assignment) continue;
            if (!same_options(a.assignment, b.assignment)) plans_differ = true;
          }
          if (!plans_differ) continue;
          changed.push_back(Changed{id_prefix(u.id), ui, was_states, now_states});
          for (size_t k = 0; k < now_states.size(); ++k) {
            const AssignmentState &a = was_states[k], &b = now_states[k];
            if (b.Holds() && a.assignment != b.assignment)
              count_pair(b.sku, a.assignment, b.assignment);
          }
          continue;
        }
      }
      was_side.Read(was_states);
      now_side.Read(now_states);
      bool same =
          was_side.errors.size() == now_side.errors.size() && was_side.skus == now_side.skus;
      for (size_t k = 0; same && k < now_side.errors.size(); ++k) {
        same = same_key(was_side.errors[k], now_side.errors[k]) &&
               was_side.errors[k]->error == now_side.errors[k]->error;
      }
      if (same) same = was_side.paths == now_side.paths;
      if (same) same = for_each_kept(same_kept);
      if (same) continue;
      const Changed c{id_prefix(u.id), ui, was_states, now_states};
      changed.push_back(c);

      gains.clear();
      losses.clear();
      std::set_difference(now_side.skus.begin(), now_side.skus.end(), was_side.skus.begin(),
                          was_side.skus.end(), std::back_inserter(gains));
      std::set_difference(was_side.skus.begin(), was_side.skus.end(), now_side.skus.begin(),
                          now_side.skus.end(), std::back_inserter(losses));
      if (!gains.empty()) ++gained[gains];
      if (!losses.empty()) ++lost[losses];
      for (Id s : gains) keep_five(&seat_order[s].last_gaining, ui, true);
      for (Id s : now_side.waits) {
        if (!std::binary_search(was_side.waits.begin(), was_side.waits.end(), s)) {
          keep_five(&seat_order[s].first_waiting, ui, false);
        }
      }
      for_each_kept([&](Id sku, size_t i, size_t i_end, size_t k, size_t k_end) {
        if (i_end - i == 1 && k_end - k == 1) {
          const Id a = was_side.held[i].second, b = now_side.held[k].second;
          if (a != b) count_pair(sku, a, b);
          return true;
        }
        ++stamp;
        union_plans(was_side.held, i, i_end, &mark_was, &plans_was);
        union_plans(now_side.held, k, k_end, &mark_now, &plans_now);
        for (Id p : plans_now) {
          if (mark_was[p] != stamp) ++plans_on_flat[pair_key(sku, p)];
        }
        for (Id p : plans_was) {
          if (mark_now[p] != stamp) ++plans_off_flat[pair_key(sku, p)];
        }
        return true;
      });
      ForEachPathChange(was_side.paths, now_side.paths,
                        [&](Id sku, size_t, size_t, size_t, size_t) { ++path_changes[sku]; });
      errors_not_in(c, now_side.errors, was_side.errors, &appeared, &appeared_by);
      errors_not_in(c, was_side.errors, now_side.errors, &cleared, &cleared_by);
      waits_touched = waits_touched || was_side.waits_any || now_side.waits_any;
      for (Id s : now_side.waits) ++waiting_delta[s];
      for (Id s : was_side.waits) --waiting_delta[s];
    }
    std::map<std::pair<Id, Id>, size_t> plans_on, plans_off;
    for (const auto& [sp, n] : plans_on_flat) plans_on[{Id(sp >> 32), Id(sp)}] += n;
    for (const auto& [sp, n] : plans_off_flat) plans_off[{Id(sp >> 32), Id(sp)}] += n;
    for (const auto& [key, n] : pair_users) {
      const auto& [sku, a, b] = key;
      const auto& ea = t_.assignments()[a].enabled;
      const auto& eb = t_.assignments()[b].enabled;
      std::vector<Id> on, off;
      std::set_difference(eb.begin(), eb.end(), ea.begin(), ea.end(), std::back_inserter(on));
      std::set_difference(ea.begin(), ea.end(), eb.begin(), eb.end(), std::back_inserter(off));
      for (Id p : on) plans_on[{sku, p}] += n;
      for (Id p : off) plans_off[{sku, p}] += n;
    }

    // The page asked for: changed users [user_offset, user_offset + user_limit) in id order.
    const size_t first = std::min(user_offset, changed.size());
    const size_t end = user_limit >= changed.size() - first ? changed.size() : first + user_limit;
    if (first > 0 && first < changed.size()) {
      std::nth_element(changed.begin(), changed.begin() + static_cast<std::ptrdiff_t>(first),
                       changed.end(), by_id);
    }
    if (end < changed.size() && end > first) {
      std::nth_element(changed.begin() + static_cast<std::ptrdiff_t>(first),
                       changed.begin() + static_cast<std::ptrdiff_t>(end), changed.end(), by_id);
    }
    std::sort(changed.begin() + static_cast<std::ptrdiff_t>(first),
              changed.begin() + static_cast<std::ptrdiff_t>(end), by_id);

    // Sorted vectors, not sets: a user may hold many products with 40 plans each.
    using Skus = std::vector<Id>;
    using Plans = std::vector<std::pair<Id, Id>>;
    auto held = [&](StateSpan states) {
      Skus skus;
      Plans plans;
      for (const auto& s : states) {
        if (!s.Holds()) continue;
        skus.push_back(s.sku);
        for (Id p : t_.assignments()[s.assignment].enabled) plans.emplace_back(s.sku, p);
      }
      std::sort(skus.begin(), skus.end());
      skus.erase(std::unique(skus.begin(), skus.end()), skus.end());
      std::sort(plans.begin(), plans.end());
      plans.erase(std::unique(plans.begin(), plans.end()), plans.end());
      return std::make_pair(std::move(skus), std::move(plans));
    };
    auto path_changes_of = [&](StateSpan was, StateSpan now) {
      std::vector<std::pair<Id, Id>> a, b;
      HeldPaths(was, &a);
      HeldPaths(now, &b);
      auto side = [&](const std::vector<std::pair<Id, Id>>& paths, size_t from, size_t to) {
        json out = json::array();
        for (size_t k = from; k < to; ++k) {
          const Id source = paths[k].second;
          out.push_back(
              {{"assignedByGroup", source == kDirect ? json() : json(t_.groups()[source].id)},
               {"path", PathText(t_, source)}});
        }
        return out;
      };
      json out = json::array();
      ForEachPathChange(a, b, [&](Id sku, size_t i, size_t i_end, size_t k, size_t k_end) {
        out.push_back({{"skuId", t_.skus()[sku].id},
                       {"before", side(a, i, i_end)},
                       {"after", side(b, k, k_end)}});
      });
      return out;
    };
    auto errors = [&](StateSpan states) {
      std::map<std::pair<Id, Id>, const AssignmentState*> out;  // (source, sku) → state
      for (const auto& s : states) {
        if (s.error != ErrorKind::kNone) out[{s.source, s.sku}] = &s;
      }
      return out;
    };
    auto sku_ids = [&](const Skus& a, const Skus& b) {
      json out = json::array();
      for (Id s : a) {
        if (!std::binary_search(b.begin(), b.end(), s)) out.push_back(t_.skus()[s].id);
      }
      return out;
    };
    auto plan_ids = [&](const Plans& a, const Plans& b) {
      json out = json::array();
      for (const auto& sp : a) {
        if (std::binary_search(b.begin(), b.end(), sp)) continue;
        out.push_back(
            {{"skuId", t_.skus()[sp.first].id}, {"servicePlanId", t_.plans()[sp.second].id}});
      }
      return out;
    };
    auto error_list = [&](Id ui, const std::map<std::pair<Id, Id>, const AssignmentState*>& a,
                          const std::map<std::pair<Id, Id>, const AssignmentState*>& b) {
      json out = json::array();
      for (const auto& [key, s] : a) {
        auto other = b.find(key);
        if (other != b.end() && other->second->error == s->error) continue;
        out.push_back(error_row(ui, *s));
      }
      return out;
    };
    auto plan_counts = [&](const std::map<std::pair<Id, Id>, size_t>& m) {
      json out = json::array();
      for (const auto& [sp, n] : m) {
        const Plan& p = t_.plans()[sp.second];
        out.push_back({{"skuId", t_.skus()[sp.first].id},
                       {"servicePlanId", p.id},
                       {"servicePlanName", p.name},
                       {"friendlyName", p.friendly},
                       {"users", n}});
      }
      return out;
    };
    auto product_groups = [&](const std::map<std::vector<Id>, size_t>& m) {
      json out = json::array();
      for (const auto& [skus, n] : m) {
        json ids = json::array();
        for (Id s : skus) ids.push_back(t_.skus()[s].id);
        out.push_back({{"skuIds", ids}, {"users", n}});
      }
      return out;
    };
    auto error_groups = [&](std::map<std::string, ErrorGroup>& m) {
      std::vector<ErrorGroup*> list;
      for (auto& entry : m) list.push_back(&entry.second);
      std::stable_sort(list.begin(), list.end(), [](const ErrorGroup* x, const ErrorGroup* y) {
        return x->users > y->users;
      });
      json out = json::array();
      for (ErrorGroup* g : list) {
        json row = error_row(g->firsts.front().user, *g->states.front());
        row["users"] = g->users;
        json examples = json::array();
        for (const Changed& c : g->firsts) examples.push_back(all_users[c.user].display_name);
        row["examples"] = std::move(examples);
        out.push_back(std::move(row));
      }
      return out;
    };
    json summary = {{"usersChanged", changed.size()},        {"gains", product_groups(gained)},
                    {"loses", product_groups(lost)},         {"plansGained", plan_counts(plans_on)},
                    {"plansLost", plan_counts(plans_off)},   {"newErrors", error_groups(appeared)},
                    {"clearedErrors", error_groups(cleared)}};
    json path_counts = json::array();
    for (const auto& [sku, n] : path_changes) {
      path_counts.push_back({{"skuId", t_.skus()[sku].id}, {"users", n}});
    }
    summary["pathChanges"] = std::move(path_counts);

    // Membership changes (a dynamic group's rule or a user's attributes, members added or
    // removed): each group saved by the journal against what it has now.
    struct MemberDelta {
      Id group;
      size_t before;
      std::vector<Id> joined, left;  // ascending user ids
    };
    std::vector<MemberDelta> member_deltas;
    {
      const auto saved = SavedBefore(j.saved_groups);
      static const std::vector<Id> kNoMembers;
      for (Id g = 0; g < t_.groups().size(); ++g) {
        auto it = saved.find(g);
        if (it == saved.end() && g < j.groups) continue;
        const std::vector<Id>& was = it != saved.end() ? it->second->members : kNoMembers;
        const Group& now = t_.groups()[g];
        MemberDelta d{g, was.size(), {}, {}};
        DiffSortedIds(now.members, was, &d.joined, &d.left);
        if (!d.joined.empty() || !d.left.empty()) member_deltas.push_back(std::move(d));
      }
    }
    json memberships = json::array();
    for (const MemberDelta& d : member_deltas) {
      memberships.push_back({{"groupId", t_.groups()[d.group].id},
                             {"displayName", t_.groups()[d.group].display_name},
                             {"joined", d.joined.size()},
                             {"left", d.left.size()}});
    }
    summary["memberships"] = std::move(memberships);

    json users = json::array();
    for (size_t k = first; k < end; ++k) {
      const Changed& d = changed[k];
      const User& u = all_users[d.user];
      const Plans plans_before = held(d.was).second, plans_after = held(d.now).second;
      const Skus skus_before = held(d.was).first, skus_after = held(d.now).first;
      const auto errors_before = errors(d.was), errors_after = errors(d.now);
      users.push_back({{"id", u.id},
                       {"displayName", u.display_name},
                       {"gains", sku_ids(skus_after, skus_before)},
                       {"loses", sku_ids(skus_before, skus_after)},
                       {"plansGained", plan_ids(plans_after, plans_before)},
                       {"plansLost", plan_ids(plans_before, plans_after)},
                       {"newErrors", error_list(d.user, errors_after, errors_before)},
                       {"clearedErrors", error_list(d.user, errors_before, errors_after)},
                       {"pathChanges", path_changes_of(d.was, d.now)}});
      json joined_groups = json::array(), left_groups = json::array();
      for (const MemberDelta& m : member_deltas) {
        if (std::binary_search(m.joined.begin(), m.joined.end(), d.user)) {
          joined_groups.push_back(t_.groups()[m.group].id);
        }
        if (std::binary_search(m.left.begin(), m.left.end(), d.user)) {
          left_groups.push_back(t_.groups()[m.group].id);
        }
      }
      if (!joined_groups.empty()) users.back()["joinedGroups"] = std::move(joined_groups);
      if (!left_groups.empty()) users.back()["leftGroups"] = std::move(left_groups);
    }

    // Users waiting for a seat (CountViolation) per product after the changes, and the groups
    // their failed assignments come from (reprocessing those after buying seats clears them);
    // before = after minus what the changed users gained or lost of it.
    std::vector<int64_t> waiting_after(sku_count, 0);
    std::vector<std::vector<Id>> waiting_groups(sku_count);
    // A CountViolation state comes from a group (a direct assignment without a seat is refused
    // at once), so only the members of groups with members in error are read: a plan on a big
    // tenant stays cheap. A group whose members do not account for its errors (a former member
    // held by a blocked removal) is looked for among all users.
    std::unordered_set<uint64_t> counted;  // (sku, user) pairs already counted
    auto visit = [&](Id gi, Id ui, size_t* errors_seen) {
      if (all_users[ui].deleted) return;
      bool error = false;
      for (const auto& st : all_users[ui].states) {
        if (st.source != gi || st.error == ErrorKind::kNone) continue;
        error = true;
        if (st.error != ErrorKind::kCountViolation) continue;
        waiting_groups[st.sku].push_back(gi);
        if (counted.insert((uint64_t{st.sku} << 32) | ui).second) ++waiting_after[st.sku];
      }
      *errors_seen += error ? 1 : 0;
    };
    // Counted only when the changes touch a wait (a changed user has a CountViolation before or
    // after) or a product's units: otherwise nobody waits because of them, and a plan of one
    // membership change stays far from the cost of reading every member in error.
    const auto saved_skus = SavedBefore(j.saved_skus);
    for (const auto& [s, was] : saved_skus) {
      waits_touched = waits_touched || was->Assignable() != t_.skus()[s].Assignable();
    }
    for (Id gi = 0; waits_touched && gi < t_.groups().size(); ++gi) {
      const Group& g = t_.groups()[gi];
      if (g.error_users == 0) continue;
      size_t seen_errors = 0;
      for (Id ui : g.members) visit(gi, ui, &seen_errors);
      if (seen_errors >= g.error_users) continue;
      for (Id ui = 0; ui < all_users.size(); ++ui) {
        if (!std::binary_search(g.members.begin(), g.members.end(), ui)) {
          visit(gi, ui, &seen_errors);
        }
      }
    }
    const auto skus_before = SavedBefore(j.saved_skus);
    json skus = json::array();
    for (Id s = 0; s < sku_count; ++s) {
      const Sku& now = t_.skus()[s];
      auto it = skus_before.find(s);
      const int64_t consumed_before = it != skus_before.end() ? it->second->consumed
                                      : s < j.skus            ? now.consumed
                                                              : 0;
      const bool units_changed =
          it != skus_before.end() && it->second->Assignable() != now.Assignable();
      const int64_t waiting_before = waiting_after[s] - waiting_delta[s];
      if (consumed_before == now.consumed && !units_changed && waiting_delta[s] == 0 &&
          s < j.skus) {
        continue;
      }
      std::vector<Id>& from = waiting_groups[s];
      std::sort(from.begin(), from.end());
      from.erase(std::unique(from.begin(), from.end()), from.end());
      json groups_waiting = json::array();
      for (Id g : from) groups_waiting.push_back(t_.groups()[g].id);
      json row = {{"skuId", now.id},
                  {"skuPartNumber", now.part_number},
                  {"consumedBefore", consumed_before},
                  {"consumedAfter", now.consumed},
                  {"available", now.Assignable() - now.consumed},
                  {"enabledAfter", now.prepaid.enabled}};
      if (waits_touched) {
        row["waitingBefore"] = waiting_before;
        row["waitingAfter"] = waiting_after[s];
        row["waitingGroups"] = std::move(groups_waiting);
        if (waiting_after[s] > 0) {
          // The seats' order made visible: who of the changed users gets the last seats, and who
          // comes first among those left waiting.
          auto named = [&](const std::vector<Id>& list) {
            json out = json::array();
            for (Id u : list) {
              out.push_back({{"id", all_users[u].id}, {"displayName", all_users[u].display_name}});
            }
            return out;
          };
          row["lastSeatsTo"] = named(seat_order[s].last_gaining);
          row["firstWaiting"] = named(seat_order[s].first_waiting);
        }
      }
      skus.push_back(std::move(row));
    }

    const auto groups_before = SavedBefore(j.saved_groups);
    json groups = json::array();
    for (Id g = 0; g < t_.groups().size(); ++g) {
      const Group& now = t_.groups()[g];
      auto it = groups_before.find(g);
      const uint32_t was = it != groups_before.end() ? it->second->error_users
                           : g < j.groups            ? now.error_users
                                                     : 0;
      const uint32_t is = now.deleted ? 0 : now.error_users;
      const MemberDelta* moved = nullptr;
      for (const MemberDelta& m : member_deltas) {
        if (m.group == g) moved = &m;
      }
      if (was == is && moved == nullptr) continue;
      groups.push_back({{"id", now.id},
                        {"displayName", now.display_name},
                        {"membersWithErrorsBefore", was},
                        {"membersWithErrorsAfter", is}});
      if (moved != nullptr) {
        json& row = groups.back();
        row["membersBefore"] = moved->before;
        row["membersAfter"] = now.members.size();
        row["joined"] = moved->joined.size();
        row["left"] = moved->left.size();
      }
    }
    return {{"summary", std::move(summary)},
            {"users", std::move(users)},
            {"skus", std::move(skus)},
            {"groups", std::move(groups)}};
  }

 private:
  json UserDetail(Id ui) {
    const User& u = t_.users()[ui];
    json licenses = json::array();
    std::vector<Id> skus;
    for (const auto& s : u.states) {
      if (std::find(skus.begin(), skus.end(), s.sku) == skus.end()) skus.push_back(s.sku);
    }
    std::sort(skus.begin(), skus.end());
    for (Id sku : skus) {
      json assignments = json::array();
      bool held = false;
      // Sources: direct first, then groups in order.
      std::vector<const AssignmentState*> sources;
      for (const auto& s : u.states) {
        if (s.sku == sku && s.source == kDirect) sources.push_back(&s);
      }
      for (const auto& s : u.states) {
        if (s.sku == sku && s.source != kDirect) sources.push_back(&s);
      }
      for (const AssignmentState* s : sources) {
        held = held || s->Holds();
        json disabled = json::array();
        for (Id p : t_.assignments()[s->assignment].disabled) disabled.push_back(t_.plans()[p].id);
        assignments.push_back(
            {{"assignedByGroup", s->source == kDirect ? json() : json(t_.groups()[s->source].id)},
             {"groupName",
              s->source == kDirect ? json() : json(t_.groups()[s->source].display_name)},
             {"path", PathText(t_, s->source)},
             {"state", StateName(s->state)},
             {"error", ErrorName(s->error)},
             {"errorText", ErrorText(s->error)},
             {"evidence", Evidence(ui, *s)},
             {"disabledPlans", disabled},
             {"lastUpdatedDateTime", Tenant::FormatTime(s->updated_ms)}});
      }
      json plans = json::array();
      for (Id p : t_.skus()[sku].plans) {
        json enabled_by = json::array();
        json not_applied_from = json::array();  // sources that would enable it but are in error
        for (const AssignmentState* s : sources) {
          const auto& en = t_.assignments()[s->assignment].enabled;
          if (!std::binary_search(en.begin(), en.end(), p)) continue;
          if (s->Holds())
            enabled_by.push_back(PathText(t_, s->source));
          else if (s->error != ErrorKind::kNone)
            not_applied_from.push_back(PathText(t_, s->source));
        }
        // "On", "Off" (turned off in every assignment), or "Not applied (error)": an assignment
        // that would turn it on failed, so the plan is not off by choice.
        const char* status = !enabled_by.empty()         ? "On"
                             : !not_applied_from.empty() ? "NotApplied"
                                                         : "Off";
        plans.push_back({{"servicePlanId", t_.plans()[p].id},
                         {"servicePlanName", t_.plans()[p].name},
                         {"friendlyName", t_.plans()[p].friendly},
                         {"enabled", !enabled_by.empty()},
                         {"status", status},
                         {"enabledBy", enabled_by},
                         {"notAppliedFrom", not_applied_from}});
      }
      licenses.push_back({{"skuId", t_.skus()[sku].id},
                          {"displayName", t_.skus()[sku].display_name},
                          {"skuPartNumber", t_.skus()[sku].part_number},
                          {"state", held ? "Active" : "Error"},
                          {"assignments", assignments},
                          {"servicePlans", plans}});
    }
    json groups = json::array();
    for (Id g : u.groups) {
      groups.push_back({{"id", t_.groups()[g].id},
                        {"displayName", t_.groups()[g].display_name},
                        {"licensed", !t_.groups()[g].licenses.empty()}});
    }
    return json{{"id", u.id},
                {"displayName", u.display_name},
                {"userPrincipalName", u.upn},
                {"usageLocation", u.usage_location},
                {"effectiveUsageLocation", t_.LocationOf(u)},
                {"accountEnabled", u.account_enabled},
                {"proxyAddresses", u.proxy_addresses},
                {"licenses", licenses},
                {"groups", groups}};
  }

  json GroupDetail(Id gi) {
    const Group& g = t_.groups()[gi];
    json licenses = json::array();
    for (Id a : g.licenses) {
      const Assignment& as = t_.assignments()[a];
      json disabled = json::array();
      for (Id p : as.disabled) disabled.push_back(t_.plans()[p].id);
      licenses.push_back({{"skuId", t_.skus()[as.sku].id},
                          {"displayName", t_.skus()[as.sku].display_name},
                          {"skuPartNumber", t_.skus()[as.sku].part_number},
                          {"disabledPlans", disabled},
                          {"servicePlans", PlanList(t_, as)}});
    }
    json processing = {
        {"state", ProcessingStateName(g.processing)}, {"processed", 0}, {"total", 0}};
    if (t_.run().group == gi) {
      processing["processed"] = t_.run().next;
      processing["total"] = t_.run().members.size();
    } else if (g.processing == ProcessingState::kComplete) {
      processing["processed"] = g.members.size();
      processing["total"] = g.members.size();
    } else {
      processing["total"] = g.members.size();
    }
    json detail{{"id", g.id},
                {"displayName", g.display_name},
                {"description", g.description},
                {"securityEnabled", g.security_enabled},
                {"mailEnabled", g.mail_enabled},
                {"groupTypes", g.group_types},
                {"members", g.members.size()},
                {"memberGroups", g.member_groups.size()},
                {"licenses", licenses},
                {"processing", processing},
                {"membersWithErrors", g.error_users}};
    AddRuleFields(g, &detail);
    if (g.stale_listed_only != 0 || g.stale_rule_only != 0) {
      detail["staleExport"] = {{"listedOnly", g.stale_listed_only},
                               {"ruleOnly", g.stale_rule_only}};
    }
    return detail;
  }

  /// The portal's "Validate rules": the rule checked, and for each user asked about whether it
  /// holds and which expression decided (ExplainRule).
  Result<std::string> ValidateRule(const json& q) {
    if (!q.contains("rule") || !q["rule"].is_string()) {
      return Error{"BadRequest", "validateRule: \"rule\" must be a string"};
    }
    std::vector<std::string> ids;
    if (q.contains("userIds")) {
      const json& list = q["userIds"];
      if (!list.is_array())
        return Error{"BadRequest", "validateRule: \"userIds\" must be an array"};
      for (size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_string()) {
          return Error{"BadRequest",
                       "validateRule: userIds[" + std::to_string(i) + "] must be a string"};
        }
        ids.push_back(list[i].get<std::string>());
      }
    }
    std::vector<Id> users;
    for (const auto& id : ids) {
      Id u = t_.user_index().Find(id);
      if (u == kNoId || t_.users()[u].deleted) return Error{"NotFound", "no user \"" + id + "\""};
      users.push_back(u);
    }
    const std::string text = q["rule"].get<std::string>();
    Result<MembershipRule> rule = ParseMembershipRule(text);
    if (!rule.Ok()) {
      return Dump(json{{"valid", false}, {"error", RuleErrorJson(rule.GetError().message)}});
    }
    json rows = json::array();
    for (Id u : users) {
      RuleExplanation why = ExplainRule(rule.Value(), TenantUserAttributes(t_, u));
      std::string decided =
          why.expressions.empty() ? std::string() : why.expressions[why.deciding].text;
      rows.push_back({{"id", t_.users()[u].id},
                      {"displayName", t_.users()[u].display_name},
                      {"matches", why.result},
                      {"decidedBy", decided}});
    }
    return Dump(json{{"valid", true}, {"users", rows}});
  }

  json GroupMembers(Id gi, const Paging& page) {
    const Group& g = t_.groups()[gi];
    json items = json::array();
    size_t total = 0;
    for (Id c : g.member_groups) {
      const Group& child = t_.groups()[c];
      if (!Matches(page.search, child.display_name)) continue;
      if (total++ < page.offset || items.size() >= page.limit) continue;
      items.push_back({{"id", child.id},
                       {"type", "group"},
                       {"displayName", child.display_name},
                       {"userPrincipalName", nullptr}});
    }
    for (Id u : g.members) {
      const User& user = t_.users()[u];
      if (!Matches(page.search, user.display_name, user.upn)) continue;
      if (total++ < page.offset || items.size() >= page.limit) continue;
      items.push_back({{"id", user.id},
                       {"type", "user"},
                       {"displayName", user.display_name},
                       {"userPrincipalName", user.upn}});
    }
    return Page(total, std::move(items));
  }

  Result<json> GroupErrors(Id gi, const Paging& page, const ListFilter& filter) {
    const Group& g = t_.groups()[gi];
    // Members in error, plus former members whose removal is blocked (DependencyViolation).
    std::vector<Id> candidates = g.members;
    if (g.error_users > 0) {
      for (Id ui = 0;
           ui < t_.users().size() && candidates.size() < g.members.size() + g.error_users; ++ui) {
        if (std::binary_search(g.members.begin(), g.members.end(), ui)) continue;
        for (const auto& s : t_.users()[ui].states) {
          if (s.source == gi && s.error != ErrorKind::kNone) {
            candidates.push_back(ui);
            break;
          }
        }
      }
    }
    std::vector<Id> rows;
    for (Id ui : candidates) {
      const User& u = t_.users()[ui];
      bool failed = false;
      for (const auto& st : u.states)
        failed = failed || (st.source == gi && st.error != ErrorKind::kNone);
      if (!failed || !Matches(page.search, u.display_name, u.upn)) continue;
      if (Passes(u, filter, gi)) rows.push_back(ui);
    }
    return ListPage(std::move(rows), page, kUserColumns, [&](Id ui, json* items) {
      const User& u = t_.users()[ui];
      json failed = json::array();
      size_t counts[kErrorKindCount] = {};
      for (const auto& s : u.states) {
        if (s.source != gi || s.error == ErrorKind::kNone) continue;
        failed.push_back({{"skuId", t_.skus()[s.sku].id},
                          {"displayName", t_.skus()[s.sku].display_name},
                          {"error", ErrorName(s.error)},
                          {"errorText", ErrorText(s.error)},
                          {"evidence", Evidence(ui, s)}});
        ++counts[static_cast<size_t>(s.error)];
      }
      // The most frequent kind; ties go to the kind listed first in error_kinds.def. Other (a
      // product not assigned because another of the group failed) is the top reason only alone.
      const size_t other = static_cast<size_t>(ErrorKind::kOther);
      size_t top = 1;
      for (size_t e = 1; e < kErrorKindCount; ++e) {
        if (e != other && counts[e] > counts[top]) top = e;
      }
      if (counts[top] == 0) top = other;
      ErrorKind top_kind = static_cast<ErrorKind>(top);
      items->push_back({{"id", u.id},
                        {"displayName", u.display_name},
                        {"userPrincipalName", u.upn},
                        {"failedProducts", failed},
                        {"topReason", ErrorName(top_kind)},
                        {"topReasonText", ErrorText(top_kind)}});
    });
  }

  json Processing() {
    json queue = json::array();
    for (Id g : t_.queue()) {
      queue.push_back(
          {{"groupId", t_.groups()[g].id}, {"displayName", t_.groups()[g].display_name}});
    }
    json current = nullptr;
    if (t_.run().group != kNoId) {
      current = {{"groupId", t_.groups()[t_.run().group].id},
                 {"displayName", t_.groups()[t_.run().group].display_name},
                 {"processed", t_.run().next},
                 {"total", t_.run().members.size()}};
    }
    return json{{"pending", t_.run().group != kNoId || !t_.queue().empty()},
                {"current", current},
                {"queue", queue}};
  }

  Result<std::string> Audit(const json& q, const Paging& page) {
    std::string target, activity, exclude, result;
    int64_t from = INT64_MIN, to = INT64_MAX;
    for (const char* key : {"targetId", "activity", "excludeActivity", "from", "to", "result"}) {
      if (!q.contains(key) || q[key].is_null()) continue;
      if (!q[key].is_string()) return Error{"BadRequest", std::string(key) + ": expected a string"};
      std::string v = q[key].get<std::string>();
      std::string k = key;
      if (k == "targetId") target = v;
      if (k == "activity") activity = v;
      if (k == "excludeActivity") exclude = v;
      if (k == "result") {
        if (v != "success" && v != "failure" && !v.empty()) {
          return Error{"BadRequest", "result: expected \"success\" or \"failure\""};
        }
        result = v;
      }
      if ((k == "from" || k == "to") && !v.empty() &&
          !gbl::Tenant::ParseTime(v, k == "from" ? &from : &to)) {
        return Error{"BadRequest", k + ": not an ISO 8601 time: \"" + v + "\""};
      }
    }
    Id target_user = kNoId, target_group = kNoId;
    if (!target.empty()) {
      target_user = t_.user_index().Find(target);
      target_group = t_.group_index().Find(target);
      if (target_user == kNoId && target_group == kNoId) {
        return Error{"NotFound", "targetId: no user or group \"" + target + "\""};
      }
    }
    std::string out = "{\"items\":[";
    size_t total = 0, written = 0;
    for (size_t i = t_.audit().size(); i-- > 0;) {
      const AuditEvent& e = t_.audit()[i];
      if (e.time_ms < from || e.time_ms > to) continue;
      if (target_user != kNoId && e.user != target_user) continue;
      if (target_group != kNoId && e.group != target_group) continue;
      if (!activity.empty() && AuditActivityName(t_, e) != activity) continue;
      if (!exclude.empty() && AuditActivityName(t_, e) == exclude) continue;
      if (!result.empty()) {
        bool failed = e.activity == Activity::kChangeUserLicense && e.failed != 0;
        if (e.activity == Activity::kImported) {
          failed = t_.audit_text()[e.text].find("\"result\":\"failure\"") != std::string::npos;
        }
        if ((result == "failure") != failed) continue;
      }
      if (total++ < page.offset || written >= page.limit) continue;
      if (written++) out += ",";
      out += AuditEventJson(t_, i);
    }
    out += "],\"total\":" + std::to_string(total) + "}";
    return out;
  }

  const gbl::Tenant& t_;
};

}  // namespace

std::string PlanEffectJson(const Tenant& t, const std::vector<std::string>& responses,
                           size_t user_limit, size_t user_offset) {
  const Journal* j = t.OpenJournal();
  if (j == nullptr) return "{}";
  QueryRunner runner(t);
  json requests = json::array();
  for (const auto& text : responses) {
    json parsed = json::parse(text, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("responses") || !parsed["responses"].is_array()) {
      continue;
    }
    for (const auto& r : parsed["responses"]) {
      if (!r.is_object()) continue;
      json id = r.contains("id") ? r["id"] : json();
      json status = r.contains("status") ? r["status"] : json();
      json row = {{"id", id}, {"status", status}};
      if (r.contains("body") && r["body"].is_object() && r["body"].contains("error") &&
          r["body"]["error"].is_object() && r["body"]["error"].contains("message")) {
        row["message"] = r["body"]["error"]["message"];
      }
      // Our extensions (x-gbl-extension) are not Graph's: a plan taken to the tenant leaves them
      // out.
      if (r.contains("headers") && r["headers"].is_object() &&
          r["headers"].contains("x-gbl-extension")) {
        row["extension"] = true;
      }
      requests.push_back(std::move(row));
    }
  }
  json effect = runner.PlanEffect(*j, user_limit, user_offset);
  effect["requests"] = std::move(requests);
  return Dump(effect);
}

Result<std::string> RunQuery(const Tenant& t, std::string_view query_json) {
  Result<json> parsed = ParseJsonText(query_json, "the query");
  if (!parsed.Ok()) return parsed.GetError();
  const json& q = parsed.Value();
  if (!q.is_object() || !q.contains("query") || !q["query"].is_string()) {
    return Error{"BadRequest", "a query must be {\"query\": NAME, ...}"};
  }
  QueryRunner runner(t);
  return runner.Run(q);
}

}  // namespace gbl
