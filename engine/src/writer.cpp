// Writing the tenant document (computed fields included) as Graph-shaped JSON, streamed.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "dynamic.h"
#include "json_writer.h"
#include "licensing.h"
#include "plain_text.h"
#include "text_encoding.h"

namespace gbl {

char* JsonWriter::Escape(char* p, std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (n < 8) {
    // Short ones (codes, names of states) byte by byte while they need nothing.
    for (; i < n; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      p[i] = static_cast<char>(c);
    }
    if (i == n) return p + n;
    p += i;
  } else {
    // Most strings (ids, names) need nothing: checked and copied a word at a time, the last
    // word overlapping the one before it.
    uint64_t w;
    for (; i + 8 <= n; i += 8) {
      std::memcpy(&w, s.data() + i, 8);
      if (!PlainWord(w, true)) break;
      std::memcpy(p + i, &w, 8);
    }
    if (i + 8 > n) {
      std::memcpy(&w, s.data() + n - 8, 8);
      if (PlainWord(w, true)) {
        std::memcpy(p + n - 8, &w, 8);
        return p + n;
      }
      i = n - 8;
    }
    p += i;
  }
  while (i < n) {
    // Plain bytes are copied eight at a time as they are checked (p has room for them).
    while (i + 8 <= n && PlainBytes(s.data() + i, 8, true) == 8) {
      std::memcpy(p, s.data() + i, 8);
      p += 8;
      i += 8;
    }
    while (i < n && PlainBytes(s.data() + i, 1, true) == 1) *p++ = s[i++];
    if (i >= n) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Copy a well-formed UTF-8 sequence; replace each byte of an ill-formed one with U+FFFD.
      const size_t len =
          Utf8SequenceLength(reinterpret_cast<const unsigned char*>(s.data()) + i, n - i);
      if (len != 0) {
        std::memcpy(p, s.data() + i, len);
        p += len;
        i += len;
      } else {
        std::memcpy(p, "\xEF\xBF\xBD", 3);
        p += 3;
        ++i;
      }
      continue;
    }
    // Two-byte escapes for the characters that have one, \u00XX for the other controls.
    static constexpr char kShort[] = {'"', '"',  '\\', '\\', '\n', 'n',  '\r',
                                      'r', '\t', 't',  '\b', 'b',  '\f', 'f'};
    char shorthand = 0;
    for (size_t k = 0; k < sizeof kShort; k += 2) {
      if (static_cast<char>(c) == kShort[k]) shorthand = kShort[k + 1];
    }
    if (shorthand != 0) {
      p[0] = '\\';
      p[1] = shorthand;
      p += 2;
    } else {
      static constexpr char kHexDigits[] = "0123456789abcdef";
      std::memcpy(p, "\\u00", 4);
      p[4] = kHexDigits[c >> 4];
      p[5] = kHexDigits[c & 0xF];
      p += 6;
    }
    ++i;
  }
  return p;
}

void JsonWriter::AppendQuoted(std::string* out, std::string_view s) {
  const size_t at = out->size();
  out->resize(at + 6 * s.size() + 2);
  char* p = &(*out)[at];
  *p++ = '"';
  p = Escape(p, s);
  *p++ = '"';
  out->resize(static_cast<size_t>(p - out->data()));
}

void JsonWriter::Quote(std::string_view s) {
  char* p = Room(6 * s.size() + 2);
  *p++ = '"';
  p = Escape(p, s);
  *p++ = '"';
  pos_ = static_cast<size_t>(p - out_.data());
}

void JsonWriter::Grow(size_t n) {
  // Doubling: the zero fill of new room is paid once per byte of room, not per write.
  out_.resize(std::max({pos_ + n, out_.size() * 2, static_cast<size_t>(64 << 10)}));
}

char* JsonWriter::WriteInt(char* p, int64_t v) { return std::to_chars(p, p + 24, v).ptr; }

std::string ServiceOfPlan(const std::string& plan) {
  static const std::pair<const char*, const char*> kServices[] = {
      {"EXCHANGE_", "exchange"},
      {"SHAREPOINT", "SharePoint"},
      {"ONEDRIVE", "SharePoint"},
      {"MCO", "MicrosoftCommunicationsOnline"},
      {"OFFICESUBSCRIPTION", "MicrosoftOffice"},
      {"OFFICE_BUSINESS", "MicrosoftOffice"},
      {"TEAMS1", "TeamspaceAPI"},
      {"PROJECTWORKMANAGEMENT", "ProjectWorkManagement"},
      {"SWAY", "Sway"},
      {"YAMMER_", "YammerEnterprise"},
      {"AAD_PREMIUM", "AADPremiumService"},
      {"INTUNE_A", "SCO"},
      {"RMS_S_", "RMSOnline"},
      {"MFA_PREMIUM", "MultiFactorService"},
      {"ADALLOM_", "Adallom"},
      {"STREAM_", "MicrosoftStream"},
      {"POWERAPPS_", "PowerAppsService"},
      {"FLOW_", "ProcessSimple"},
      {"FORMS_", "OfficeForms"},
      {"BPOS_S_TODO", "To-Do"},
      {"WHITEBOARD_", "WhiteboardServices"},
      {"KAIZALA_", "MicrosoftKaizala"},
      {"Deskless", "Deskless"},
  };
  for (const auto& [prefix, service] : kServices) {
    if (plan.rfind(prefix, 0) == 0) return service;
  }
  return plan;
}

namespace {

const char* ActivityName(Activity a) {
  switch (a) {
    case Activity::kSetGroupLicense:
      return "Set group license";
    case Activity::kStartApplying:
      return "Start applying group based license to users";
    case Activity::kFinishApplying:
      return "Finish applying group based license to users";
    case Activity::kChangeUserLicense:
      return "Change user license";
    case Activity::kAddMember:
      return "Add member to group";
    case Activity::kRemoveMember:
      return "Remove member from group";
    case Activity::kAddUser:
      return "Add user";
    case Activity::kAddGroup:
      return "Add group";
    case Activity::kDeleteGroup:
      return "Delete group";
    case Activity::kUpdateUser:
      return "Update user";
    case Activity::kDeleteUser:
      return "Delete user";
    case Activity::kRestoreUser:
      return "Restore user";
    case Activity::kImported:
      return "";
  }
  return "";
}

const char* Category(Activity a) {
  switch (a) {
    case Activity::kChangeUserLicense:
    case Activity::kAddUser:
    case Activity::kUpdateUser:
    case Activity::kDeleteUser:
    case Activity::kRestoreUser:
      return "UserManagement";
    default:
      return "GroupManagement";
  }
}

const char* Operation(Activity a) {
  switch (a) {
    case Activity::kAddMember:
    case Activity::kAddUser:
    case Activity::kAddGroup:
      return "Add";
    case Activity::kRemoveMember:
    case Activity::kDeleteGroup:
    case Activity::kDeleteUser:
      return "Delete";
    default:
      return "Update";
  }
}

/// Key + time, written without a string of its own (one per state, millions of them).
template <size_t N>
void TimeField(JsonWriter* w, const char (&k)[N], int64_t ms) {
  char text[Tenant::kTimeTextMax];
  w->Field(k, std::string_view(text, Tenant::FormatTimeTo(ms, text)));
}

}  // namespace

std::string PlanIdsJson(const Tenant& t, const std::vector<Id>& plans) {
  std::string text = "[";
  for (Id p : plans) {
    if (text.size() > 1) text += ',';
    JsonWriter::AppendQuoted(&text, t.plans()[p].id);
  }
  text += ']';
  return text;
}

namespace {

void WriteLicenses(const Tenant& t, const std::vector<std::pair<Id, std::vector<Id>>>& lic,
                   JsonWriter* w) {
  w->BeginArray();
  for (const auto& [sku, disabled] : lic) {
    w->BeginObject();
    w->Key("disabledPlans");
    w->BeginArray();
    for (Id p : disabled) w->String(t.plans()[p].id);
    w->EndArray();
    w->Field("skuId", t.skus()[sku].id);
    w->EndObject();
  }
  w->EndArray();
}

/// The user's own properties, the same in users and deletedItems.
void WriteUserProperties(const User& u, JsonWriter* w) {
  w->Field("id", u.id);
  w->Field("displayName", u.display_name);
  w->Field("userPrincipalName", u.upn);
  if (!u.mail.empty()) w->Field("mail", u.mail);
  w->Key("usageLocation");
  w->StringOrNull(u.usage_location);
  w->FieldBool("accountEnabled", u.account_enabled);
  w->Key("proxyAddresses");
  w->BeginArray();
  for (const auto& a : u.proxy_addresses) w->String(a);
  w->EndArray();
}

/// The user's assignedLicenses (EffectiveLicenses, written as WriteLicenses does) without a vector
/// per user: a product held once is written from its assignment; one held from several sources
/// (rare) keeps the plans every source disables.
void WriteEffectiveLicenses(const Tenant& t, const User& u, JsonWriter* w,
                            DocumentWriter::Repeats* r) {
  struct Held {
    Id sku, assignment;
  };
  constexpr size_t kMax = 16;
  Held held[kMax];
  size_t n = 0;
  for (const auto& s : u.states) {
    if (!s.Holds()) continue;
    if (n == kMax) return WriteLicenses(t, EffectiveLicenses(t, u), w);
    held[n++] = Held{s.sku, s.assignment};
  }
  std::stable_sort(held, held + n, [](const Held& a, const Held& b) { return a.sku < b.sku; });
  w->BeginArray();
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && held[j].sku == held[i].sku) ++j;
    auto write = [&](std::string_view disabled_json) {
      w->BeginObject();
      w->Key("disabledPlans");
      w->Raw(disabled_json);
      w->Key("skuId");
      w->Raw(r->SkuId(t, held[i].sku));
      w->EndObject();
    };
    if (j == i + 1) {
      write(r->Disabled(t, held[i].assignment));
    } else {
      std::vector<Id> both = t.assignments()[held[i].assignment].disabled;
      for (size_t k = i + 1; k < j; ++k) {
        const auto& dis = t.assignments()[held[k].assignment].disabled;
        std::vector<Id> next;
        std::set_intersection(both.begin(), both.end(), dis.begin(), dis.end(),
                              std::back_inserter(next));
        both = std::move(next);
      }
      write(PlanIdsJson(t, both));
    }
    i = j;
  }
  w->EndArray();
}

/// The user's rule attributes (UserField), in Graph's shapes: strings by their Graph names,
/// onPremisesExtensionAttributes, onPremisesSyncEnabled, otherMails, directory extensions, and
/// manager as {"id"}.
void WriteUserFields(const Tenant& t, const User& u, JsonWriter* w) {
  if (u.details == kNoId) return;
  const UserFieldRange& range = t.user_details()[u.details];
  const UserField* f = t.user_fields().data() + range.begin;
  const UserField* end = f + range.count;
  const auto& text = t.attribute_text();
  auto is = [](const UserField* x, UserProperty p) {
    return x->property == static_cast<uint8_t>(p);
  };
  while (f != end) {
    const auto p = static_cast<UserProperty>(f->property);
    if (f->property == kManagerField) {
      w->Key("manager");
      w->BeginObject();
      w->Field("id", text[f->value]);
      w->EndObject();
      ++f;
    } else if (p >= UserProperty::kExtensionAttribute1 &&
               p <= UserProperty::kExtensionAttribute15) {
      w->Key("onPremisesExtensionAttributes");
      w->BeginObject();
      while (f != end && f->property >= static_cast<uint8_t>(UserProperty::kExtensionAttribute1) &&
             f->property <= static_cast<uint8_t>(UserProperty::kExtensionAttribute15)) {
        w->Key(ExtensionAttributeName(static_cast<UserProperty>(f->property)));
        w->String(text[f->value]);
        ++f;
      }
      w->EndObject();
    } else if (p == UserProperty::kDirSyncEnabled) {
      w->FieldBool("onPremisesSyncEnabled", text[f->value] == "true");
      ++f;
    } else if (p == UserProperty::kOtherMails) {
      w->Key("otherMails");
      w->BeginArray();
      for (; f != end && is(f, UserProperty::kOtherMails); ++f) w->String(text[f->value]);
      w->EndArray();
    } else if (p == UserProperty::kDirectoryExtension) {
      w->Key(text[f->name]);
      w->String(text[f->value]);
      ++f;
    } else {
      std::string_view name;
      for (const auto& field : UserStringFields()) {
        if (field.property == p) name = field.graph_name;
      }
      if (!name.empty()) {
        w->Key(name);
        w->String(text[f->value]);
      }
      ++f;
    }
  }
}

void WriteUser(const Tenant& t, const User& u, bool assigned_plans, JsonWriter* w,
               DocumentWriter::Repeats* r) {
  w->BeginObject();
  WriteUserProperties(u, w);
  WriteUserFields(t, u, w);
  w->Key("assignedLicenses");
  WriteEffectiveLicenses(t, u, w, r);
  w->Key("licenseAssignmentStates");
  w->BeginArray();
  // Direct first (as Graph lists them), then by group order.
  auto write_state = [&](const AssignmentState& s) {
    w->BeginObject();
    w->Key("assignedByGroup");
    if (s.source == kDirect)
      w->Null();
    else
      w->Raw(r->GroupId(t, s.source));
    w->Key("disabledPlans");
    w->Raw(r->Disabled(t, s.assignment));
    w->PlainField("error", ErrorName(s.error));
    w->Key("lastUpdatedDateTime");
    w->Raw(r->QuotedTime(s.updated_ms));
    w->Key("skuId");
    w->Raw(r->SkuId(t, s.sku));
    w->PlainField("state", StateName(s.state));
    w->EndObject();
  };
  for (const auto& s : u.states) {
    if (s.source == kDirect) write_state(s);
  }
  for (const auto& s : u.states) {
    if (s.source != kDirect) write_state(s);
  }
  w->EndArray();
  if (!assigned_plans) {
    w->EndObject();
    return;
  }
  w->Key("assignedPlans");
  w->BeginArray();
  const auto effective = EffectiveLicenses(t, u);
  std::vector<Id> seen;
  for (const auto& [sku, disabled] : effective) {
    int64_t since = 0;
    for (const auto& s : u.states) {
      if (s.sku == sku && s.Holds() && (since == 0 || s.updated_ms < since)) since = s.updated_ms;
    }
    for (Id p : t.skus()[sku].plans) {
      if (std::binary_search(disabled.begin(), disabled.end(), p)) continue;
      if (std::find(seen.begin(), seen.end(), p) != seen.end()) continue;
      seen.push_back(p);
      w->BeginObject();
      TimeField(w, "assignedDateTime", since);
      // The subscription's status carries over to its plans (Enabled, Warning, Suspended,
      // Deleted, LockedOut); `service` is the workload's name, not the plan's.
      w->Field("capabilityStatus", t.skus()[sku].capability_status);
      w->Field("service", ServiceOfPlan(t.plans()[p].name));
      w->Field("servicePlanId", t.plans()[p].id);
      w->EndObject();
    }
  }
  w->EndArray();
  w->EndObject();
}

void WriteDeletedUser(const Tenant& t, Id ui, const DeletedUser& d, JsonWriter* w) {
  const User& u = t.users()[ui];
  w->BeginObject();
  w->Field("@odata.type", "#microsoft.graph.user");
  WriteUserProperties(u, w);
  TimeField(w, "deletedDateTime", d.deleted_ms);
  w->Key("memberOf");
  w->BeginArray();
  for (Id g : d.groups) w->String(t.groups()[g].id);
  w->EndArray();
  std::vector<std::pair<Id, std::vector<Id>>> direct;
  for (const auto& [sku, a] : d.direct) direct.emplace_back(sku, t.assignments()[a].disabled);
  w->Key("assignedLicenses");
  WriteLicenses(t, direct, w);
  w->EndObject();
}

void WriteGroup(const Tenant& t, Id gi, JsonWriter* w) {
  const Group& g = t.groups()[gi];
  w->BeginObject();
  w->Field("id", g.id);
  w->Field("displayName", g.display_name);
  if (!g.description.empty()) w->Field("description", g.description);
  w->FieldBool("securityEnabled", g.security_enabled);
  w->FieldBool("mailEnabled", g.mail_enabled);
  w->Key("groupTypes");
  w->BeginArray();
  for (const auto& s : g.group_types) w->String(s);
  w->EndArray();
  if (!g.membership_rule.empty()) {
    w->Field("membershipRule", g.membership_rule);
    w->Field("membershipRuleProcessingState", g.rule_paused ? "Paused" : "On");
  }
  std::vector<std::pair<Id, std::vector<Id>>> lic;
  for (Id a : g.licenses) lic.emplace_back(t.assignments()[a].sku, t.assignments()[a].disabled);
  w->Key("assignedLicenses");
  WriteLicenses(t, lic, w);
  w->Key("licenseProcessingState");
  w->BeginObject();
  w->Field("state", ProcessingStateName(g.processing));
  w->EndObject();
  w->Key("members");
  w->BeginArray();
  for (Id u : g.members) {  // the bytes BeginObject, two Fields and EndObject would write
    w->QuotedIn("{\"@odata.type\":\"#microsoft.graph.user\",\"id\":", t.users()[u].id, "}");
  }
  for (Id c : g.member_groups) {
    w->BeginObject();
    w->Field("@odata.type", "#microsoft.graph.group");
    w->Field("id", t.groups()[c].id);
    w->EndObject();
  }
  for (const auto& [id, type] : g.other_members) {
    w->BeginObject();
    w->Field("@odata.type", type);
    w->Field("id", id);
    w->EndObject();
  }
  w->EndArray();
  w->Key("membersWithLicenseErrors");
  w->BeginArray();
  if (g.error_users > 0) {
    for (Id u : g.members) {
      for (const auto& s : t.users()[u].states) {
        if (s.source == gi && s.error != ErrorKind::kNone) {
          w->String(t.users()[u].id);
          break;
        }
      }
    }
  }
  w->EndArray();
  w->EndObject();
}

void WriteRules(const Tenant& t, JsonWriter* w) {
  w->BeginObject();
  w->Field("profile", t.rules_profile);
  w->Key("mutuallyExclusive");
  w->BeginArray();
  for (size_t f = 0; f < t.family_names().size(); ++f) {
    std::vector<Id> members;
    for (Id p = 0; p < t.plans().size(); ++p) {
      if (t.plans()[p].family == static_cast<int32_t>(f)) members.push_back(p);
    }
    if (members.empty()) continue;
    w->BeginObject();
    w->Field("name", t.family_names()[f]);
    w->Key("servicePlanIds");
    w->BeginArray();
    for (Id p : members) w->String(t.plans()[p].id);
    w->EndArray();
    w->EndObject();
  }
  w->EndArray();
  w->Key("dependencies");
  w->BeginArray();
  for (const auto& p : t.plans()) {
    if (p.requires_any_of.empty() && p.requires_unowned.empty()) continue;
    w->BeginObject();
    w->Field("servicePlanId", p.id);
    w->Key("requiresAnyOf");
    w->BeginArray();
    for (Id q : p.requires_any_of) w->String(t.plans()[q].id);
    for (const auto& id : p.requires_unowned) w->String(id);
    w->EndArray();
    w->EndObject();
  }
  w->EndArray();
  w->Key("usageLocationRestrictions");
  w->BeginArray();
  for (const auto& p : t.plans()) {
    if (p.prohibited_in.empty()) continue;
    w->BeginObject();
    w->Field("servicePlanId", p.id);
    w->Key("prohibitedCountries");
    w->BeginArray();
    for (const auto& c : p.prohibited_in) w->String(c);
    w->EndArray();
    w->EndObject();
  }
  w->EndArray();
  w->EndObject();
}

}  // namespace

std::string AuditActivityName(const Tenant& t, const AuditEvent& e) {
  if (e.activity == Activity::kImported) return e.actor == kNoId ? "" : t.audit_text()[e.actor];
  return ActivityName(e.activity);
}

std::string AuditEventJson(const Tenant& t, size_t index) {
  const AuditEvent& e = t.audit()[index];
  if (e.activity == Activity::kImported) return t.audit_text()[e.text];
  std::string out;
  JsonWriter w(&out);
  char id[48];
  std::snprintf(id, sizeof id, "Directory_GBL_%08zu", index);
  w.BeginObject();
  w.Field("id", id);
  w.Field("category", Category(e.activity));
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012zx", index);
  w.Field("correlationId", id);
  const bool failure = e.activity == Activity::kChangeUserLicense && e.failed != 0;
  w.Field("result", failure ? "failure" : "success");
  w.Field("resultReason", failure && e.text != kNoId ? t.audit_text()[e.text] : std::string());
  w.Field("activityDisplayName", ActivityName(e.activity));
  TimeField(&w, "activityDateTime", e.time_ms);
  w.Field("loggedByService", "Core Directory");
  w.Field("operationType", Operation(e.activity));
  w.Key("initiatedBy");
  w.BeginObject();
  if (e.by_system) {
    w.Key("app");
    w.BeginObject();
    w.Field("displayName", "Microsoft Entra group-Based Licensing");
    w.EndObject();
  } else {
    w.Key("user");
    w.BeginObject();
    w.Field("userPrincipalName", e.actor == kNoId ? std::string() : t.audit_text()[e.actor]);
    w.EndObject();
  }
  w.EndObject();
  w.Key("targetResources");
  w.BeginArray();
  auto modified = [&](const char* name, const std::string& old_value,
                      const std::string& new_value) {
    w.Key("modifiedProperties");
    w.BeginArray();
    w.BeginObject();
    w.Field("displayName", name);
    w.Field("oldValue", old_value);
    w.Field("newValue", new_value);
    w.EndObject();
    w.EndArray();
  };
  if (e.user != kNoId) {
    const User& u = t.users()[e.user];
    w.BeginObject();
    w.Field("id", u.id);
    w.Field("displayName", u.display_name);
    w.Field("type", "User");
    w.Field("userPrincipalName", u.upn);
    w.Key("modifiedProperties");
    w.BeginArray();
    w.EndArray();
    w.EndObject();
  }
  if (e.group != kNoId) {
    const Group& g = t.groups()[e.group];
    w.BeginObject();
    w.Field("id", g.id);
    w.Field("displayName", g.display_name);
    w.Field("type", "Group");
    if (e.activity == Activity::kFinishApplying) {
      modified("Result", "[]",
               "[Users successfully assigned licenses: " + std::to_string(e.succeeded) +
                   ", Users for whom license assignment failed: " + std::to_string(e.failed) +
                   ".]");
    } else if (e.activity == Activity::kStartApplying && e.text != kNoId) {
      modified("AssignedLicense", "", t.audit_text()[e.text]);
    } else if (e.activity == Activity::kSetGroupLicense && e.text != kNoId) {
      // The old and new templates are stored side by side.
      modified("AssignedLicense", t.audit_text()[e.text], t.audit_text()[e.text + 1]);
    } else {
      w.Key("modifiedProperties");
      w.BeginArray();
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("additionalDetails");
  w.BeginArray();
  w.EndArray();
  w.EndObject();
  w.Sync();
  return out;
}

namespace {

/// One subscribedSku.
void WriteSku(const Tenant& t, const Sku& s, JsonWriter* w) {
  w->BeginObject();
  if (!s.object_id.empty()) w->Field("id", s.object_id);
  w->Field("skuId", s.id);
  w->Field("skuPartNumber", s.part_number);
  w->Field("appliesTo", s.applies_to);
  w->Field("capabilityStatus", s.capability_status);
  w->Field("consumedUnits", s.consumed);
  w->Key("prepaidUnits");
  w->BeginObject();
  w->Field("enabled", s.prepaid.enabled);
  w->Field("lockedOut", s.prepaid.locked_out);
  w->Field("suspended", s.prepaid.suspended);
  w->Field("warning", s.prepaid.warning);
  w->EndObject();
  w->Key("servicePlans");
  w->BeginArray();
  for (size_t i = 0; i < s.plans.size(); ++i) {
    const Plan& p = t.plans()[s.plans[i]];
    w->BeginObject();
    w->Field("servicePlanId", p.id);
    w->Field("servicePlanName", p.name);
    w->Field("provisioningStatus", s.plan_provisioning[i]);
    w->Field("appliesTo", p.applies_to);
    w->EndObject();
  }
  w->EndArray();
  w->EndObject();
}

}  // namespace

std::string_view DocumentWriter::Repeats::Disabled(const Tenant& t, Id a) {
  if (disabled.size() <= a) disabled.resize(t.assignments().size());
  std::string& text = disabled[a];
  if (text.empty()) text = PlanIdsJson(t, t.assignments()[a].disabled);
  return text;
}

namespace {

std::string_view QuotedId(std::vector<std::string>* cache, size_t n, Id i, const std::string& id) {
  if (cache->size() <= i) cache->resize(n);
  std::string& text = (*cache)[i];
  if (text.empty()) JsonWriter::AppendQuoted(&text, id);
  return text;
}

}  // namespace

std::string_view DocumentWriter::Repeats::SkuId(const Tenant& t, Id s) {
  return QuotedId(&sku_ids, t.skus().size(), s, t.skus()[s].id);
}

std::string_view DocumentWriter::Repeats::GroupId(const Tenant& t, Id g) {
  return QuotedId(&group_ids, t.groups().size(), g, t.groups()[g].id);
}

std::string_view DocumentWriter::Repeats::QuotedTime(int64_t ms) {
  if (time_text.empty() || ms != time_ms) {
    char text[Tenant::kTimeTextMax];
    time_text = '"';
    time_text.append(text, Tenant::FormatTimeTo(ms, text));
    time_text += '"';
    time_ms = ms;
  }
  return time_text;
}

DocumentWriter::DocumentWriter(const Tenant& t, const ExportOptions& options)
    : t_(t), options_(options), w_(&out_) {}

DocumentWriter::~DocumentWriter() = default;

bool DocumentWriter::Write(size_t min_bytes, const std::function<bool(std::string_view)>& sink) {
  const size_t piece = std::min<size_t>(1 << 20, std::max<size_t>(min_bytes, 1));
  size_t given = 0;
  bool go_on = true;
  // After each object: a piece of `piece` bytes or more goes to the sink; this call stops once
  // min_bytes went out (the next call goes on from the next object).
  auto emit = [&] {
    if (w_.Size() == 0) return;
    given += w_.Size();
    go_on = sink(std::string_view(out_.data(), w_.Size())) && go_on;
    w_.Restart();
  };
  auto enough = [&] {
    if (w_.Size() >= piece) emit();
    return !go_on || given >= min_bytes;
  };
  const Tenant& t = t_;
  JsonWriter& w = w_;
  while (phase_ != Phase::kDone) {
    switch (phase_) {
      case Phase::kHead:
        w.BeginObject();
        w.Key("organization");
        w.BeginArray();
        w.BeginObject();
        w.Field("id", t.org_id);
        w.Field("displayName", t.org_name);
        w.Field("countryLetterCode", t.country);
        w.EndObject();
        w.EndArray();
        w.Key("subscribedSkus");
        w.BeginArray();
        for (const auto& sku : t.skus()) WriteSku(t, sku, &w);
        w.EndArray();
        w.Key("users");
        w.BeginArray();
        phase_ = Phase::kUsers;
        break;
      case Phase::kUsers:
        for (; index_ < t.users().size();) {
          const User& u = t.users()[index_++];
          if (u.deleted) continue;
          WriteUser(t, u, options_.assigned_plans, &w, &repeats_);
          if (enough()) return go_on;
        }
        w.EndArray();
        // Users in the recycle bin, as GET /directory/deletedItems/microsoft.graph.user lists
        // them, with what a restore brings back (our extension: memberOf, assignedLicenses =
        // direct ones). Written only when there are some, so that documents without deletions
        // stay as they were.
        index_ = 0;
        if (!t.deleted_users().empty()) {
          w.Key("deletedItems");
          w.BeginArray();
          phase_ = Phase::kDeleted;
        } else {
          phase_ = Phase::kGroupsHead;
        }
        break;
      case Phase::kDeleted:
        for (; index_ < t.users().size();) {
          const Id ui = static_cast<Id>(index_++);
          auto it = t.deleted_users().find(ui);
          if (!t.users()[ui].deleted || it == t.deleted_users().end()) continue;
          WriteDeletedUser(t, ui, it->second, &w);
          if (enough()) return go_on;
        }
        w.EndArray();
        index_ = 0;
        phase_ = Phase::kGroupsHead;
        break;
      case Phase::kGroupsHead:
        w.Key("groups");
        w.BeginArray();
        phase_ = Phase::kGroups;
        break;
      case Phase::kGroups:
        for (; index_ < t.groups().size();) {
          const Id g = static_cast<Id>(index_++);
          if (t.groups()[g].deleted) continue;
          WriteGroup(t, g, &w);
          if (enough()) return go_on;
        }
        w.EndArray();
        w.Key("licensingRules");
        WriteRules(t, &w);
        index_ = 0;
        if (options_.audit) {
          w.Key("directoryAudits");
          w.BeginArray();
          phase_ = Phase::kAudits;
        } else {
          phase_ = Phase::kTail;
        }
        break;
      case Phase::kAudits:
        for (; index_ < t.audit().size();) {
          w.Raw(AuditEventJson(t, index_++));
          if (enough()) return go_on;
        }
        w.EndArray();
        phase_ = Phase::kTail;
        break;
      case Phase::kTail:
        w.EndObject();
        phase_ = Phase::kDone;
        break;
      case Phase::kDone:
        break;
    }
  }
  emit();
  return go_on;
}

bool DocumentWriter::Done() const { return phase_ == Phase::kDone; }

std::string WriteTenant(const Tenant& t, const ExportOptions& options) {
  std::string out;
  DocumentWriter writer(t, options);
  writer.Write(SIZE_MAX, [&](std::string_view piece) {
    out.append(piece.data(), piece.size());
    return true;
  });
  return out;
}

bool WriteTenant(const Tenant& t, const ExportOptions& options,
                 const std::function<bool(std::string_view)>& sink) {
  DocumentWriter writer(t, options);
  return writer.Write(SIZE_MAX, sink) && writer.Done();
}

}  // namespace gbl
