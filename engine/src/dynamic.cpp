// Dynamic membership in the tenant (see dynamic.h).
#include "dynamic.h"

#include <algorithm>

#include "json_reader.h"
#include "licensing.h"

namespace gbl {

const std::vector<UserStringField>& UserStringFields() {
  // Graph's user resource names (user.md) and the rule property each one is read as.
  static const std::vector<UserStringField> kFields = {
      {"city", UserProperty::kCity},
      {"companyName", UserProperty::kCompanyName},
      {"country", UserProperty::kCountry},
      {"department", UserProperty::kDepartment},
      {"employeeId", UserProperty::kEmployeeId},
      {"faxNumber", UserProperty::kFacsimileTelephoneNumber},
      {"givenName", UserProperty::kGivenName},
      {"jobTitle", UserProperty::kJobTitle},
      {"mailNickname", UserProperty::kMailNickname},
      {"mobilePhone", UserProperty::kMobile},
      {"officeLocation", UserProperty::kPhysicalDeliveryOfficeName},
      {"onPremisesDistinguishedName", UserProperty::kOnPremisesDistinguishedName},
      {"onPremisesSecurityIdentifier", UserProperty::kOnPremisesSecurityIdentifier},
      {"passwordPolicies", UserProperty::kPasswordPolicies},
      {"postalCode", UserProperty::kPostalCode},
      {"preferredLanguage", UserProperty::kPreferredLanguage},
      {"state", UserProperty::kState},
      {"streetAddress", UserProperty::kStreetAddress},
      {"surname", UserProperty::kSurname},
      {"userType", UserProperty::kUserType},
  };
  return kFields;
}

const UserStringField* FindUserStringField(std::string_view graph_name) {
  for (const auto& f : UserStringFields()) {
    if (NameIs(graph_name, f.graph_name)) return &f;
  }
  return nullptr;
}

bool IsDirectoryExtensionName(std::string_view name) {
  return name.size() > 10 && NameIs(name.substr(0, 10), "extension_");
}

int ExtensionAttributeNumber(std::string_view name) {
  constexpr std::string_view kPrefix = "extensionAttribute";
  if (name.size() <= kPrefix.size() || name.size() > kPrefix.size() + 2 ||
      !NameIs(name.substr(0, kPrefix.size()), kPrefix)) {
    return 0;
  }
  int n = 0;
  for (char c : name.substr(kPrefix.size())) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  if (name[kPrefix.size()] == '0') return 0;
  return n >= 1 && n <= 15 ? n : 0;
}

std::string ExtensionAttributeName(UserProperty p) {
  return "extensionAttribute" +
         std::to_string(static_cast<int>(p) - static_cast<int>(UserProperty::kExtensionAttribute1) +
                        1);
}

TenantUserAttributes::TenantUserAttributes(const Tenant& t, Id u) : t_(t), user_(t.users()[u]) {
  if (user_.details != kNoId) {
    const UserFieldRange& r = t.user_details()[user_.details];
    fields_ = t.user_fields().data() + r.begin;
    field_count_ = r.count;
  }
}

const UserField* TenantUserAttributes::First(uint8_t property, size_t* count) const {
  *count = 0;
  const UserField* first = nullptr;
  for (size_t i = 0; i < field_count_; ++i) {
    if (fields_[i].property != property) continue;
    if (first == nullptr) first = fields_ + i;
    ++*count;
  }
  return first;
}

namespace {
std::optional<std::string_view> NonEmpty(std::string_view s) {
  if (s.empty()) return std::nullopt;
  return s;
}
}  // namespace

std::optional<std::string_view> TenantUserAttributes::String(UserProperty p) const {
  switch (p) {
    case UserProperty::kDisplayName:
      return NonEmpty(user_.display_name);
    case UserProperty::kMail:
      return NonEmpty(user_.mail);
    case UserProperty::kUserPrincipalName:
      return NonEmpty(user_.upn);
    case UserProperty::kUsageLocation:
      return NonEmpty(user_.usage_location);
    case UserProperty::kObjectId:
      return NonEmpty(user_.id);
    case UserProperty::kSipProxyAddress:
      // The address of the user's "SIP:" proxy address, as the directory derives it.
      for (const auto& a : user_.proxy_addresses) {
        if (a.size() > 4 && NameIs(std::string_view(a).substr(0, 4), "sip:")) {
          return std::string_view(a).substr(4);
        }
      }
      return std::nullopt;
    default:
      break;
  }
  size_t n = 0;
  const UserField* f = First(static_cast<uint8_t>(p), &n);
  if (f == nullptr) return std::nullopt;
  return NonEmpty(t_.attribute_text()[f->value]);
}

std::optional<bool> TenantUserAttributes::Boolean(UserProperty p) const {
  if (p == UserProperty::kAccountEnabled) return user_.account_enabled;
  size_t n = 0;
  const UserField* f = First(static_cast<uint8_t>(p), &n);
  if (f == nullptr) return std::nullopt;
  return t_.attribute_text()[f->value] == "true";
}

size_t TenantUserAttributes::CollectionSize(UserProperty p) const {
  if (p == UserProperty::kProxyAddresses) return user_.proxy_addresses.size();
  size_t n = 0;
  First(static_cast<uint8_t>(p), &n);
  return n;
}

std::string_view TenantUserAttributes::CollectionItem(UserProperty p, size_t i) const {
  if (p == UserProperty::kProxyAddresses) return user_.proxy_addresses[i];
  size_t n = 0;
  const UserField* f = First(static_cast<uint8_t>(p), &n);
  return t_.attribute_text()[f[i].value];  // items of one property are contiguous
}

void TenantUserAttributes::FillPlans() const {
  if (plans_filled_) return;
  plans_filled_ = true;
  // user.assignedPlans as the export writes them: the plans of the licenses the user holds.
  for (const auto& [sku, disabled] : EffectiveLicenses(t_, user_)) {
    const Sku& s = t_.skus()[sku];
    for (Id p : s.plans) {
      if (std::binary_search(disabled.begin(), disabled.end(), p)) continue;
      plans_.push_back({t_.plans()[p].id, ServiceOfPlan(t_.plans()[p].name), s.capability_status});
    }
  }
}

size_t TenantUserAttributes::AssignedPlanCount() const {
  FillPlans();
  return plans_.size();
}

AssignedPlanView TenantUserAttributes::AssignedPlan(size_t i) const {
  FillPlans();
  return {plans_[i].id, plans_[i].service, plans_[i].status};
}

std::optional<std::string_view> TenantUserAttributes::Extension(std::string_view lower_name) const {
  for (size_t i = 0; i < field_count_; ++i) {
    const UserField& f = fields_[i];
    if (f.property == static_cast<uint8_t>(UserProperty::kDirectoryExtension) &&
        NameIs(t_.attribute_text()[f.name], lower_name)) {
      return NonEmpty(t_.attribute_text()[f.value]);
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> TenantUserAttributes::ManagerId() const {
  size_t n = 0;
  const UserField* f = First(kManagerField, &n);
  if (f == nullptr) return std::nullopt;
  return NonEmpty(t_.attribute_text()[f->value]);
}

bool IsDynamicGroup(const Group& g) {
  for (const auto& type : g.group_types) {
    if (NameIs(type, "DynamicMembership")) return true;
  }
  return false;
}

bool RuleInForce(const Group& g) {
  return !g.deleted && g.rule != nullptr && !g.rule_paused && IsDynamicGroup(g);
}

std::vector<Id> RuleMembers(const Tenant& t, const MembershipRule& rule) {
  std::vector<Id> out;
  const auto& users = t.users();
  for (Id u = 0; u < users.size(); ++u) {
    if (users[u].deleted) continue;
    if (Evaluate(rule, TenantUserAttributes(t, u))) out.push_back(u);
  }
  return out;
}

void SetGroupRule(Group* g, std::string text) {
  g->membership_rule = std::move(text);
  g->rule.reset();
  g->rule_error.clear();
  if (g->membership_rule.empty()) return;
  Result<MembershipRule> parsed = ParseMembershipRule(g->membership_rule);
  if (parsed.Ok()) {
    g->rule = std::make_shared<const MembershipRule>(std::move(parsed.Value()));
  } else {
    g->rule_error = parsed.GetError().message;
  }
}

size_t RuleErrorPosition(const std::string& message) {
  const std::string prefix = "position ";
  if (message.rfind(prefix, 0) != 0) return 0;
  size_t n = 0;
  for (size_t i = prefix.size(); i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i)
    n = n * 10 + static_cast<size_t>(message[i] - '0');
  return n;
}

namespace {

/// True when a membership change of `u` in `g` can change the user's licenses.
bool LicenseRelevant(const Tenant& t, Id u, Id g) {
  if (!t.groups()[g].licenses.empty()) return true;
  for (const auto& s : t.users()[u].states) {
    if (s.source == g) return true;
  }
  return false;
}

}  // namespace

MembershipChange SetDynamicMembers(Tenant* t, Id g, const std::vector<Id>& target) {
  const std::vector<Id>& current = t->groups()[g].members;
  std::vector<Id> joined, left;
  std::set_difference(target.begin(), target.end(), current.begin(), current.end(),
                      std::back_inserter(joined));
  std::set_difference(current.begin(), current.end(), target.begin(), target.end(),
                      std::back_inserter(left));
  MembershipChange change{joined.size(), left.size()};
  if (joined.empty() && left.empty()) return change;
  t->MutableGroup(g).members = target;
  for (Id u : joined) {
    auto& groups = t->MutableUser(u).groups;
    groups.insert(std::lower_bound(groups.begin(), groups.end(), g), g);
    t->Audit(Activity::kAddMember, true, u, g);
  }
  for (Id u : left) {
    auto& groups = t->MutableUser(u).groups;
    auto it = std::lower_bound(groups.begin(), groups.end(), g);
    if (it != groups.end() && *it == g) groups.erase(it);
    t->Audit(Activity::kRemoveMember, true, u, g);
  }
  for (const auto* list : {&joined, &left}) {
    for (Id u : *list) {
      if (LicenseRelevant(*t, u, g) && EvaluateUser(t, u, kNoId)) {
        t->Audit(Activity::kChangeUserLicense, true, u, g);
      }
    }
  }
  return change;
}

MembershipChange ReevaluateGroup(Tenant* t, Id g) {
  const Group& grp = t->groups()[g];
  if (!RuleInForce(grp)) return {};
  return SetDynamicMembers(t, g, RuleMembers(*t, *grp.rule));
}

bool ReevaluateUserMemberships(Tenant* t, Id u) {
  std::vector<std::pair<Id, bool>> moves;  // (group, joins)
  {
    const User& user = t->users()[u];
    TenantUserAttributes view(*t, u);
    for (Id g : t->GroupsWithRules()) {
      const Group& grp = t->groups()[g];
      if (!RuleInForce(grp)) continue;
      const bool member = std::binary_search(user.groups.begin(), user.groups.end(), g);
      const bool matches = !user.deleted && Evaluate(*grp.rule, view);
      if (member != matches) moves.emplace_back(g, matches);
    }
  }
  if (moves.empty()) return false;
  bool licenses = false;
  for (const auto& [g, joins] : moves) {
    auto& members = t->MutableGroup(g).members;
    auto it = std::lower_bound(members.begin(), members.end(), u);
    auto& groups = t->MutableUser(u).groups;
    auto git = std::lower_bound(groups.begin(), groups.end(), g);
    if (joins) {
      members.insert(it, u);
      groups.insert(git, g);
    } else {
      members.erase(it);
      groups.erase(git);
    }
    t->Audit(joins ? Activity::kAddMember : Activity::kRemoveMember, true, u, g);
    licenses = licenses || LicenseRelevant(*t, u, g);
  }
  if (licenses && EvaluateUser(t, u, kNoId)) {
    t->Audit(Activity::kChangeUserLicense, true, u, moves.front().first);
  }
  return true;
}

}  // namespace gbl
