// Entra ID's dynamic membership rule language for users (groups-dynamic-membership.md): a parser
// that names the position and what it expected, an evaluator over any source of user attributes,
// and an explanation of which expression decided (the portal's "Validate rules"). Standalone: the
// tenant fills UserAttributes later; nothing here reads tenant.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gbl/result.h"

namespace gbl {

/// A user property a rule may name (`user.<property>`), resolved once at parse time.
enum class UserProperty : uint8_t {
  // Strings.
  kCity,
  kCountry,
  kCompanyName,
  kDepartment,
  kDisplayName,
  kEmployeeId,
  kFacsimileTelephoneNumber,
  kGivenName,
  kJobTitle,
  kMail,
  kMailNickname,
  kMobile,
  kObjectId,
  kOnPremisesDistinguishedName,
  kOnPremisesSecurityIdentifier,
  kPasswordPolicies,
  kPhysicalDeliveryOfficeName,
  kPostalCode,
  kPreferredLanguage,
  kSipProxyAddress,
  kState,
  kStreetAddress,
  kSurname,
  kTelephoneNumber,
  kUsageLocation,
  kUserPrincipalName,
  kUserType,
  kExtensionAttribute1,  // ... through 15, in order.
  kExtensionAttribute2,
  kExtensionAttribute3,
  kExtensionAttribute4,
  kExtensionAttribute5,
  kExtensionAttribute6,
  kExtensionAttribute7,
  kExtensionAttribute8,
  kExtensionAttribute9,
  kExtensionAttribute10,
  kExtensionAttribute11,
  kExtensionAttribute12,
  kExtensionAttribute13,
  kExtensionAttribute14,
  kExtensionAttribute15,
  // Booleans.
  kAccountEnabled,
  kDirSyncEnabled,
  // String collections.
  kOtherMails,
  kProxyAddresses,
  // Collection of assigned plans (only with -any / -all).
  kAssignedPlans,
  // A directory extension property `extension_<appId>_<name>` (looked up by name).
  kDirectoryExtension,
};

/// The rule-visible name of a property, e.g. "department" (kDirectoryExtension: "extension_").
std::string_view UserPropertyName(UserProperty p);

/// One entry of user.assignedPlans as rules see it.
struct AssignedPlanView {
  /// The plan's GUID, e.g. "efb87545-963c-4e0d-99df-69c6916d9eb0".
  std::string_view service_plan_id;
  /// The plan's service name, e.g. "exchange" or "SCO".
  std::string_view service;
  /// "Enabled", "Warning", "Suspended", "Deleted" or "LockedOut".
  std::string_view capability_status;
};

/// What a rule reads of one user. Absent values are null (an empty string counts as null too).
class UserAttributes {
 public:
  virtual ~UserAttributes() = default;
  /// A string property (kCity … kExtensionAttribute15), or nullopt when null.
  virtual std::optional<std::string_view> String(UserProperty p) const = 0;
  /// A boolean property (kAccountEnabled, kDirSyncEnabled), or nullopt when null.
  virtual std::optional<bool> Boolean(UserProperty p) const = 0;
  /// Items of a string collection (kOtherMails, kProxyAddresses).
  virtual size_t CollectionSize(UserProperty p) const = 0;
  /// Item `i` (< CollectionSize(p)) of a string collection.
  virtual std::string_view CollectionItem(UserProperty p, size_t i) const = 0;
  /// Entries of user.assignedPlans.
  virtual size_t AssignedPlanCount() const = 0;
  /// Entry `i` (< AssignedPlanCount()) of user.assignedPlans.
  virtual AssignedPlanView AssignedPlan(size_t i) const = 0;
  /// A directory extension `extension_<appId>_<name>`, asked for in lower case, or nullopt.
  virtual std::optional<std::string_view> Extension(std::string_view lower_name) const = 0;
  /// The object id of the user's manager (for "Direct Reports for"), or nullopt.
  virtual std::optional<std::string_view> ManagerId() const = 0;
};

/// A plain UserAttributes holding its own values: tests, the fuzz harness, small previews.
class UserAttributeSet : public UserAttributes {
 public:
  /// Sets a string property (nullopt: null).
  UserAttributeSet& Set(UserProperty p, std::optional<std::string> value);
  /// Sets a boolean property.
  UserAttributeSet& SetBoolean(UserProperty p, std::optional<bool> value);
  /// Appends an item to a string collection.
  UserAttributeSet& Add(UserProperty p, std::string item);
  /// Appends an assigned plan.
  UserAttributeSet& AddPlan(std::string service_plan_id, std::string service,
                            std::string capability_status);
  /// Sets a directory extension (any case).
  UserAttributeSet& SetExtension(std::string_view name, std::string value);
  /// Sets the manager's object id.
  UserAttributeSet& SetManager(std::string manager_id);

  std::optional<std::string_view> String(UserProperty p) const override;
  std::optional<bool> Boolean(UserProperty p) const override;
  size_t CollectionSize(UserProperty p) const override;
  std::string_view CollectionItem(UserProperty p, size_t i) const override;
  size_t AssignedPlanCount() const override;
  AssignedPlanView AssignedPlan(size_t i) const override;
  std::optional<std::string_view> Extension(std::string_view lower_name) const override;
  std::optional<std::string_view> ManagerId() const override;

 private:
  struct Plan {
    std::string id, service, status;
  };
  std::map<UserProperty, std::string> strings_;
  std::map<UserProperty, bool> booleans_;
  std::vector<std::string> other_mails_;
  std::vector<std::string> proxy_addresses_;
  std::vector<Plan> plans_;
  std::map<std::string, std::string, std::less<>> extensions_;
  std::optional<std::string> manager_;
};

/// A comparison operator of the language.
enum class RuleOperator : uint8_t {
  kEq,
  kNe,
  kStartsWith,
  kNotStartsWith,
  kEndsWith,
  kNotEndsWith,
  kContains,
  kNotContains,
  kMatch,
  kNotMatch,
  kIn,
  kNotIn,
};

/// A small regular expression (the -match subset: literals, ., classes, \d \w \s and their
/// negations, ^ $ \b \B, groups, |, * + ? {n,m} greedy or lazy), matched case-insensitively in
/// linear time (a Pike VM over bytes; ASCII case folding). Search semantics, as -match has.
class RuleRegex {
 public:
  /// One VM instruction.
  struct Inst {
    enum class Op : uint8_t { kByte, kAny, kClass, kSplit, kJmp, kAssert, kMatch };
    Op op;
    uint8_t byte = 0;  // kByte (lower case); kAssert: '^', '$', 'b', 'B'
    uint32_t x = 0;    // kSplit/kJmp target; kClass: class index
    uint32_t y = 0;    // kSplit second target
  };
  /// True when the pattern occurs somewhere in `text`.
  bool Search(std::string_view text) const;

  std::vector<Inst> program_;               ///< Compiled program; starts at 0.
  std::vector<std::vector<bool>> classes_;  ///< 256-entry byte sets (already case-folded).
};

/// Compiles a -match pattern; the error's message names the pattern offset and what is wrong.
Result<RuleRegex> CompileRuleRegex(std::string_view pattern);

/// A parsed rule: an expression tree (flat nodes) or a "Direct Reports for" rule.
struct MembershipRule {
  /// One node of the expression tree.
  struct Node {
    enum class Kind : uint8_t { kAnd, kOr, kNot, kCompare, kAny, kAll };
    /// What a comparison reads: a user property, the collection item (`_`), or a plan field.
    enum class Operand : uint8_t {
      kProperty,
      kItem,
      kPlanServicePlanId,
      kPlanService,
      kPlanCapabilityStatus
    };
    Kind kind = Kind::kCompare;
    Operand operand = Operand::kProperty;
    UserProperty property = UserProperty::kCity;
    RuleOperator op = RuleOperator::kEq;
    bool null_value = false;         ///< Compared with null (-eq / -ne only).
    std::optional<bool> bool_value;  ///< Compared with true / false (boolean properties).
    uint32_t first = 0;              ///< kAnd/kOr/kNot/kAny/kAll: first child in `children`.
    uint32_t count = 0;              ///< Children (kNot, kAny, kAll: 1).
    uint32_t value = 0;              ///< kCompare: first string in `values` (lower case).
    uint32_t value_count = 0;        ///< Strings (-in / -notIn: the list; else 1 or 0).
    uint32_t regex = 0;              ///< kMatch/kNotMatch: index in `regexes`.
    uint32_t extension = 0;          ///< kDirectoryExtension: index in `values` of its name.
    uint32_t begin = 0;              ///< Source span of the expression in `text`.
    uint32_t end = 0;                ///< One past its last character.
  };

  /// The rule as given.
  std::string text;
  /// True for `Direct Reports for "<managerId>"`.
  bool direct_reports = false;
  /// The manager's object id of a Direct Reports rule (lower case).
  std::string manager_id;
  /// Tree nodes; the root is `root`.
  std::vector<Node> nodes;
  /// Child node indices of n-ary and unary nodes.
  std::vector<uint32_t> children;
  /// String values, lower-cased at parse time.
  std::vector<std::string> values;
  /// Compiled -match patterns.
  std::vector<RuleRegex> regexes;
  /// Index of the root node (when !direct_reports).
  uint32_t root = 0;
  /// Leaf expressions (comparisons and -any/-all) in rule order: the portal's "expressions".
  std::vector<uint32_t> leaves;
};

/// The documented limit of a rule's body, in characters.
inline constexpr size_t kMaxRuleCharacters = 3072;
/// The engine's own bound on nesting (parentheses and -not), so a rule cannot exhaust the stack.
inline constexpr size_t kMaxRuleNesting = 64;

/// Parses a membership rule; a BadRequest error names the 0-based position and what was expected.
Result<MembershipRule> ParseMembershipRule(std::string_view rule);

/// Whether `user` satisfies `rule`.
bool Evaluate(const MembershipRule& rule, const UserAttributes& user);

/// The outcome of one leaf expression for one user.
struct ExpressionOutcome {
  /// The expression's text, e.g. `user.department -eq "Sales"`.
  std::string text;
  /// Its 0-based source span [begin, end) in the rule.
  size_t begin = 0;
  /// One past its last character.
  size_t end = 0;
  /// Its value for the user.
  bool value = false;
};

/// "Validate rules" for one user: each expression's value and the one that decided.
struct RuleExplanation {
  /// Whether the user satisfies the rule.
  bool result = false;
  /// Every leaf expression in rule order (a Direct Reports rule: one).
  std::vector<ExpressionOutcome> expressions;
  /// Index in `expressions` of the last expression left-to-right short-circuit evaluation
  /// needed: the one that fixed the outcome.
  size_t deciding = 0;
};

/// Evaluates `rule` for `user` with each expression's value and the deciding one.
RuleExplanation ExplainRule(const MembershipRule& rule, const UserAttributes& user);

}  // namespace gbl
