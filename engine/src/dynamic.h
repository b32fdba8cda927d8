// Dynamic membership in the tenant: users' rule attributes as Graph names them, a tenant user as
// UserAttributes, and a dynamic group's members following its rule (groups-dynamic-membership.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "membership_rule.h"
#include "tenant.h"

namespace gbl {

/// A user's string attribute kept in the user's fields: its Graph name and the rule property.
struct UserStringField {
  std::string_view graph_name;  ///< e.g. "officeLocation"
  UserProperty property;        ///< e.g. kPhysicalDeliveryOfficeName
};

/// The string attributes kept as fields (the ones User has as members are not in it).
const std::vector<UserStringField>& UserStringFields();

/// The rule property of a Graph string attribute kept as a field (any letter case), or nullptr.
const UserStringField* FindUserStringField(std::string_view graph_name);

/// True for the prefix of a directory extension property ("extension_", any letter case).
bool IsDirectoryExtensionName(std::string_view name);

/// N of "extensionAttributeN" (1 to 15, any letter case), or 0 for any other name.
int ExtensionAttributeNumber(std::string_view name);

/// Graph's name of onPremisesExtensionAttributes.extensionAttributeN for a property.
std::string ExtensionAttributeName(UserProperty p);

/// A tenant user as membership rules read it.
class TenantUserAttributes : public UserAttributes {
 public:
  /// Reads user `u` of `t` (which must outlive it).
  TenantUserAttributes(const Tenant& t, Id u);

  std::optional<std::string_view> String(UserProperty p) const override;
  std::optional<bool> Boolean(UserProperty p) const override;
  size_t CollectionSize(UserProperty p) const override;
  std::string_view CollectionItem(UserProperty p, size_t i) const override;
  size_t AssignedPlanCount() const override;
  AssignedPlanView AssignedPlan(size_t i) const override;
  std::optional<std::string_view> Extension(std::string_view lower_name) const override;
  std::optional<std::string_view> ManagerId() const override;

 private:
  const UserField* First(uint8_t property, size_t* count) const;
  void FillPlans() const;

  const Tenant& t_;
  const User& user_;
  const UserField* fields_ = nullptr;
  size_t field_count_ = 0;
  struct PlanEntry {
    std::string_view id;
    std::string service;
    std::string_view status;
  };
  mutable bool plans_filled_ = false;
  mutable std::vector<PlanEntry> plans_;
};

/// True when the group's groupTypes has "DynamicMembership".
bool IsDynamicGroup(const Group& g);
/// True when the group's members follow its rule now: dynamic, a rule that parses, On, and
/// not deleted.
bool RuleInForce(const Group& g);
/// The users (not deleted) that satisfy `rule`, ascending.
std::vector<Id> RuleMembers(const Tenant& t, const MembershipRule& rule);
/// Parses a group's membershipRule into g->rule / g->rule_error ("" rule: none).
void SetGroupRule(Group* g, std::string text);

/// The 0-based position a ParseMembershipRule error names ("position N: ..."), or 0.
size_t RuleErrorPosition(const std::string& message);

/// What a membership re-evaluation changed.
struct MembershipChange {
  size_t joined = 0;
  size_t left = 0;
};

/// Makes the group's user members `target` (ascending): each join and leave as a membership
/// change is made (the user's groups, the audit's Add/Remove member by the service, the user's
/// licenses evaluated again), through the journal when one is open.
MembershipChange SetDynamicMembers(Tenant* t, Id g, const std::vector<Id>& target);
/// Evaluates a group's rule again and applies it (nothing when the rule is not in force).
MembershipChange ReevaluateGroup(Tenant* t, Id g);
/// Evaluates every dynamic group's rule for one user (an attribute changed) and applies joins
/// and leaves; the user's licenses are evaluated again once when any changed. Returns true when
/// a membership changed.
bool ReevaluateUserMemberships(Tenant* t, Id u);

}  // namespace gbl
