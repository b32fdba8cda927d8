// Graph JSON batches: each request validated first, applied only when valid, answered like Graph.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "dynamic.h"
#include "json_dom.h"
#include "json_reader.h"
#include "licensing.h"
#include "rules.h"

namespace gbl {

using nlohmann::json;

namespace {

struct Response {
  int status = 200;
  json body;
  bool extension = false;  ///< served by a request Graph v1.0 does not have (our extension)
};

/// Graph's limit of requests in one JSON batch.
constexpr size_t kMaxBatchRequests = 20;
/// The response header that marks our extensions, so nobody replays them against a real tenant.
constexpr const char* kExtensionHeader = "x-gbl-extension";

Response Fail(int status, const std::string& code, const std::string& message) {
  Response r;
  r.status = status;
  r.body = json{{"error", {{"code", code}, {"message", PrintableText(message)}}}};
  return r;
}
Response BadRequest(const std::string& message) { return Fail(400, "Request_BadRequest", message); }
Response NotFound(const std::string& what, const std::string& id) {
  return Fail(404, "Request_ResourceNotFound",
              "Resource '" + id +
                  "' does not exist or one of its queried reference-property "
                  "objects are not present. (" +
                  what + ")");
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json LicensesJson(const Tenant& t, const std::vector<std::pair<Id, std::vector<Id>>>& lic) {
  json arr = json::array();
  for (const auto& [sku, disabled] : lic) {
    json d = json::array();
    for (Id p : disabled) d.push_back(t.plans()[p].id);
    arr.push_back({{"disabledPlans", d}, {"skuId", t.skus()[sku].id}});
  }
  return arr;
}

json UserObject(const Tenant& t, Id u) {
  const User& user = t.users()[u];
  return json{{"id", user.id},
              {"displayName", user.display_name},
              {"userPrincipalName", user.upn},
              {"usageLocation", user.usage_location.empty() ? json() : json(user.usage_location)},
              {"accountEnabled", user.account_enabled},
              {"assignedLicenses", LicensesJson(t, EffectiveLicenses(t, user))}};
}

json GroupObject(const Tenant& t, Id g) {
  const Group& grp = t.groups()[g];
  std::vector<std::pair<Id, std::vector<Id>>> lic;
  for (Id a : grp.licenses) lic.emplace_back(t.assignments()[a].sku, t.assignments()[a].disabled);
  return json{{"id", grp.id},
              {"displayName", grp.display_name},
              {"securityEnabled", grp.security_enabled},
              {"mailEnabled", grp.mail_enabled},
              {"groupTypes", grp.group_types},
              {"assignedLicenses", LicensesJson(t, lic)},
              {"licenseProcessingState", {{"state", ProcessingStateName(grp.processing)}}}};
}

std::string TemplateText(const Tenant& t, const std::vector<Id>& licenses) {
  json arr = json::array();
  for (Id a : licenses) {
    json d = json::array();
    for (Id p : t.assignments()[a].disabled) d.push_back(t.plans()[p].id);
    arr.push_back({{"SkuId", t.skus()[t.assignments()[a].sku].id}, {"DisabledPlans", d}});
  }
  return Dump(arr);
}

class BatchRunner {
 public:
  explicit BatchRunner(Tenant* t) : t_(*t) {}

  /// What a route's placeholders resolved to.
  struct RouteArgs {
    Id group = kNoId;  ///< {group}
    Id user = kNoId;   ///< {user}
    std::string id;    ///< {id}: a member's object id
    std::string sku;   ///< {sku}: a skuId, resolved by the handler
  };
  using Handler = Response (*)(BatchRunner&, const RouteArgs&, const json&);
  /// One Graph request the engine serves.
  struct Route {
    const char* method;
    const char* pattern;  ///< segments after the version; {group}, {user}: must exist (else 404)
    bool graph_v1;        ///< false: an extension of ours that Graph v1.0 does not have
    Handler handler;
  };

  /// Every request the engine serves, in one table.
  static const std::vector<Route>& Routes() {
    static const std::vector<Route> kRoutes = {
        {"POST", "groups", true,
         [](BatchRunner& r, const RouteArgs&, const json& b) { return r.CreateGroup(b); }},
        {"PATCH", "groups/{group}", true,
         [](BatchRunner& r, const RouteArgs& a, const json& b) {
           return r.PatchGroup(a.group, b);
         }},
        {"DELETE", "groups/{group}", true,
         [](BatchRunner& r, const RouteArgs& a, const json&) { return r.DeleteGroup(a.group); }},
        {"POST", "groups/{group}/assignLicense", true,
         [](BatchRunner& r, const RouteArgs& a, const json& b) {
           return r.AssignGroupLicense(a.group, b);
         }},
        {"POST", "groups/{group}/reprocessLicenseAssignment", false,
         [](BatchRunner& r, const RouteArgs& a, const json&) {
           QueueGroup(&r.t_, a.group);
           return Response{202, GroupObject(r.t_, a.group)};
         }},
        {"POST", "groups/{group}/members/$ref", true,
         [](BatchRunner& r, const RouteArgs& a, const json& b) { return r.AddMember(a.group, b); }},
        {"DELETE", "groups/{group}/members/{id}/$ref", true,
         [](BatchRunner& r, const RouteArgs& a, const json&) {
           return r.RemoveMember(a.group, a.id);
         }},
        {"POST", "users", true,
         [](BatchRunner& r, const RouteArgs&, const json& b) { return r.CreateUser(b); }},
        {"DELETE", "users/{user}", true,
         [](BatchRunner& r, const RouteArgs& a, const json&) { return r.DeleteUser(a.user); }},
        {"POST", "directory/deletedItems/{id}/restore", true,
         [](BatchRunner& r, const RouteArgs& a, const json&) { return r.RestoreUser(a.id); }},
        {"DELETE", "directory/deletedItems/{id}", true,
         [](BatchRunner& r, const RouteArgs& a, const json&) { return r.PurgeUser(a.id); }},
        {"PATCH", "users/{user}", true,
         [](BatchRunner& r, const RouteArgs& a, const json& b) { return r.PatchUser(a.user, b); }},
        {"POST", "users/{user}/assignLicense", true,
         [](BatchRunner& r, const RouteArgs& a, const json& b) {
           return r.AssignUserLicense(a.user, b);
         }},
        {"POST", "users/{user}/reprocessLicenseAssignment", true,
         [](BatchRunner& r, const RouteArgs& a, const json&) {
           if (EvaluateUser(&r.t_, a.user, kNoId, Evaluation::kReprocess)) {
             r.t_.Audit(Activity::kChangeUserLicense, true, a.user, kNoId);
           }
           return Response{200, UserObject(r.t_, a.user)};
         }},
        {"PATCH", "licensingRules", false,
         [](BatchRunner& r, const RouteArgs&, const json& b) { return r.PatchRules(b); }},
        {"PATCH", "subscribedSkus/{sku}", false,
         [](BatchRunner& r, const RouteArgs& a, const json& b) { return r.PatchSku(a.sku, b); }},
    };
    return kRoutes;
  }

  Response Handle(const std::string& method, const std::string& url, const json& body) {
    std::vector<std::string> seg = Segments(url);
    if (seg.empty()) return BadRequest("Invalid request URL '" + url + "'.");
    // An object named in the URL must exist, whatever is asked of it.
    RouteArgs args;
    if (seg.size() >= 2 && seg[0] == "groups") {
      args.group = FindGroup(seg[1]);
      if (args.group == kNoId) return NotFound("group", seg[1]);
    } else if (seg.size() >= 2 && seg[0] == "users") {
      args.user = FindUser(seg[1]);
      if (args.user == kNoId) return NotFound("user", seg[1]);
    }
    for (const Route& route : Routes()) {
      if (method != route.method || !Matches(route.pattern, seg, &args)) continue;
      Response r = route.handler(*this, args, body);
      r.extension = r.extension || !route.graph_v1;
      return r;
    }
    return BadRequest("Unsupported request: " + method + " " + url);
  }

 private:
  /// True when `seg` has the pattern's shape; fills the pass-through placeholders.
  static bool Matches(std::string_view pattern, const std::vector<std::string>& seg,
                      RouteArgs* args) {
    size_t i = 0, pos = 0;
    while (pos <= pattern.size()) {
      size_t next = pattern.find('/', pos);
      if (next == std::string_view::npos) next = pattern.size();
      std::string_view part = pattern.substr(pos, next - pos);
      if (i >= seg.size()) return false;
      if (part == "{id}") {
        args->id = seg[i];
      } else if (part == "{sku}") {
        args->sku = seg[i];
      } else if (part != "{group}" && part != "{user}" && part != seg[i]) {
        return false;
      }
      ++i;
      pos = next + 1;
    }
    return i == seg.size();
  }

  static std::vector<std::string> Segments(std::string url) {
    for (const char* prefix : {"https://graph.microsoft.com", "http://graph.microsoft.com"}) {
      if (url.rfind(prefix, 0) == 0) url = url.substr(std::string(prefix).size());
    }
    size_t q = url.find('?');
    if (q != std::string::npos) url.resize(q);
    std::vector<std::string> seg;
    size_t pos = 0;
    while (pos <= url.size()) {
      size_t next = url.find('/', pos);
      if (next == std::string::npos) next = url.size();
      if (next > pos) seg.push_back(url.substr(pos, next - pos));
      pos = next + 1;
    }
    if (!seg.empty() && (seg[0] == "v1.0" || seg[0] == "beta")) seg.erase(seg.begin());
    return seg;
  }

  /// A user in the directory (not deleted) by id or userPrincipalName.
  Id FindUser(const std::string& key) const {
    Id found = t_.user_index().Find(key);
    if (found != kNoId) return t_.users()[found].deleted ? kNoId : found;
    return t_.FindUpn(key, false);
  }
  /// A user in directory/deletedItems by id, still restorable (kNoId otherwise).
  Id FindDeletedUser(const std::string& key) const {
    Id found = t_.user_index().Find(key);
    if (found == kNoId || !t_.users()[found].deleted) return kNoId;
    return t_.deleted_users().count(found) != 0 ? found : kNoId;
  }

  // DELETE /users/{id} (Graph user-delete): the user goes to directory/deletedItems; its licenses
  // free their seats at once and its memberships go (no dependency can keep a license of a user
  // who is gone); what a restore brings back is kept aside.
  Response DeleteUser(Id u) {
    User& user = t_.MutableUser(u);
    DeletedUser saved;
    saved.deleted_ms = t_.now_ms;
    saved.groups = user.groups;
    for (const auto& st : user.states) {
      if (st.source == kDirect) saved.direct.emplace_back(st.sku, st.assignment);
      if (st.evidence == kEvidenceOverflow) t_.EraseEvidence(StateKey{u, st.source, st.sku});
    }
    for (const auto& [sku, disabled] : EffectiveLicenses(t_, user)) --t_.MutableSku(sku).consumed;
    std::vector<Id> in_error;
    ErrorGroups(user, &in_error);
    for (Id g : in_error) --t_.MutableGroup(g).error_users;
    for (Id g : user.groups) {
      auto& members = t_.MutableGroup(g).members;
      auto it = std::lower_bound(members.begin(), members.end(), u);
      if (it != members.end() && *it == u) members.erase(it);
    }
    t_.IndexProxies(user, -1);
    user.groups.clear();
    user.states.clear();
    user.deleted = true;
    t_.SetDeletedUser(u, std::move(saved));
    t_.Audit(Activity::kDeleteUser, false, u, kNoId);
    return Response{204, json()};
  }

  // POST /directory/deletedItems/{id}/restore (Graph directory-deleteditems-restore): within 30
  // days the user comes back with its memberships, its direct licenses (a seat each, or the
  // restore is refused naming the product: our choice) and, through the groups, its inherited ones.
  Response RestoreUser(const std::string& id) {
    Id u = FindDeletedUser(id);
    if (u == kNoId) return NotFound("deleted user", id);
    const DeletedUser d = t_.deleted_users().at(u);
    if (t_.now_ms - d.deleted_ms > kRestoreWindowMs) {
      return Fail(404, "Request_ResourceNotFound",
                  "Resource '" + id + "' was deleted on " + Tenant::FormatTime(d.deleted_ms) +
                      ", more than 30 days ago: it is deleted permanently and cannot be restored.");
    }
    for (const auto& [sku, a] : d.direct) {
      const Sku& product = t_.skus()[sku];
      if (product.consumed >= product.Assignable()) {
        return BadRequest("License assignment failed: not enough licenses of " +
                          product.part_number + " (" + product.id +
                          ") to restore the user's direct license; " +
                          std::to_string(SeatsShort(product)) + " more needed.");
      }
    }
    User& user = t_.MutableUser(u);
    user.deleted = false;
    t_.IndexProxies(user, 1);
    for (Id g : d.groups) {
      if (t_.groups()[g].deleted) continue;
      auto& members = t_.MutableGroup(g).members;
      members.insert(std::lower_bound(members.begin(), members.end(), u), u);
      user.groups.push_back(g);
    }
    for (const auto& [sku, a] : d.direct) {
      AssignmentState st;
      st.sku = sku;
      st.source = kDirect;
      st.assignment = a;
      st.state = StateKind::kActive;
      st.updated_ms = t_.now_ms;
      InsertState(&user, st);
      ++t_.MutableSku(sku).consumed;
    }
    t_.SetDeletedUser(u, std::nullopt);
    t_.Audit(Activity::kRestoreUser, false, u, kNoId);
    if (EvaluateUser(&t_, u, kNoId)) t_.Audit(Activity::kChangeUserLicense, true, u, kNoId);
    // Dynamic groups follow their rules, not the memberships the user had.
    ReevaluateUserMemberships(&t_, u);
    return Response{200, UserObject(t_, u)};
  }

  // DELETE /directory/deletedItems/{id}: deleted permanently, no restore.
  Response PurgeUser(const std::string& id) {
    Id u = FindDeletedUser(id);
    if (u == kNoId) return NotFound("deleted user", id);
    t_.SetDeletedUser(u, std::nullopt);
    return Response{204, json()};
  }
  Id FindGroup(const std::string& key) const { return t_.group_index().Find(key); }
  Id FindSku(const std::string& key) const {
    std::string k = Lower(key);
    size_t us = k.find('_');  // subscribedSku.id is "<tenantId>_<skuId>"
    auto it = t_.sku_index().find(k);
    if (it == t_.sku_index().end() && us != std::string::npos)
      it = t_.sku_index().find(k.substr(us + 1));
    return it == t_.sku_index().end() ? kNoId : it->second;
  }

  // Reads addLicenses / removeLicenses; on failure returns false with *error set.
  bool ReadLicenseChange(const json& body, std::vector<std::pair<Id, std::vector<Id>>>* add,
                         std::vector<Id>* remove, Response* error) {
    if (!body.is_object()) {
      *error =
          BadRequest("The request body must be an object with addLicenses and removeLicenses.");
      return false;
    }
    auto add_it = body.find("addLicenses");
    auto rem_it = body.find("removeLicenses");
    // Graph requires both (an empty array for none).
    if (add_it == body.end() || rem_it == body.end()) {
      *error = BadRequest(std::string(add_it == body.end() && rem_it == body.end()
                                          ? "addLicenses and removeLicenses are both missing"
                                      : add_it == body.end() ? "addLicenses is missing"
                                                             : "removeLicenses is missing") +
                          ": Graph requires both (use [] for none).");
      return false;
    }
    if (add_it != body.end() && !add_it->is_null()) {
      if (!add_it->is_array()) {
        *error = BadRequest("addLicenses: expected an array.");
        return false;
      }
      for (size_t i = 0; i < add_it->size(); ++i) {
        const json& l = (*add_it)[i];
        std::string path = "addLicenses[" + std::to_string(i) + "]";
        if (!l.is_object() || !l.contains("skuId") || !l["skuId"].is_string()) {
          *error = BadRequest(path + ".skuId: expected a string.");
          return false;
        }
        Id sku = FindSku(l["skuId"].get<std::string>());
        if (sku == kNoId) {
          *error = BadRequest(path + ".skuId: unknown skuId \"" + l["skuId"].get<std::string>() +
                              "\": the tenant has no subscription for it.");
          return false;
        }
        if (t_.skus()[sku].applies_to != "User") {
          *error = BadRequest(path + ".skuId: " + t_.skus()[sku].part_number +
                              " applies to the company, not to users.");
          return false;
        }
        std::vector<Id> disabled;
        if (l.contains("disabledPlans") && !l["disabledPlans"].is_null()) {
          if (!l["disabledPlans"].is_array()) {
            *error = BadRequest(path + ".disabledPlans: expected an array.");
            return false;
          }
          for (size_t j = 0; j < l["disabledPlans"].size(); ++j) {
            const json& p = l["disabledPlans"][j];
            Id plan = p.is_string() ? t_.FindPlan(p.get<std::string>()) : kNoId;
            const auto& plans = t_.skus()[sku].plans;
            if (plan == kNoId || std::find(plans.begin(), plans.end(), plan) == plans.end()) {
              *error =
                  BadRequest(path + ".disabledPlans[" + std::to_string(j) + "]: service plan " +
                             (p.is_string() ? "\"" + p.get<std::string>() + "\"" : Dump(p)) +
                             " is not part of " + t_.skus()[sku].part_number + ".");
              return false;
            }
            disabled.push_back(plan);
          }
        }
        std::sort(disabled.begin(), disabled.end());
        disabled.erase(std::unique(disabled.begin(), disabled.end()), disabled.end());
        for (auto& a : *add) {
          if (a.first == sku) {
            *error = BadRequest(path + ".skuId: the same skuId is added twice.");
            return false;
          }
        }
        add->emplace_back(sku, std::move(disabled));
      }
    }
    if (rem_it != body.end() && !rem_it->is_null()) {
      if (!rem_it->is_array()) {
        *error = BadRequest("removeLicenses: expected an array of skuIds.");
        return false;
      }
      for (size_t i = 0; i < rem_it->size(); ++i) {
        const json& r = (*rem_it)[i];
        Id sku = r.is_string() ? FindSku(r.get<std::string>()) : kNoId;
        if (sku == kNoId) {
          *error = BadRequest("removeLicenses[" + std::to_string(i) + "]: unknown skuId " +
                              Dump(r) + ".");
          return false;
        }
        for (auto& a : *add) {
          if (a.first == sku) {
            *error = BadRequest("removeLicenses[" + std::to_string(i) +
                                "]: the same skuId is in addLicenses and removeLicenses.");
            return false;
          }
        }
        remove->push_back(sku);
      }
    }
    return true;
  }

  // The 400 message of a direct assignment the rules refuse, naming the evidence.
  std::string DirectAssignmentError(const User& user, const Violation& v) const {
    switch (v.kind) {
      case ErrorKind::kProhibitedInUsageLocationViolation:
        return "License assignment failed: " + t_.plans()[v.plan].name +
               " is not available in usage location " + t_.LocationOf(user) +
               " (ProhibitedInUsageLocationViolation).";
      case ErrorKind::kMutuallyExclusiveViolation:
        return "License assignment failed because service plans " + t_.plans()[v.plan].id + " (" +
               t_.plans()[v.plan].name + ") and " + t_.plans()[v.other_plan].id + " (" +
               t_.plans()[v.other_plan].name +
               ") are mutually exclusive (MutuallyExclusiveViolation).";
      case ErrorKind::kCountViolation: {
        const Sku& s = t_.skus()[v.sku];
        return "License assignment failed: not enough licenses for " + s.part_number + " (" +
               std::to_string(s.consumed) + " of " + std::to_string(s.Assignable()) +
               " assigned; CountViolation).";
      }
      case ErrorKind::kUniquenessViolation:
        return "License assignment failed: the proxy address " +
               (v.address < user.proxy_addresses.size() ? user.proxy_addresses[v.address] + " "
                                                        : std::string()) +
               "of this user is already being used (UniquenessViolation).";
      case ErrorKind::kDependencyViolation:
        return "License operation failed (DependencyViolation). " + DescribeViolation(t_, &user, v);
      default:
        return std::string("License assignment failed (") + ErrorName(v.kind) + ").";
    }
  }

  // A plan that requires another must find it enabled among `enabled`; returns "" when fine.
  std::string MissingPrerequisite(const std::vector<Id>& enabled) const {
    std::optional<Violation> v = CheckPrerequisites(t_, enabled);
    return v ? DescribeViolation(t_, nullptr, *v) : std::string();
  }

  Response AssignGroupLicense(Id g, const json& body) {
    Group& grp = t_.MutableGroup(g);
    std::vector<std::pair<Id, std::vector<Id>>> add;
    std::vector<Id> remove;
    Response error;
    if (!ReadLicenseChange(body, &add, &remove, &error)) return error;
    if (!grp.security_enabled) {
      return BadRequest("License assignment failed: group '" + grp.display_name +
                        "' is not security-enabled; only security groups (and Microsoft 365 groups "
                        "with securityEnabled = true) can carry licenses.");
    }
    std::vector<Id> next = grp.licenses;
    for (Id sku : remove) {
      auto it = std::find_if(next.begin(), next.end(),
                             [&](Id a) { return t_.assignments()[a].sku == sku; });
      if (it == next.end()) {
        return BadRequest("removeLicenses: " + t_.skus()[sku].part_number +
                          " is not assigned to group '" + grp.display_name + "'.");
      }
      next.erase(it);
    }
    for (auto& entry : add) {
      const Id sku = entry.first;
      Id a = t_.InternAssignment(sku, entry.second);
      auto it = std::find_if(next.begin(), next.end(),
                             [&](Id x) { return t_.assignments()[x].sku == sku; });
      if (it != next.end())
        *it = a;
      else
        next.push_back(a);
    }
    std::sort(next.begin(), next.end(),
              [&](Id a, Id b) { return t_.assignments()[a].sku < t_.assignments()[b].sku; });
    std::vector<Id> enabled;
    for (Id a : next) {
      const auto& en = t_.assignments()[a].enabled;
      enabled.insert(enabled.end(), en.begin(), en.end());
    }
    std::sort(enabled.begin(), enabled.end());
    std::string missing = MissingPrerequisite(enabled);
    if (!missing.empty()) {
      return BadRequest(
          "License operation failed. Make sure that the group has necessary services "
          "before adding or removing a dependent service. " +
          missing);
    }
    std::string old_text = TemplateText(t_, grp.licenses);
    grp.licenses = next;
    std::string new_text = TemplateText(t_, grp.licenses);
    uint32_t text = t_.AuditText(std::move(old_text));
    t_.AuditText(std::move(new_text));  // read back as text + 1
    t_.Audit(Activity::kSetGroupLicense, false, kNoId, g, text);
    QueueGroup(&t_, g);
    return Response{202, GroupObject(t_, g)};
  }

  Response AssignUserLicense(Id u, const json& body) {
    std::vector<std::pair<Id, std::vector<Id>>> add;
    std::vector<Id> remove;
    Response error;
    if (!ReadLicenseChange(body, &add, &remove, &error)) return error;
    User& user = t_.MutableUser(u);
    if (!add.empty() && user.usage_location.empty()) {
      return BadRequest("License assignment cannot be done for user with invalid usage location.");
    }
    User next = user;
    for (Id sku : remove) {
      auto it = std::find_if(next.states.begin(), next.states.end(), [&](const AssignmentState& s) {
        return s.source == kDirect && s.sku == sku;
      });
      if (it == next.states.end()) {
        return BadRequest("User does not have a corresponding direct license for " +
                          t_.skus()[sku].part_number +
                          " (an inherited license is changed on its group).");
      }
      next.states.erase(it);
    }
    for (auto& entry : add) {
      const Id sku = entry.first;
      Id a = t_.InternAssignment(sku, entry.second);
      auto it = std::find_if(next.states.begin(), next.states.end(), [&](const AssignmentState& s) {
        return s.source == kDirect && s.sku == sku;
      });
      if (it != next.states.end()) {
        if (it->assignment != a) it->updated_ms = t_.now_ms;
        it->assignment = a;
      } else {
        AssignmentState st;
        st.sku = sku;
        st.source = kDirect;
        st.assignment = a;
        st.updated_ms = t_.now_ms;
        next.states.push_back(st);  // direct states sort last (kDirect is the largest id)
      }
    }
    std::sort(next.states.begin(), next.states.end(),
              [](const AssignmentState& a, const AssignmentState& b) {
                return a.source != b.source ? a.source < b.source : a.sku < b.sku;
              });
    // The rules (rules.cpp), on the direct assignments that change, against every other source.
    std::vector<Id> candidates, replaced;
    for (auto& [sku, disabled] : add) {
      candidates.push_back(t_.InternAssignment(sku, disabled));
      replaced.push_back(sku);
    }
    replaced.insert(replaced.end(), remove.begin(), remove.end());
    if (std::optional<Violation> v = CheckAssignment(t_, user, kDirect, candidates, &replaced)) {
      return BadRequest(DirectAssignmentError(user, *v));
    }
    // Commit: seats follow what the user holds before and after.
    std::vector<Id> touched;
    for (auto& a : add) touched.push_back(a.first);
    for (Id s : remove) touched.push_back(s);
    std::vector<bool> held_before;
    for (Id sku : touched) held_before.push_back(HoldsSku(user, sku, kNoId));
    auto before = EffectiveLicenses(t_, user);
    user.states = std::move(next.states);
    for (size_t i = 0; i < touched.size(); ++i) {
      bool now = HoldsSku(user, touched[i], kNoId);
      if (now && !held_before[i]) ++t_.MutableSku(touched[i]).consumed;
      if (!now && held_before[i]) --t_.MutableSku(touched[i]).consumed;
    }
    bool changed = before != EffectiveLicenses(t_, user);
    if (changed) t_.Audit(Activity::kChangeUserLicense, false, u, kNoId);
    // Any change to a user re-evaluates its group assignments.
    if (EvaluateUser(&t_, u, kNoId)) t_.Audit(Activity::kChangeUserLicense, true, u, kNoId);
    return Response{200, UserObject(t_, u)};
  }

  static std::string RefId(const json& body) {
    std::string ref;
    if (body.is_object() && body.contains("@odata.id") && body["@odata.id"].is_string()) {
      ref = body["@odata.id"].get<std::string>();
    } else if (body.is_object() && body.contains("id") && body["id"].is_string()) {
      ref = body["id"].get<std::string>();
    }
    size_t slash = ref.find_last_of('/');
    return slash == std::string::npos ? ref : ref.substr(slash + 1);
  }

  static bool Dynamic(const Group& g) {
    return std::find(g.group_types.begin(), g.group_types.end(), "DynamicMembership") !=
           g.group_types.end();
  }

  Response AddMember(Id g, const json& body) {
    std::string id = RefId(body);
    if (id.empty()) {
      return BadRequest(
          "The request body must be {\"@odata.id\": \"https://graph.microsoft.com/"
          "v1.0/directoryObjects/{id}\"}.");
    }
    Group& grp = t_.MutableGroup(g);
    if (Dynamic(grp)) {
      return BadRequest("Members of dynamic group '" + grp.display_name +
                        "' follow its membership rule and cannot be added by hand.");
    }
    if (Id u = t_.user_index().Find(id); u != kNoId) {
      auto it = std::lower_bound(grp.members.begin(), grp.members.end(), u);
      if (it != grp.members.end() && *it == u) {
        return BadRequest(
            "One or more added object references already exist for the following "
            "modified properties: 'members'.");
      }
      grp.members.insert(it, u);
      User& user = t_.MutableUser(u);
      user.groups.insert(std::lower_bound(user.groups.begin(), user.groups.end(), g), g);
      t_.Audit(Activity::kAddMember, false, u, g);
      if (EvaluateUser(&t_, u, kNoId)) t_.Audit(Activity::kChangeUserLicense, true, u, g);
      return Response{204, json()};
    }
    Id child = FindGroup(id);
    if (child == kNoId) return NotFound("directory object", id);
    if (child == g) return BadRequest("A group cannot be a member of itself.");
    auto it = std::lower_bound(grp.member_groups.begin(), grp.member_groups.end(), child);
    if (it != grp.member_groups.end() && *it == child) {
      return BadRequest(
          "One or more added object references already exist for the following "
          "modified properties: 'members'.");
    }
    grp.member_groups.insert(it, child);
    t_.Audit(Activity::kAddMember, false, kNoId, g);
    return Response{204, json()};
  }

  Response RemoveMember(Id g, const std::string& id) {
    Group& grp = t_.MutableGroup(g);
    if (Dynamic(grp)) {
      return BadRequest("Members of dynamic group '" + grp.display_name +
                        "' follow its membership rule and cannot be removed by hand.");
    }
    if (Id u = t_.user_index().Find(id); u != kNoId) {
      auto it = std::lower_bound(grp.members.begin(), grp.members.end(), u);
      if (it == grp.members.end() || *it != u) return NotFound("member of the group", id);
      grp.members.erase(it);
      User& user = t_.MutableUser(u);
      user.groups.erase(std::lower_bound(user.groups.begin(), user.groups.end(), g));
      t_.Audit(Activity::kRemoveMember, false, u, g);
      if (EvaluateUser(&t_, u, kNoId)) t_.Audit(Activity::kChangeUserLicense, true, u, g);
      return Response{204, json()};
    }
    Id child = FindGroup(id);
    auto it = std::lower_bound(grp.member_groups.begin(), grp.member_groups.end(), child);
    if (child == kNoId || it == grp.member_groups.end() || *it != child) {
      return NotFound("member of the group", id);
    }
    grp.member_groups.erase(it);
    t_.Audit(Activity::kRemoveMember, false, kNoId, g);
    return Response{204, json()};
  }

  Response PatchUser(Id u, const json& body) {
    if (!body.is_object()) return BadRequest("The request body must be an object.");
    User next = t_.users()[u];
    std::vector<PatchField> fields = FromFields(t_.users()[u]);
    bool fields_changed = false;
    for (auto it = body.begin(); it != body.end(); ++it) {
      const std::string& k = it.key();
      const json& v = it.value();
      if (k == "usageLocation") {
        if (v.is_null()) {
          next.usage_location.clear();
        } else if (std::string code = v.is_string() ? v.get<std::string>() : "";
                   !code.empty() && NormalizeUsageLocation(&code)) {
          next.usage_location = code;
        } else {
          return BadRequest(
              "usageLocation: expected a two-letter ISO 3166 country code or null, got " + Dump(v) +
              ".");
        }
      } else if (k == "accountEnabled") {
        if (!v.is_boolean()) return BadRequest("accountEnabled: expected true or false.");
        next.account_enabled = v.get<bool>();
      } else if (k == "proxyAddresses") {
        if (!v.is_array()) return BadRequest("proxyAddresses: expected an array of strings.");
        next.proxy_addresses.clear();
        for (size_t i = 0; i < v.size(); ++i) {
          if (!v[i].is_string()) {
            return BadRequest("proxyAddresses[" + std::to_string(i) + "]: expected a string.");
          }
          next.proxy_addresses.push_back(v[i].get<std::string>());
        }
      } else if (k == "displayName" || k == "mail") {
        if (!v.is_string()) return BadRequest(k + ": expected a string.");
        (k == "displayName" ? next.display_name : next.mail) = v.get<std::string>();
      } else if (std::string why = PatchRuleAttribute(k, v, &fields, &fields_changed);
                 !why.empty()) {
        return BadRequest(why == "unknown" ? "Property '" + k +
                                                 "' cannot be changed here (supported: "
                                                 "usageLocation, accountEnabled, proxyAddresses, "
                                                 "displayName, mail, and the attributes "
                                                 "membership rules read: " +
                                                 RuleAttributeNames() + ")."
                                           : why);
      }
    }
    User& user = t_.MutableUser(u);
    if (fields_changed) user.details = t_.StoreUserFields(ToFields(fields));
    t_.IndexProxies(user, -1);
    user.usage_location = next.usage_location;
    user.account_enabled = next.account_enabled;
    user.proxy_addresses = next.proxy_addresses;
    user.display_name = next.display_name;
    user.mail = next.mail;
    t_.IndexProxies(user, 1);
    t_.Audit(Activity::kUpdateUser, false, u, kNoId);
    // Only the usage location feeds the rules a change re-evaluates at once: the licenses "are
    // correctly assigned next time" (licensing-groups-resolve-problems.md). A fixed proxy address
    // waits for a forced processing of the group or the user (same page); accountEnabled,
    // displayName and mail are read by no rule.
    if (body.contains("usageLocation") && EvaluateUser(&t_, u, kNoId)) {
      t_.Audit(Activity::kChangeUserLicense, true, u, kNoId);
    }
    // Dynamic groups whose rules now hold (or no longer hold) for the user: joins and leaves,
    // and the licenses that follow them.
    ReevaluateUserMemberships(&t_, u);
    Response done{204, json()};
    // proxyAddresses is read-only in Graph v1.0: changing it is our extension.
    done.extension = body.contains("proxyAddresses");
    return done;
  }

  /// A user's rule attribute while a PATCH is checked: (property, name, value) as text.
  struct PatchField {
    uint8_t property;
    std::string name, value;
  };

  std::vector<PatchField> FromFields(const User& u) const {
    std::vector<PatchField> out;
    if (u.details == kNoId) return out;
    const UserFieldRange& r = t_.user_details()[u.details];
    for (uint32_t i = r.begin; i < r.begin + r.count; ++i) {
      const UserField& f = t_.user_fields()[i];
      out.push_back({f.property, t_.attribute_text()[f.name], t_.attribute_text()[f.value]});
    }
    return out;
  }

  std::vector<UserField> ToFields(const std::vector<PatchField>& fields) {
    std::vector<UserField> out;
    for (const auto& f : fields) {
      out.push_back({f.property, t_.InternAttribute(f.name), t_.InternAttribute(f.value)});
    }
    return out;
  }

  static std::string RuleAttributeNames() {
    std::string names;
    for (const auto& f : UserStringFields()) names += std::string(f.graph_name) + ", ";
    return names + "onPremisesExtensionAttributes, otherMails, extension_<appId>_<name>";
  }

  /// One member of a PATCH /users body that is a rule attribute: sets it in `fields` (null or ""
  /// clears it); "" when done, "unknown" when the member is none, else the error.
  static std::string PatchRuleAttribute(const std::string& k, const json& v,
                                        std::vector<PatchField>* fields, bool* changed) {
    auto set = [&](uint8_t property, const std::string& name, const json& value,
                   const std::string& at) -> std::string {
      if (!value.is_null() && !value.is_string()) return at + ": expected a string or null.";
      fields->erase(std::remove_if(fields->begin(), fields->end(),
                                   [&](const PatchField& f) {
                                     return f.property == property && NameIs(f.name, name);
                                   }),
                    fields->end());
      if (value.is_string() && !value.get<std::string>().empty()) {
        fields->push_back({property, name, value.get<std::string>()});
      }
      *changed = true;
      return "";
    };
    if (const UserStringField* f = FindUserStringField(k); f && k == f->graph_name) {
      return set(static_cast<uint8_t>(f->property), "", v, k);
    }
    if (IsDirectoryExtensionName(k)) {
      return set(static_cast<uint8_t>(UserProperty::kDirectoryExtension), k, v, k);
    }
    if (k == "onPremisesExtensionAttributes") {
      if (!v.is_object()) return k + ": expected an object.";
      for (const auto& [name, value] : v.items()) {
        bool known = false;
        for (int n = 0; n < 15 && !known; ++n) {
          const auto p =
              static_cast<UserProperty>(static_cast<int>(UserProperty::kExtensionAttribute1) + n);
          if (name != ExtensionAttributeName(p)) continue;
          known = true;
          std::string why = set(static_cast<uint8_t>(p), "", value, k + "." + name);
          if (!why.empty()) return why;
        }
        if (!known)
          return k + "." + name + ": not an extension attribute (extensionAttribute1-15).";
      }
      return "";
    }
    if (k == "otherMails") {
      if (!v.is_array()) return k + ": expected an array of strings.";
      const auto kind = static_cast<uint8_t>(UserProperty::kOtherMails);
      fields->erase(std::remove_if(fields->begin(), fields->end(),
                                   [&](const PatchField& f) { return f.property == kind; }),
                    fields->end());
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) return k + "[" + std::to_string(i) + "]: expected a string.";
        if (!v[i].get<std::string>().empty())
          fields->push_back({kind, "", v[i].get<std::string>()});
      }
      *changed = true;
      return "";
    }
    return "unknown";
  }

  Response CreateUser(const json& body) {
    if (!body.is_object()) return BadRequest("The request body must be an object.");
    User u;
    auto str = [&](const char* key, std::string* out, bool required) -> std::string {
      if (!body.contains(key) || body[key].is_null())
        return required ? std::string(key) + ": required." : "";
      if (!body[key].is_string()) return std::string(key) + ": expected a string.";
      *out = body[key].get<std::string>();
      return "";
    };
    for (auto msg : {str("id", &u.id, false), str("displayName", &u.display_name, true),
                     str("userPrincipalName", &u.upn, true), str("mail", &u.mail, false),
                     str("usageLocation", &u.usage_location, false)}) {
      if (!msg.empty()) return BadRequest(msg);
    }
    if (body.contains("accountEnabled")) {
      if (!body["accountEnabled"].is_boolean())
        return BadRequest("accountEnabled: expected true or false.");
      u.account_enabled = body["accountEnabled"].get<bool>();
    }
    if (body.contains("proxyAddresses")) {
      const json& v = body["proxyAddresses"];
      if (!v.is_array()) return BadRequest("proxyAddresses: expected an array of strings.");
      for (const auto& a : v) {
        if (!a.is_string()) return BadRequest("proxyAddresses: expected an array of strings.");
        u.proxy_addresses.push_back(a.get<std::string>());
      }
    }
    if (!NormalizeUsageLocation(&u.usage_location)) {
      return BadRequest("usageLocation: expected a two-letter ISO 3166 country code.");
    }
    // The attributes membership rules read (other members are ignored, as before).
    std::vector<PatchField> fields;
    bool any_field = false;
    for (auto it = body.begin(); it != body.end(); ++it) {
      std::string why = PatchRuleAttribute(it.key(), it.value(), &fields, &any_field);
      if (!why.empty() && why != "unknown") return BadRequest(why);
    }
    if (t_.FindUpn(u.upn, true) != kNoId) {
      return BadRequest(
          "Another object with the same value for property userPrincipalName already exists.");
    }
    if (u.id.empty()) u.id = t_.NewObjectId();
    if (t_.user_index().Contains(u.id) || t_.group_index().Contains(u.id)) {
      return BadRequest("Another object with the same id '" + u.id + "' already exists.");
    }
    if (!fields.empty()) u.details = t_.StoreUserFields(ToFields(fields));
    Id uid = t_.AddUser(std::move(u));
    t_.IndexProxies(t_.users()[uid], 1);
    t_.Audit(Activity::kAddUser, false, uid, kNoId);
    ReevaluateUserMemberships(&t_, uid);
    return Response{201, UserObject(t_, uid)};
  }

  Response CreateGroup(const json& body) {
    if (!body.is_object()) return BadRequest("The request body must be an object.");
    Group g;
    if (!body.contains("displayName") || !body["displayName"].is_string()) {
      return BadRequest("displayName: required string.");
    }
    g.display_name = body["displayName"].get<std::string>();
    if (body.contains("id")) {
      if (!body["id"].is_string()) return BadRequest("id: expected a string.");
      g.id = body["id"].get<std::string>();
    }
    for (const char* key : {"securityEnabled", "mailEnabled"}) {
      if (body.contains(key)) {
        if (!body[key].is_boolean())
          return BadRequest(std::string(key) + ": expected true or false.");
        (std::string(key) == "securityEnabled" ? g.security_enabled : g.mail_enabled) =
            body[key].get<bool>();
      }
    }
    if (body.contains("description") && body["description"].is_string()) {
      g.description = body["description"].get<std::string>();
    }
    if (body.contains("groupTypes")) {
      if (!body["groupTypes"].is_array())
        return BadRequest("groupTypes: expected an array of strings.");
      for (const auto& v : body["groupTypes"]) {
        if (!v.is_string()) return BadRequest("groupTypes: expected an array of strings.");
        g.group_types.push_back(v.get<std::string>());
      }
    }
    std::vector<Id> members;
    if (body.contains("members@odata.bind")) {
      const json& binds = body["members@odata.bind"];
      if (!binds.is_array()) return BadRequest("members@odata.bind: expected an array of URLs.");
      for (size_t i = 0; i < binds.size(); ++i) {
        std::string id = binds[i].is_string() ? RefId(json{{"@odata.id", binds[i]}}) : "";
        Id member = t_.user_index().Find(id);
        if (member == kNoId) {
          return BadRequest("members@odata.bind[" + std::to_string(i) + "]: unknown user '" + id +
                            "'.");
        }
        members.push_back(member);
      }
    }
    if (g.id.empty()) g.id = t_.NewObjectId();
    if (t_.user_index().Contains(g.id) || t_.group_index().Contains(g.id)) {
      return BadRequest("Another object with the same id '" + g.id + "' already exists.");
    }
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    g.members = members;
    Id gid = t_.AddGroup(std::move(g));
    for (Id u : members) {
      auto& gs = t_.MutableUser(u).groups;
      gs.insert(std::lower_bound(gs.begin(), gs.end(), gid), gid);
    }
    t_.Audit(Activity::kAddGroup, false, kNoId, gid);
    return Response{201, GroupObject(t_, gid)};
  }

  Response DeleteGroup(Id g) {
    Group& grp = t_.MutableGroup(g);
    if (!grp.licenses.empty()) {
      return BadRequest("Group '" + grp.display_name +
                        "' has licenses assigned and cannot be "
                        "deleted; remove its licenses first.");
    }
    std::vector<Id> members = grp.members;
    grp.deleted = true;
    t_.UnindexGroup(g);
    if (std::find(t_.queue().begin(), t_.queue().end(), g) != t_.queue().end()) {
      auto& queue = t_.MutableQueue();
      queue.erase(std::remove(queue.begin(), queue.end(), g), queue.end());
    }
    if (t_.run().group == g) t_.MutableRun() = GroupRun{};
    for (Id o = 0; o < t_.groups().size(); ++o) {
      const auto& nested = t_.groups()[o].member_groups;
      auto it = std::lower_bound(nested.begin(), nested.end(), g);
      if (it == nested.end() || *it != g) continue;
      auto& mine = t_.MutableGroup(o).member_groups;
      mine.erase(std::lower_bound(mine.begin(), mine.end(), g));
    }
    grp.members.clear();
    for (Id u : members) {
      auto& gs = t_.MutableUser(u).groups;
      gs.erase(std::lower_bound(gs.begin(), gs.end(), g));
      // States still held from it (its license removal not processed yet) go now.
      if (EvaluateUser(&t_, u, g)) t_.Audit(Activity::kChangeUserLicense, true, u, g);
    }
    grp.processing = ProcessingState::kComplete;
    t_.Audit(Activity::kDeleteGroup, false, kNoId, g);
    return Response{204, json()};
  }

  // PATCH /groups/{id} with members@odata.bind: adds up to 20 members in one request (Graph's
  // limit), all or none.
  Response PatchGroup(Id g, const json& body) {
    if (!body.is_object()) return BadRequest("The request body must be a JSON object.");
    for (const auto& [k, v] : body.items()) {
      (void)v;
      if (k != "members@odata.bind" && k != "membershipRule" &&
          k != "membershipRuleProcessingState") {
        return BadRequest("Property '" + k +
                          "' cannot be changed here (supported: members@odata.bind, "
                          "membershipRule, membershipRuleProcessingState).");
      }
    }
    if (body.contains("membershipRule") || body.contains("membershipRuleProcessingState")) {
      if (body.contains("members@odata.bind")) {
        return BadRequest(
            "members@odata.bind cannot be combined with membershipRule in one request.");
      }
      return PatchGroupRule(g, body);
    }
    if (!body.contains("members@odata.bind")) return Response{204, json()};
    const json& binds = body["members@odata.bind"];
    if (!binds.is_array()) return BadRequest("members@odata.bind: expected an array of URLs.");
    if (binds.size() > 20) {
      return BadRequest("members@odata.bind: at most 20 members can be added in one request (" +
                        std::to_string(binds.size()) + " given).");
    }
    if (Dynamic(t_.groups()[g])) {
      return BadRequest("Members of dynamic group '" + t_.groups()[g].display_name +
                        "' follow its membership rule and cannot be added by hand.");
    }
    std::vector<Id> users;
    for (size_t i = 0; i < binds.size(); ++i) {
      std::string at = "members@odata.bind[" + std::to_string(i) + "]";
      if (!binds[i].is_string()) return BadRequest(at + ": expected a URL.");
      std::string url = binds[i].get<std::string>();
      std::string id = url.substr(url.find_last_of('/') + 1);
      Id u = t_.user_index().Find(id);
      if (u == kNoId) return BadRequest(at + ": unknown user '" + id + "'.");
      const auto& members = t_.groups()[g].members;
      if (std::binary_search(members.begin(), members.end(), u) ||
          std::find(users.begin(), users.end(), u) != users.end()) {
        return BadRequest(
            "One or more added object references already exist for the following modified "
            "properties: 'members'.");
      }
      users.push_back(u);
    }
    for (Id u : users) {
      json ref = {
          {"@odata.id", "https://graph.microsoft.com/v1.0/directoryObjects/" + t_.users()[u].id}};
      Response added = AddMember(g, ref);
      if (added.status >= 300) return added;  // validated above; not expected
    }
    return Response{204, json()};
  }

  // PATCH /groups/{id} with membershipRule and/or membershipRuleProcessingState (Graph's group
  // resource): the rule is checked first (a 400 names the position); with the state On the
  // members follow the rule at once, each join and leave a membership change; Paused keeps the
  // members as they are.
  Response PatchGroupRule(Id g, const json& body) {
    const Group& grp = t_.groups()[g];
    if (!IsDynamicGroup(grp)) {
      return BadRequest("Group '" + grp.display_name +
                        "' is not a dynamic group (its groupTypes has no \"DynamicMembership\"): "
                        "membershipRule applies to dynamic groups only.");
    }
    std::optional<std::string> rule;
    if (body.contains("membershipRule")) {
      const json& v = body["membershipRule"];
      if (!v.is_string()) return BadRequest("membershipRule: expected a string.");
      rule = v.get<std::string>();
      if (rule->empty()) {
        return BadRequest("membershipRule: a dynamic group needs a rule (got an empty string).");
      }
      Result<MembershipRule> parsed = ParseMembershipRule(*rule);
      if (!parsed.Ok()) {
        return BadRequest("membershipRule: " + parsed.GetError().message);
      }
    }
    std::optional<bool> paused;
    if (body.contains("membershipRuleProcessingState")) {
      const json& v = body["membershipRuleProcessingState"];
      const std::string state = v.is_string() ? v.get<std::string>() : "";
      if (state != "On" && state != "Paused") {
        return BadRequest("membershipRuleProcessingState: expected \"On\" or \"Paused\", got " +
                          Dump(v) + ".");
      }
      paused = state == "Paused";
    }
    Group& mine = t_.MutableGroup(g);
    if (rule) {
      SetGroupRule(&mine, std::move(*rule));
      t_.NoteRulesChanged();
    }
    if (paused) mine.rule_paused = *paused;
    ReevaluateGroup(&t_, g);
    return Response{204, json()};
  }

  // Our extension: switch the rule profile; every user is re-evaluated at once under it.
  Response PatchRules(const json& body) {
    if (!body.is_object() || !body.contains("profile") || !body["profile"].is_string()) {
      return BadRequest("The request body must be {\"profile\": NAME}.");
    }
    for (const auto& [k, v] : body.items()) {
      if (k != "profile")
        return BadRequest("Property '" + k + "' cannot be changed here (supported: profile).");
      (void)v;
    }
    std::string name = body["profile"].get<std::string>();
    if (!IsRulesProfile(name)) {
      return BadRequest("Unknown rule profile '" + name +
                        "' (known: " + JoinWords(RulesProfileNames()) + ").");
    }
    t_.SetRulesProfile(name);
    for (Id u = 0; u < t_.users().size(); ++u) {
      const User& user = t_.users()[u];
      if (user.states.empty() && user.groups.empty()) continue;
      if (EvaluateUser(&t_, u, kNoId, Evaluation::kFromScratch)) {
        t_.Audit(Activity::kChangeUserLicense, true, u, kNoId);
      }
    }
    return Response{200, json{{"profile", t_.rules_profile},
                              {"description", RulesProfileDescription(t_.rules_profile)}}};
  }

  Response PatchSku(const std::string& key, const json& body) {
    Id sku = FindSku(key);
    if (sku == kNoId) return NotFound("subscribedSku", key);
    if (!body.is_object() || !body.contains("prepaidUnits") || !body["prepaidUnits"].is_object()) {
      return BadRequest("The request body must be {\"prepaidUnits\": {\"enabled\": N, ...}}.");
    }
    PrepaidUnits next = t_.skus()[sku].prepaid;
    const json& p = body["prepaidUnits"];
    for (auto it = p.begin(); it != p.end(); ++it) {
      int64_t* target = it.key() == "enabled"     ? &next.enabled
                        : it.key() == "warning"   ? &next.warning
                        : it.key() == "suspended" ? &next.suspended
                        : it.key() == "lockedOut" ? &next.locked_out
                                                  : nullptr;
      if (!target) return BadRequest("prepaidUnits." + it.key() + ": unknown unit kind.");
      if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 ||
          it.value().get<int64_t>() > kMaxUnits) {
        return BadRequest("prepaidUnits." + it.key() + ": expected an integer from 0 to " +
                          std::to_string(kMaxUnits) + ".");
      }
      *target = it.value().get<int64_t>();
    }
    Sku& s = t_.MutableSku(sku);
    if (next.enabled + next.warning < s.consumed) {
      return BadRequest("prepaidUnits: " + std::to_string(next.enabled + next.warning) +
                        " assignable units would be fewer than the " + std::to_string(s.consumed) +
                        " licenses of " + s.part_number +
                        " already assigned; remove licenses first.");
    }
    s.prepaid = next;
    return Response{200, json{{"skuId", s.id},
                              {"skuPartNumber", s.part_number},
                              {"consumedUnits", s.consumed},
                              {"prepaidUnits",
                               {{"enabled", next.enabled},
                                {"warning", next.warning},
                                {"suspended", next.suspended},
                                {"lockedOut", next.locked_out}}}}};
  }

  Tenant& t_;
};

}  // namespace

Result<std::string> ApplyBatchText(Tenant* t, std::string_view batch_json) {
  Result<json> parsed = ParseJsonText(batch_json, "the change batch");
  if (!parsed.Ok()) return parsed.GetError();
  const json& batch = parsed.Value();
  if (!batch.is_object() || !batch.contains("requests") || !batch["requests"].is_array()) {
    return Error{"SchemaError", "$: a change batch must be {\"requests\": [...]}"};
  }
  const json& requests = batch["requests"];
  if (requests.size() > kMaxBatchRequests) {
    return Error{"BadRequest", "$.requests: a batch holds at most " +
                                   std::to_string(kMaxBatchRequests) +
                                   " requests (Graph's limit); " + std::to_string(requests.size()) +
                                   " given: split it"};
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < requests.size(); ++i) {
    const json& r = requests[i];
    std::string path = "requests[" + std::to_string(i) + "]";
    if (!r.is_object()) return Error{"SchemaError", path + ": expected an object"};
    for (const char* key : {"id", "method", "url"}) {
      if (!r.contains(key) || !r[key].is_string()) {
        return Error{"SchemaError", path + "." + key + ": required string"};
      }
    }
    std::string id = r["id"].get<std::string>();
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
      return Error{"SchemaError", path + ".id: duplicate request id \"" + id + "\""};
    }
    if (r.contains("dependsOn")) {
      const json& deps = r["dependsOn"];
      if (!deps.is_array())
        return Error{"SchemaError", path + ".dependsOn: expected an array of ids"};
      for (size_t d = 0; d < deps.size(); ++d) {
        if (!deps[d].is_string() ||
            std::find(ids.begin(), ids.end(), deps[d].get<std::string>()) == ids.end()) {
          return Error{"SchemaError", path + ".dependsOn[" + std::to_string(d) +
                                          "]: not the id of an earlier request of this batch"};
        }
      }
    }
    ids.push_back(std::move(id));
  }
  BatchRunner runner(t);
  json responses = json::array();
  std::vector<int> statuses;
  for (const auto& r : requests) {
    std::string method = r["method"].get<std::string>();
    for (char& c : method) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    // A request whose dependency failed does not run (Graph: 424 Failed Dependency).
    std::string failed_dependency;
    if (r.contains("dependsOn")) {
      for (const auto& d : r["dependsOn"]) {
        size_t at = static_cast<size_t>(std::find(ids.begin(), ids.end(), d.get<std::string>()) -
                                        ids.begin());
        if (statuses[at] < 200 || statuses[at] >= 300) failed_dependency = d.get<std::string>();
      }
    }
    Response resp;
    if (!failed_dependency.empty()) {
      resp =
          Fail(424, "FailedDependency",
               "The request was not run: request " + failed_dependency + " it depends on failed.");
    } else {
      json body = r.contains("body") ? r["body"] : json();
      resp = runner.Handle(method, r["url"].get<std::string>(), body);
    }
    statuses.push_back(resp.status);
    json out = {{"id", r["id"]}, {"status", resp.status}};
    if (resp.extension) {
      out["headers"] = {{kExtensionHeader,
                         "not in Microsoft Graph v1.0: an extension of this planner; do not replay "
                         "against a real tenant"}};
    }
    if (!resp.body.is_null()) out["body"] = resp.body;
    responses.push_back(std::move(out));
  }
  return Dump(json{{"responses", responses}});
}

}  // namespace gbl
