// Tenant document reader: one pass to find the sections, then each section in dependency order.
#include "loader.h"

#include <algorithm>
#include <string>
#include <vector>

#include "json_reader.h"
#include "text_encoding.h"

namespace gbl {
// Not anonymous: Tenant names Loader as its friend.
namespace load_detail {

/// A syntax or schema failure under construction.
struct LoadError {
  bool set = false;
  Error error;
};

class Loader {
 public:
  explicit Loader(std::string_view text) : text_(text), tenant_(std::make_unique<Tenant>()) {}

  Result<std::unique_ptr<Tenant>> Run() {
    // One pass: a section whose dependencies are read is parsed where it stands (the usual order
    // organization, subscribedSkus, licensingRules, users, groups); others are set aside and read
    // afterwards in dependency order.
    if (!StreamSections()) return error_;
    if (!users_.present && !groups_.present && !skus_.present) {
      const std::string seen = JoinWords(ignored_);
      return Error{"SchemaError", "$: the document has no users, groups or subscribedSkus" +
                                      (seen.empty() ? std::string(" (it is empty)")
                                                    : " (it has only: " + seen + ")")};
    }
    if (!ignored_.empty()) {
      tenant_->load_warnings.push_back("ignored: " + JoinWords(ignored_));
    }
    if (!Deferred(org_, &Loader::LoadOrganization) || !Deferred(skus_, &Loader::LoadSkus) ||
        !Deferred(rules_, &Loader::LoadRules) || !Deferred(users_, &Loader::LoadUsers) ||
        !Deferred(groups_, &Loader::LoadGroups) || !ResolvePending() ||
        !Deferred(deleted_, &Loader::LoadDeletedUsers) || !Deferred(audits_, &Loader::LoadAudits)) {
      return error_;
    }
    tenant_->ApplyCatalogue();
    for (auto& g : tenant_->groups_) {
      std::sort(g.members.begin(), g.members.end());
      g.members.erase(std::unique(g.members.begin(), g.members.end()), g.members.end());
      std::sort(g.member_groups.begin(), g.member_groups.end());
      g.member_groups.erase(std::unique(g.member_groups.begin(), g.member_groups.end()),
                            g.member_groups.end());
    }
    for (Id gi = 0; gi < tenant_->groups_.size(); ++gi) {
      for (Id u : tenant_->groups_[gi].members) tenant_->users_[u].groups.push_back(gi);
    }
    tenant_->proxy_count_.reserve(tenant_->users_.size() + tenant_->users_.size() / 4);
    for (auto& u : tenant_->users_) {
      if (u.deleted) continue;
      std::sort(u.states.begin(), u.states.end(),
                [](const AssignmentState& a, const AssignmentState& b) {
                  return a.source != b.source ? a.source < b.source : a.sku < b.sku;
                });
      tenant_->IndexProxies(u, 1);
    }
    RecomputeCounters(tenant_.get());
    QueueGroups();
    return std::move(tenant_);
  }

 private:
  // ---- errors ----
  bool Syntax(const JsonReader& r, size_t base) {
    error_ = Error{"ParseError", "invalid JSON at byte " + std::to_string(base + r.Offset()) +
                                     ": " + r.Message()};
    return false;
  }
  bool Schema(const std::string& path, const std::string& message) {
    error_ = Error{"SchemaError", path + ": " + message};
    return false;
  }
  // A type error from the reader inside a section: name the path and the byte.
  bool Typed(const JsonReader& r, size_t base, const std::string& path) {
    error_ = Error{"SchemaError",
                   path + ": " + r.Message() + " (byte " + std::to_string(base + r.Offset()) + ")"};
    return false;
  }

  // ---- sections ----
  struct Section {
    std::string_view text;  ///< the captured value, when set aside
    size_t base = 0;        ///< its byte offset in the document
    bool present = false;
    bool done = false;
    JsonReader* live = nullptr;  ///< the document reader, when parsed in place
  };

  /// The reader a section is parsed with, and the offset to add to its positions.
  struct Cursor {
    JsonReader own;
    JsonReader* r;
    size_t base;
    explicit Cursor(const Section& s)
        : own(s.text), r(s.live ? s.live : &own), base(s.live ? 0 : s.base) {}
  };

  bool Ready(const Section* s) const {
    if (s == &org_ || s == &skus_) return true;
    if (s == &rules_ || s == &users_) return skus_.done;
    if (s == &groups_) return skus_.done && users_.done;
    // deletedItems: after every member list is resolved, so always set aside (it is small).
    if (s == &deleted_) return false;
    return users_.done && groups_.done;  // directoryAudits
  }

  bool Deferred(Section& s, bool (Loader::*load)()) {
    if (!s.present || s.done) return true;
    if (!(this->*load)()) return false;
    s.done = true;
    return true;
  }

  bool StreamSections() {
    JsonReader r(text_);
    if (r.Peek() != JsonType::kObject) {
      if (r.Failed() || r.Peek() == JsonType::kInvalid) {
        if (!r.Failed())
          r.Fail(text_.find_first_not_of(" \t\r\n") == std::string_view::npos
                     ? "empty document"
                     : "unexpected character");
        return Syntax(r, 0);
      }
      return Schema("$", "a tenant document must be a JSON object");
    }
    r.BeginObject();
    std::string key;
    while (r.NextKey(&key)) {
      Section* s = nullptr;
      bool (Loader::*load)() = nullptr;
      // Graph's camelCase, or the PascalCase of PowerShell's objects (case-insensitive).
      if (NameIs(key, "organization"))
        s = &org_, load = &Loader::LoadOrganization;
      else if (NameIs(key, "subscribedSkus"))
        s = &skus_, load = &Loader::LoadSkus;
      else if (NameIs(key, "users"))
        s = &users_, load = &Loader::LoadUsers;
      else if (NameIs(key, "groups"))
        s = &groups_, load = &Loader::LoadGroups;
      else if (NameIs(key, "licensingRules"))
        s = &rules_, load = &Loader::LoadRules;
      else if (NameIs(key, "deletedItems"))
        s = &deleted_, load = &Loader::LoadDeletedUsers;
      else if (NameIs(key, "directoryAudits"))
        s = &audits_, load = &Loader::LoadAudits;
      else if (key.rfind("@odata.", 0) != 0)
        ignored_.push_back(key);
      if (s && s->present) return Schema(key, "appears twice in the document");
      if (s && Ready(s)) {
        s->present = true;
        s->live = &r;
        s->text = text_.substr(r.Position());  // for size estimates only
        bool ok = (this->*load)();
        s->live = nullptr;
        if (!ok) return false;
        s->done = true;
        continue;
      }
      std::string_view captured;
      size_t before = r.Position();
      if (!r.Capture(&captured)) return Syntax(r, 0);
      if (s) {
        s->present = true;
        s->text = captured;
        s->base = before + static_cast<size_t>(captured.data() - (text_.data() + before));
      }
    }
    if (r.Failed() || !r.End()) return Syntax(r, 0);
    return true;
  }

  // Iterates a section that is an array (or a Graph list `{"value":[...]}`), calling f(reader, i).
  template <typename F>
  bool ForEachItem(const Section& s, const char* name, F f) {
    if (!s.present) return true;
    Cursor c(s);
    JsonReader& r = *c.r;
    if (r.Peek() == JsonType::kObject) {
      // Graph list response: take its "value".
      r.BeginObject();
      std::string key;
      bool found = false;
      while (r.NextKey(&key)) {
        if (NameIs(key, "value") && !found) {
          found = true;
          if (!IterateArray(r, c.base, name, f)) return false;
        } else if (!r.Skip()) {
          return Syntax(r, c.base);
        }
      }
      if (r.Failed()) return Syntax(r, c.base);
      if (!found) return Schema(name, "expected an array (or a Graph list with \"value\")");
      return true;
    }
    if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, c.base);
    return IterateArray(r, c.base, name, f);
  }

  template <typename F>
  bool IterateArray(JsonReader& r, size_t base, const std::string& name, F f) {
    if (r.Peek() != JsonType::kArray) return Schema(name, "expected an array");
    r.BeginArray();
    size_t i = 0;
    while (r.NextElement()) {
      std::string path = std::string(name) + "[" + std::to_string(i) + "]";
      if (r.Peek() != JsonType::kObject) return Schema(path, "expected an object");
      if (!f(r, base, path, i)) return false;
      ++i;
    }
    if (r.Failed()) return Syntax(r, base);
    return true;
  }

  // Member readers: the path is only built when something is wrong (no allocation per field).
  bool Str(JsonReader& r, size_t base, const std::string& path, std::string_view field,
           std::string* out) {
    return r.ReadString(out) || Typed(r, base, path + "." + std::string(field));
  }
  bool StrOrNull(JsonReader& r, size_t base, const std::string& path, std::string_view field,
                 std::string* out) {
    bool was_null;
    return r.ReadStringOrNull(out, &was_null) || Typed(r, base, path + "." + std::string(field));
  }
  /// A boolean member; null keeps the default.
  bool Bool(JsonReader& r, size_t base, const std::string& path, std::string_view field,
            bool* out) {
    if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, base);
    return r.ReadBool(out) || Typed(r, base, path + "." + std::string(field));
  }
  bool StrArray(JsonReader& r, size_t base, const std::string& path, std::string_view field,
                std::vector<std::string>* out) {
    out->clear();
    if (r.Peek() == JsonType::kNull) {
      return r.ReadNull() || Typed(r, base, path + "." + std::string(field));
    }
    if (r.Peek() != JsonType::kArray) {
      r.Fail("expected an array of strings");
      return Typed(r, base, path + "." + std::string(field));
    }
    r.BeginArray();
    size_t i = 0;
    while (r.NextElement()) {
      out->emplace_back();
      if (!r.ReadString(&out->back())) {
        return Typed(r, base, path + "." + std::string(field) + "[" + std::to_string(i) + "]");
      }
      ++i;
    }
    if (r.Failed()) return Syntax(r, base);
    return true;
  }
  bool Skip(JsonReader& r, size_t base) { return r.Skip() || Syntax(r, base); }

  /// A member the loader reads as text: a string (null reads as ""), a required string, or an
  /// array of strings.
  struct Field {
    const char* name;
    std::string* text;
    std::vector<std::string>* list;
    bool required;
  };
  static Field Text(const char* name, std::string* out) { return {name, out, nullptr, false}; }
  static Field Required(const char* name, std::string* out) { return {name, out, nullptr, true}; }
  static Field List(const char* name, std::vector<std::string>* out) {
    return {name, nullptr, out, false};
  }

  /// Reads the object at the reader: the named fields into their targets, every other member
  /// through `other(key)`, which consumes the value and returns false on failure.
  template <typename F>
  bool ReadObject(JsonReader& r, size_t base, const std::string& path,
                  std::initializer_list<Field> fields, F other) {
    r.BeginObject();
    std::string key;
    while (r.NextKey(&key)) {
      const Field* field = nullptr;
      for (const Field& f : fields) {
        if (NameIs(key, f.name)) {
          field = &f;
          break;
        }
      }
      if (!field && NameIs(key, "AdditionalProperties") && r.Peek() == JsonType::kObject) {
        // PowerShell's Graph objects keep what their class does not name here: read it as if
        // it stood in the object itself.
        if (!ReadObject(r, base, path, fields, other)) return false;
        continue;
      }
      bool ok = !field            ? other(key)
                : field->list     ? StrArray(r, base, path, field->name, field->list)
                : field->required ? Str(r, base, path, field->name, field->text)
                                  : StrOrNull(r, base, path, field->name, field->text);
      if (!ok) return false;
    }
    return !r.Failed() || Syntax(r, base);
  }
  /// Same, skipping members not named in `fields`.
  bool ReadObject(JsonReader& r, size_t base, const std::string& path,
                  std::initializer_list<Field> fields) {
    return ReadObject(r, base, path, fields, [&](const std::string&) { return Skip(r, base); });
  }

  bool LoadOrganization() {
    if (!org_.present) return true;
    Cursor c(org_);
    JsonReader& r = *c.r;
    auto read_org = [&](JsonReader& rr, size_t base, const std::string& path, size_t) {
      return ReadObject(rr, base, path,
                        {Text("id", &tenant_->org_id), Text("displayName", &tenant_->org_name),
                         Text("countryLetterCode", &tenant_->country)});
    };
    if (r.Peek() == JsonType::kObject) return read_org(r, c.base, "organization", 0);
    return IterateArray(r, c.base, "organization",
                        [&](JsonReader& rr, size_t base, const std::string& path, size_t i) {
                          if (i == 0) return read_org(rr, base, path, i);
                          return Skip(rr, base);
                        });
  }

  bool LoadSkus() {
    return ForEachItem(
        skus_, "subscribedSkus", [&](JsonReader& r, size_t base, const std::string& path, size_t) {
          Sku sku;
          bool plans_given = false;
          std::vector<std::pair<std::string, std::string>> plan_rows;  // (id, name)
          std::vector<std::string> plan_status, plan_applies;
          auto other = [&](const std::string& key) {
            if (NameIs(key, "prepaidUnits")) {
              if (r.Peek() != JsonType::kObject)
                return Schema(path + ".prepaidUnits", "expected an object");
              r.BeginObject();
              std::string k2;
              while (r.NextKey(&k2)) {
                int64_t* target = NameIs(k2, "enabled")     ? &sku.prepaid.enabled
                                  : NameIs(k2, "warning")   ? &sku.prepaid.warning
                                  : NameIs(k2, "suspended") ? &sku.prepaid.suspended
                                  : NameIs(k2, "lockedOut") ? &sku.prepaid.locked_out
                                                            : nullptr;
                if (target) {
                  if (!r.ReadInt(target)) return Typed(r, base, path + ".prepaidUnits." + k2);
                  if (*target < 0)
                    return Schema(path + ".prepaidUnits." + k2, "must not be negative");
                } else if (!Skip(r, base)) {
                  return false;
                }
              }
              return !r.Failed() || Syntax(r, base);
            }
            if (NameIs(key, "servicePlans")) {
              plans_given = true;
              return IterateArray(
                  r, base, path + ".servicePlans",
                  [&](JsonReader&, size_t, const std::string& ppath, size_t) {
                    std::string pid, pname, papplies = "User", pstatus = "Success";
                    if (!ReadObject(
                            r, base, ppath,
                            {Required("servicePlanId", &pid), Text("servicePlanName", &pname),
                             Text("appliesTo", &papplies), Text("provisioningStatus", &pstatus)})) {
                      return false;
                    }
                    if (pid.empty()) return Schema(ppath + ".servicePlanId", "missing");
                    std::string plan_key = Lower(pid);
                    for (const auto& row : plan_rows) {
                      if (row.first == plan_key)
                        return Schema(ppath + ".servicePlanId",
                                      "service plan \"" + pid + "\" is listed twice in this SKU");
                    }
                    plan_rows.emplace_back(std::move(plan_key), pname);
                    plan_status.push_back(pstatus);
                    plan_applies.push_back(papplies);
                    return true;
                  });
            }
            return Skip(r, base);
          };
          if (!ReadObject(r, base, path,
                          {Required("skuId", &sku.id), Text("skuPartNumber", &sku.part_number),
                           Text("id", &sku.object_id), Text("appliesTo", &sku.applies_to),
                           Text("capabilityStatus", &sku.capability_status),
                           Text("displayName", &sku.display_name),
                           Text("productDisplayName", &sku.display_name)},
                          other)) {
            return false;
          }
          if (sku.id.empty()) return Schema(path + ".skuId", "missing");
          std::string key_id = Lower(sku.id);
          if (tenant_->sku_index_.count(key_id)) {
            return Schema(path + ".skuId", "duplicate skuId \"" + sku.id + "\"");
          }
          if (!plans_given || plan_rows.empty()) {
            if (const CatalogProduct* p = FindCatalogProduct(sku.id)) {
              for (const auto& [pid, pname] : p->plans) {
                plan_rows.emplace_back(pid, pname);
                plan_status.push_back("Success");
                plan_applies.push_back("User");
              }
            }
          }
          for (size_t j = 0; j < plan_rows.size(); ++j) {
            auto [it, inserted] = tenant_->plan_index_.emplace(
                plan_rows[j].first, static_cast<Id>(tenant_->plans_.size()));
            if (inserted) {
              Plan plan;
              plan.id = plan_rows[j].first;
              plan.name = plan_rows[j].second;
              plan.applies_to = plan_applies[j];
              tenant_->plans_.push_back(std::move(plan));
            } else if (tenant_->plans_[it->second].name.empty()) {
              tenant_->plans_[it->second].name = plan_rows[j].second;
            }
            if (std::find(sku.plans.begin(), sku.plans.end(), it->second) != sku.plans.end())
              continue;
            sku.plans.push_back(it->second);
            sku.plan_provisioning.push_back(plan_status[j]);
          }
          tenant_->sku_index_.emplace(key_id, static_cast<Id>(tenant_->skus_.size()));
          tenant_->skus_.push_back(std::move(sku));
          return true;
        });
  }

  bool LoadRules() {
    if (!rules_.present) return true;
    Cursor c(rules_);
    JsonReader& r = *c.r;
    size_t base = c.base;
    if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, base);
    if (r.Peek() != JsonType::kObject) return Schema("licensingRules", "expected an object");
    r.BeginObject();
    std::string key;
    while (r.NextKey(&key)) {
      if (NameIs(key, "profile")) {
        std::string profile;
        if (r.Peek() != JsonType::kString || !r.ReadString(&profile)) {
          return r.Failed() ? Syntax(r, base)
                            : Schema("licensingRules.profile", "expected a string");
        }
        if (!IsRulesProfile(profile)) {
          return Schema("licensingRules.profile",
                        "unknown rule profile \"" + profile +
                            "\" (known: " + JoinWords(RulesProfileNames()) + ")");
        }
        tenant_->rules_profile = profile;
        continue;
      }
      if (NameIs(key, "mutuallyExclusive")) tenant_->rules_from_document = true;
      if (NameIs(key, "dependencies")) tenant_->dependencies_from_document = true;
      if (NameIs(key, "mutuallyExclusive") || NameIs(key, "dependencies") ||
          NameIs(key, "usageLocationRestrictions")) {
        std::string name = "licensingRules." + key;
        if (!IterateArray(
                r, base, name.c_str(),
                [&](JsonReader& rr, size_t b, const std::string& path, size_t) {
                  std::string family, plan;
                  std::vector<std::string> list;
                  if (!ReadObject(rr, b, path,
                                  {Text("name", &family), Required("servicePlanId", &plan),
                                   List("servicePlanIds", &list), List("requiresAnyOf", &list),
                                   List("prohibitedCountries", &list)})) {
                    return false;
                  }
                  if (NameIs(key, "mutuallyExclusive")) {
                    int32_t f = static_cast<int32_t>(tenant_->family_names_.size());
                    tenant_->family_names_.push_back(family.empty() ? "family" + std::to_string(f)
                                                                    : family);
                    for (const auto& id : list) {
                      Id p = tenant_->FindPlan(id);
                      if (p != kNoId) tenant_->plans_[p].family = f;
                    }
                    return true;
                  }
                  if (plan.empty()) return Schema(path + ".servicePlanId", "missing");
                  Id p = tenant_->FindPlan(plan);
                  if (p == kNoId) return true;  // a rule about a plan this tenant does not have
                  if (NameIs(key, "dependencies")) {
                    for (const auto& id : list) {
                      Id q = tenant_->FindPlan(id);
                      if (q != kNoId) {
                        tenant_->plans_[p].requires_any_of.push_back(q);
                      } else {
                        // A prerequisite no product of the tenant carries (kept for the export).
                        tenant_->plans_[p].requires_unowned.push_back(Lower(id));
                      }
                    }
                  } else {
                    for (auto& country : list) tenant_->plans_[p].prohibited_in.push_back(country);
                  }
                  return true;
                })) {
          return false;
        }
      } else if (!Skip(r, base)) {
        return false;
      }
    }
    if (r.Failed()) return Syntax(r, base);
    return true;
  }

  /// Reads an assignedLicenses array into (sku, interned assignment) pairs; `unique`: a skuId
  /// listed twice is a SchemaError.
  bool ReadLicenses(JsonReader& r, size_t base, const std::string& path, bool unique,
                    std::vector<std::pair<Id, Id>>* out) {
    return IterateArray(r, base, path, [&](JsonReader&, size_t, const std::string& lpath, size_t) {
      Id sku;
      std::vector<Id> disabled;
      if (!ReadLicense(r, base, lpath, &sku, &disabled)) return false;
      if (unique) {
        for (const auto& l : *out) {
          if (l.first == sku) return Schema(lpath + ".skuId", "the same skuId appears twice");
        }
      }
      out->emplace_back(sku, tenant_->InternAssignment(sku, std::move(disabled)));
      return true;
    });
  }

  // Reads one assignedLicense object; fills sku and sorted disabled plan ids.
  bool ReadLicense(JsonReader& r, size_t base, const std::string& path, Id* sku,
                   std::vector<Id>* disabled) {
    if (r.Peek() != JsonType::kObject) return Schema(path, "expected an object");
    std::string sku_id;
    std::vector<std::string> disabled_ids;
    if (!ReadObject(r, base, path,
                    {Required("skuId", &sku_id), List("disabledPlans", &disabled_ids)})) {
      return false;
    }
    return ResolveLicense(path, sku_id, disabled_ids, sku, disabled);
  }

  bool ResolveLicense(const std::string& path, const std::string& sku_id,
                      const std::vector<std::string>& disabled_ids, Id* sku,
                      std::vector<Id>* disabled) {
    if (sku_id.empty()) return Schema(path + ".skuId", "missing");
    auto it = tenant_->sku_index_.find(Lower(sku_id));
    if (it == tenant_->sku_index_.end()) {
      return Schema(path + ".skuId", "unknown skuId \"" + sku_id + "\" (not in subscribedSkus)");
    }
    *sku = it->second;
    disabled->clear();
    const Sku& s = tenant_->skus_[*sku];
    for (size_t i = 0; i < disabled_ids.size(); ++i) {
      Id p = tenant_->FindPlan(disabled_ids[i]);
      if (p == kNoId || std::find(s.plans.begin(), s.plans.end(), p) == s.plans.end()) {
        return Schema(path + ".disabledPlans[" + std::to_string(i) + "]",
                      "service plan \"" + disabled_ids[i] + "\" is not part of " +
                          (s.part_number.empty() ? s.id : s.part_number));
      }
      disabled->push_back(p);
    }
    std::sort(disabled->begin(), disabled->end());
    disabled->erase(std::unique(disabled->begin(), disabled->end()), disabled->end());
    return true;
  }

  struct PendingState {
    Id user;
    size_t state_index;
    std::string group_id;
    size_t json_index;  ///< position in the user's licenseAssignmentStates (for the error path)

    std::string Path() const {
      return "users[" + std::to_string(user) + "].licenseAssignmentStates[" +
             std::to_string(json_index) + "].assignedByGroup";
    }
  };

  /// usageLocation: a two-letter ISO 3166 code (upper-cased, as Graph stores it) or absent.
  bool UsageLocationOk(const std::string& path, std::string* location) {
    if (location->empty()) return true;
    bool ok = location->size() == 2;
    for (char& c : *location) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      ok = ok && c >= 'A' && c <= 'Z';
    }
    if (ok) return true;
    return Schema(path + ".usageLocation",
                  "expected a two-letter ISO 3166 country code, got \"" + *location + "\"");
  }

  bool LoadUsers() {
    // A Graph user is at least a few hundred bytes: size the id index from the text left.
    tenant_->user_index_.Reserve(users_.text.size() / 400);
    return ForEachItem(
        users_, "users", [&](JsonReader& r, size_t base, const std::string& path, size_t) {
          User u;
          std::vector<std::pair<Id, Id>> assigned;  // (sku, assignment) from assignedLicenses
          bool have_states = false;
          Id uid = static_cast<Id>(tenant_->users_.size());
          auto other = [&](const std::string& key) {
            if (NameIs(key, "accountEnabled"))
              return Bool(r, base, path, "accountEnabled", &u.account_enabled);
            if (NameIs(key, "assignedLicenses"))
              return ReadLicenses(r, base, path + ".assignedLicenses", false, &assigned);
            if (NameIs(key, "licenseAssignmentStates")) {
              have_states = true;
              return IterateArray(
                  r, base, path + ".licenseAssignmentStates",
                  [&](JsonReader&, size_t, const std::string& spath, size_t j) {
                    std::string sku_id, group_id, state = "Active", err = "None", when;
                    std::vector<std::string> disabled_ids;
                    if (!ReadObject(r, base, spath,
                                    {Required("skuId", &sku_id), Text("assignedByGroup", &group_id),
                                     Text("state", &state), Text("error", &err),
                                     Text("lastUpdatedDateTime", &when),
                                     List("disabledPlans", &disabled_ids)})) {
                      return false;
                    }
                    AssignmentState st;
                    std::vector<Id> disabled;
                    if (!ResolveLicense(spath, sku_id, disabled_ids, &st.sku, &disabled))
                      return false;
                    st.assignment = tenant_->InternAssignment(st.sku, std::move(disabled));
                    if (!ParseStateName(state, &st.state)) {
                      return Schema(spath + ".state", "unknown state \"" + state + "\"");
                    }
                    if (!ParseErrorName(err, &st.error)) {
                      return Schema(spath + ".error", "unknown error \"" + err + "\"");
                    }
                    if (!when.empty() && !Tenant::ParseTime(when, &st.updated_ms)) {
                      return Schema(spath + ".lastUpdatedDateTime",
                                    "not an ISO 8601 time: \"" + when + "\"");
                    }
                    if (!group_id.empty()) {
                      pending_.push_back({uid, u.states.size(), group_id, j});
                      st.source = kNoId;  // resolved after groups are read
                    } else {
                      for (const auto& existing : u.states) {
                        if (existing.source == kDirect && existing.sku == st.sku) {
                          return Schema(spath, "second direct assignment of the same skuId");
                        }
                      }
                      st.source = kDirect;
                    }
                    u.states.push_back(st);
                    return true;
                  });
            }
            return Skip(r, base);
          };
          if (!ReadObject(r, base, path,
                          {Required("id", &u.id), Text("displayName", &u.display_name),
                           Text("userPrincipalName", &u.upn), Text("mail", &u.mail),
                           Text("usageLocation", &u.usage_location),
                           List("proxyAddresses", &u.proxy_addresses)},
                          other)) {
            return false;
          }
          if (u.id.empty()) return Schema(path + ".id", "missing");
          if (!UsageLocationOk(path, &u.usage_location)) return false;
          if (!have_states) {
            // A hand-written document: its assignedLicenses are direct assignments in force.
            for (auto& [sku, assignment] : assigned) {
              bool dup = false;
              for (const auto& s : u.states) dup = dup || s.sku == sku;
              if (dup) return Schema(path + ".assignedLicenses", "the same skuId appears twice");
              AssignmentState st;
              st.sku = sku;
              st.assignment = assignment;
              st.source = kDirect;
              u.states.push_back(st);
            }
          }
          if (!tenant_->user_index_.Insert(u.id, uid)) {
            return Schema(path + ".id", "duplicate id \"" + u.id + "\"");
          }
          tenant_->users_.push_back(std::move(u));
          return true;
        });
  }

  // deletedItems: users in the recycle bin (GET /directory/deletedItems/microsoft.graph.user),
  // with our extension memberOf (group ids) and assignedLicenses (their direct licenses); other
  // kinds of deleted object are skipped.
  bool LoadDeletedUsers() {
    return ForEachItem(
        deleted_, "deletedItems", [&](JsonReader& r, size_t base, const std::string& path, size_t) {
          User u;
          u.deleted = true;
          DeletedUser d;
          std::string type, when;
          std::vector<std::string> member_of;
          auto other = [&](const std::string& key) {
            if (NameIs(key, "accountEnabled"))
              return Bool(r, base, path, "accountEnabled", &u.account_enabled);
            if (NameIs(key, "assignedLicenses"))
              return ReadLicenses(r, base, path + ".assignedLicenses", true, &d.direct);
            return Skip(r, base);
          };
          if (!ReadObject(
                  r, base, path,
                  {Required("id", &u.id), Text("@odata.type", &type),
                   Text("displayName", &u.display_name), Text("userPrincipalName", &u.upn),
                   Text("mail", &u.mail), Text("usageLocation", &u.usage_location),
                   Text("deletedDateTime", &when), List("proxyAddresses", &u.proxy_addresses),
                   List("memberOf", &member_of)},
                  other)) {
            return false;
          }
          if (!type.empty() && type != "#microsoft.graph.user") return true;
          if (u.id.empty()) return Schema(path + ".id", "missing");
          if (!UsageLocationOk(path, &u.usage_location)) return false;
          if (when.empty()) return Schema(path + ".deletedDateTime", "missing");
          if (!Tenant::ParseTime(when, &d.deleted_ms)) {
            return Schema(path + ".deletedDateTime", "not an ISO 8601 time: \"" + when + "\"");
          }
          for (const auto& gid : member_of) {
            Id g = tenant_->group_index_.Find(gid);
            if (g != kNoId) d.groups.push_back(g);  // a group gone since cannot take it back
          }
          std::sort(d.groups.begin(), d.groups.end());
          d.groups.erase(std::unique(d.groups.begin(), d.groups.end()), d.groups.end());
          Id uid = static_cast<Id>(tenant_->users_.size());
          if (!tenant_->user_index_.Insert(u.id, uid)) {
            return Schema(path + ".id", "duplicate id \"" + u.id + "\" (also a user)");
          }
          tenant_->users_.push_back(std::move(u));
          tenant_->deleted_users_[uid] = std::move(d);
          return true;
        });
  }

  struct PendingMember {
    Id group;
    std::string id;
    std::string path;
  };

  /// Directory objects that can be members of a group but never hold licenses.
  static bool UnlicensedMemberType(std::string_view type) {
    for (const char* t : {"#microsoft.graph.device", "#microsoft.graph.orgContact",
                          "#microsoft.graph.servicePrincipal", "#microsoft.graph.application",
                          "#microsoft.graph.contact"}) {
      if (NameIs(type, t)) return true;
    }
    return false;
  }

  /// Reads a members array at the reader into g (users, nested groups, other objects).
  bool ReadMembers(JsonReader& r, size_t base, const std::string& path, Id gid, Group* g) {
    r.BeginArray();
    size_t j = 0;
    std::string id, type;  // reused: one allocation for all members of the group
    while (r.NextElement()) {
      auto mpath_of = [&] { return path + ".members[" + std::to_string(j) + "]"; };
      id.clear();
      type.clear();
      if (r.Peek() == JsonType::kString) {
        if (!r.ReadString(&id)) return Typed(r, base, mpath_of());
      } else if (r.Peek() == JsonType::kObject) {
        r.BeginObject();
        std::string k2;
        while (r.NextKey(&k2)) {
          bool ok2 = true;
          if (NameIs(k2, "id")) {
            ok2 = r.ReadString(&id) || Typed(r, base, mpath_of() + ".id");
          } else if (NameIs(k2, "@odata.type")) {
            bool was_null;
            ok2 =
                r.ReadStringOrNull(&type, &was_null) || Typed(r, base, mpath_of() + ".@odata.type");
          } else {
            ok2 = Skip(r, base);
          }
          if (!ok2) return false;
        }
        if (r.Failed()) return Syntax(r, base);
        if (id.empty()) return Schema(mpath_of() + ".id", "missing");
      } else {
        return Schema(mpath_of(), "expected an id or a directory object");
      }
      if (UnlicensedMemberType(type)) {
        // Kept as a member (and in the export), never licensed.
        g->other_members.emplace_back(id, type);
        ++j;
        continue;
      }
      Id u = tenant_->user_index_.Find(id);
      if (u != kNoId && !NameIs(type, "#microsoft.graph.group")) {
        g->members.push_back(u);
      } else if (NameIs(type, "#microsoft.graph.user")) {
        return Schema(mpath_of(), "unknown user \"" + id + "\"");
      } else {
        pending_members_.push_back({gid, id, mpath_of()});
      }
      ++j;
    }
    return !r.Failed() || Syntax(r, base);
  }

  bool LoadGroups() {
    return ForEachItem(
        groups_, "groups", [&](JsonReader& r, size_t base, const std::string& path, size_t) {
          Group g;
          Id gid = static_cast<Id>(tenant_->groups_.size());
          std::vector<std::pair<Id, Id>> licenses;
          bool state_given = false;
          std::string state_text;
          auto other = [&](const std::string& key) {
            if (NameIs(key, "securityEnabled"))
              return Bool(r, base, path, key, &g.security_enabled);
            if (NameIs(key, "mailEnabled")) return Bool(r, base, path, key, &g.mail_enabled);
            if (NameIs(key, "licenseProcessingState")) {
              // A string in older pages, {"state": ...} in newer ones.
              state_given = true;
              if (r.Peek() == JsonType::kObject) {
                return ReadObject(r, base, path + ".licenseProcessingState",
                                  {Text("state", &state_text)});
              }
              return StrOrNull(r, base, path, key, &state_text);
            }
            if (NameIs(key, "assignedLicenses"))
              return ReadLicenses(r, base, path + ".assignedLicenses", true, &licenses);
            if (NameIs(key, "members")) {
              // An array, or a Graph page as GET /groups/{id}/members returns it.
              bool page = r.Peek() == JsonType::kObject;
              std::string next_link;
              if (page) {
                r.BeginObject();
                std::string k2;
                bool found = false;
                while (r.NextKey(&k2)) {
                  if (NameIs(k2, "value") && !found) {
                    found = true;
                    if (!ReadMembers(r, base, path, gid, &g)) return false;
                  } else if (NameIs(k2, "@odata.nextLink")) {
                    bool was_null;
                    if (!r.ReadStringOrNull(&next_link, &was_null))
                      return Typed(r, base, path + ".members.@odata.nextLink");
                  } else if (!Skip(r, base)) {
                    return false;
                  }
                }
                if (r.Failed()) return Syntax(r, base);
                if (!found) return Schema(path + ".members", "a page without \"value\"");
                if (!next_link.empty()) {
                  return Schema(path + ".members",
                                "the list of members is incomplete: this page has "
                                "@odata.nextLink. Fetch every page (Get-MgGroupMember -All, or "
                                "follow @odata.nextLink until there is none) and list them all");
                }
                return true;
              }
              if (r.Peek() != JsonType::kArray)
                return Schema(path + ".members", "expected an array or a Graph page");
              return ReadMembers(r, base, path, gid, &g);
            }
            return Skip(r, base);
          };
          if (!ReadObject(
                  r, base, path,
                  {Required("id", &g.id), Text("displayName", &g.display_name),
                   Text("description", &g.description), Text("membershipRule", &g.membership_rule),
                   List("groupTypes", &g.group_types)},
                  other)) {
            return false;
          }
          if (g.id.empty()) return Schema(path + ".id", "missing");
          if (state_given && !state_text.empty() && state_text != "ProcessingComplete") {
            g.processing =
                ProcessingState::kQueued;  // the service had not finished: queue it again
          }
          std::sort(licenses.begin(), licenses.end());
          for (auto& l : licenses) g.licenses.push_back(l.second);
          if (tenant_->user_index_.Contains(g.id) || !tenant_->group_index_.Insert(g.id, gid)) {
            return Schema(path + ".id", "duplicate id \"" + g.id + "\"");
          }
          tenant_->groups_.push_back(std::move(g));
          return true;
        });
  }

  bool ResolvePending() {
    for (auto& m : pending_members_) {
      Id child = tenant_->group_index_.Find(m.id);
      if (child == kNoId) {
        return Schema(m.path, "unknown directory object \"" + m.id + "\"");
      }
      if (child == m.group) return Schema(m.path, "a group cannot be a member of itself");
      tenant_->groups_[m.group].member_groups.push_back(child);
    }
    std::unordered_map<std::string, Id> external;
    for (auto& p : pending_) {
      Id group = tenant_->group_index_.Find(p.group_id);
      if (group == kNoId) {
        // A group the document does not list: its states are kept as they stand.
        auto [it, added] = external.emplace(Lower(p.group_id), kNoId);
        if (added) {
          Group g;
          g.id = p.group_id;
          g.deleted = true;
          g.external = true;
          it->second = static_cast<Id>(tenant_->groups_.size());
          tenant_->groups_.push_back(std::move(g));
        }
        group = it->second;
      }
      User& u = tenant_->users_[p.user];
      AssignmentState& st = u.states[p.state_index];
      for (const auto& other : u.states) {
        if (&other != &st && other.source == group && other.sku == st.sku) {
          return Schema(p.Path(), "second state for the same skuId and group");
        }
      }
      st.source = group;
    }
    return true;
  }

  bool LoadAudits() {
    return ForEachItem(
        audits_, "directoryAudits",
        [&](JsonReader& r, size_t base, const std::string& path, size_t) {
          std::string_view raw;
          if (!r.Capture(&raw)) return Syntax(r, base);
          AuditEvent e;
          e.activity = Activity::kImported;
          e.text = tenant_->AuditText(std::string(raw));
          // Pull out what the queries filter on: time, activity name, first target.
          JsonReader inner(raw);
          inner.BeginObject();
          std::string key;
          while (inner.NextKey(&key)) {
            std::string value;
            if (NameIs(key, "activityDateTime") && inner.Peek() == JsonType::kString) {
              inner.ReadString(&value);
              if (!Tenant::ParseTime(value, &e.time_ms)) {
                return Schema(path + ".activityDateTime",
                              "not an ISO 8601 time: \"" + value + "\"");
              }
            } else if (NameIs(key, "activityDisplayName") && inner.Peek() == JsonType::kString) {
              inner.ReadString(&value);
              e.actor = tenant_->AuditText(value);  // imported events keep their name here
            } else if (NameIs(key, "targetResources") && inner.Peek() == JsonType::kArray) {
              inner.BeginArray();
              while (inner.NextElement()) {
                if (inner.Peek() != JsonType::kObject) {
                  inner.Skip();
                  continue;
                }
                inner.BeginObject();
                std::string k2;
                while (inner.NextKey(&k2)) {
                  if (k2 == "id" && inner.Peek() == JsonType::kString) {
                    inner.ReadString(&value);
                    Id u = tenant_->user_index_.Find(value);
                    Id g = tenant_->group_index_.Find(value);
                    if (u != kNoId && e.user == kNoId) e.user = u;
                    if (g != kNoId && e.group == kNoId) e.group = g;
                  } else {
                    inner.Skip();
                  }
                }
              }
            } else {
              inner.Skip();
            }
          }
          if (inner.Failed()) return Syntax(inner, base);
          tenant_->audit_.push_back(e);
          return true;
        });
  }

  void QueueGroups() {
    Tenant& t = *tenant_;
    for (Id gi = 0; gi < t.groups_.size(); ++gi) {
      Group& g = t.groups_[gi];
      if (g.licenses.empty() || !g.security_enabled) {
        g.processing = ProcessingState::kComplete;
        continue;
      }
      bool needed = g.processing != ProcessingState::kComplete;
      for (size_t i = 0; !needed && i < g.members.size(); ++i) {
        const User& u = t.users_[g.members[i]];
        for (Id a : g.licenses) {
          Id sku = t.assignments_[a].sku;
          bool found = false;
          for (const auto& s : u.states) found = found || (s.source == gi && s.sku == sku);
          if (!found) {
            needed = true;
            break;
          }
        }
      }
      if (needed) {
        g.processing = ProcessingState::kQueued;
        t.queue_.push_back(gi);
      }
    }
  }

  std::string_view text_;
  std::unique_ptr<Tenant> tenant_;
  Error error_;
  Section org_, skus_, users_, groups_, rules_, deleted_, audits_;
  std::vector<std::string> ignored_;  ///< top-level members that are not tenant sections
  std::vector<PendingState> pending_;
  std::vector<PendingMember> pending_members_;
};

}  // namespace load_detail

Result<std::unique_ptr<Tenant>> LoadTenant(std::string_view bytes) {
  DecodedText decoded = DecodeDocument(bytes);
  if (!decoded.error.empty()) return Error{"ParseError", decoded.error};
  load_detail::Loader loader(decoded.text);
  Result<std::unique_ptr<Tenant>> loaded = loader.Run();
  if (!loaded.Ok() && decoded.encoding != "UTF-8" && loaded.GetError().code == "ParseError") {
    // Byte offsets count in the UTF-8 text after the byte-order mark.
    Error e = loaded.GetError();
    e.message += decoded.encoding == "UTF-8 with BOM"
                     ? " (bytes counted after the byte-order mark)"
                     : " (bytes counted in the document converted from " + decoded.encoding + ")";
    return e;
  }
  return loaded;
}

void RecomputeCounters(Tenant* t) {
  for (auto& s : t->skus_) s.consumed = 0;
  for (auto& g : t->groups_) g.error_users = 0;
  std::vector<Id> held, err_groups;
  for (const auto& u : t->users_) {
    held.clear();
    err_groups.clear();
    for (const auto& s : u.states) {
      if (s.Holds()) held.push_back(s.sku);
      if (s.source != kDirect && s.error != ErrorKind::kNone) err_groups.push_back(s.source);
    }
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    for (Id sku : held) ++t->skus_[sku].consumed;
    std::sort(err_groups.begin(), err_groups.end());
    err_groups.erase(std::unique(err_groups.begin(), err_groups.end()), err_groups.end());
    for (Id g : err_groups) ++t->groups_[g].error_users;
  }
}

}  // namespace gbl
