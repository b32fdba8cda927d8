// The dynamic membership rule language (membership_rule.h): one test per operator and property
// kind, parse errors with their positions, and the example rules of Microsoft's
// groups-dynamic-membership.md and groups-troubleshooting.md, quoted as inputs.
#include "membership_rule.h"

#include <gtest/gtest.h>

#include <string>

namespace gbl {
namespace {

using P = UserProperty;

MembershipRule Parsed(const std::string& rule) {
  auto r = ParseMembershipRule(rule);
  EXPECT_TRUE(r.Ok()) << rule << "\n  " << (r.Ok() ? "" : r.GetError().message);
  return r.Ok() ? std::move(r.Value()) : MembershipRule{};
}

bool Holds(const std::string& rule, const UserAttributes& user) {
  return Evaluate(Parsed(rule), user);
}

/// The parse error's message; fails the test when the rule parses.
std::string ParseError(const std::string& rule) {
  auto r = ParseMembershipRule(rule);
  EXPECT_FALSE(r.Ok()) << rule;
  if (r.Ok()) return "";
  EXPECT_EQ(r.GetError().code, "BadRequest");
  return r.GetError().message;
}

UserAttributeSet Sales() {
  UserAttributeSet u;
  u.Set(P::kDepartment, "Sales")
      .Set(P::kCountry, "US")
      .Set(P::kDisplayName, "David Jones")
      .Set(P::kJobTitle, "Account Manager")
      .Set(P::kUserPrincipalName, "david@contoso.com")
      .Set(P::kObjectId, "11111111-2222-3333-4444-555555555555")
      .Set(P::kUserType, "Member")
      .SetBoolean(P::kAccountEnabled, true)
      .Add(P::kProxyAddresses, "SMTP:david@contoso.com")
      .Add(P::kProxyAddresses, "smtp:dj@fabrikam.com")
      .Add(P::kOtherMails, "david@outlook.com");
  return u;
}

// --- Operators ----------------------------------------------------------------------------

TEST(MembershipRule, EqIsCaseInsensitive) {
  EXPECT_TRUE(Holds(R"(user.department -eq "Sales")", Sales()));
  EXPECT_TRUE(Holds(R"(user.department -eq "SALES")", Sales()));
  EXPECT_FALSE(Holds(R"(user.department -eq "Sale")", Sales()));
}

TEST(MembershipRule, Ne) {
  EXPECT_TRUE(Holds(R"(user.department -ne "Marketing")", Sales()));
  EXPECT_FALSE(Holds(R"(user.department -ne "sales")", Sales()));
}

TEST(MembershipRule, StartsWithAndNotStartsWith) {
  EXPECT_TRUE(Holds(R"(user.jobTitle -startsWith "account")", Sales()));
  EXPECT_FALSE(Holds(R"(user.jobTitle -startsWith "Manager")", Sales()));
  EXPECT_TRUE(Holds(R"(user.jobTitle -notStartsWith "SDE")", Sales()));
  EXPECT_FALSE(Holds(R"(user.jobTitle -notStartsWith "Acc")", Sales()));
}

TEST(MembershipRule, EndsWithAndNotEndsWith) {
  EXPECT_TRUE(Holds(R"(user.userPrincipalName -endsWith "@CONTOSO.com")", Sales()));
  EXPECT_FALSE(Holds(R"(user.userPrincipalName -notEndsWith "@contoso.com")", Sales()));
  EXPECT_TRUE(Holds(R"(user.userPrincipalName -notEndsWith "@fabrikam.com")", Sales()));
}

TEST(MembershipRule, ContainsAndNotContains) {
  EXPECT_TRUE(Holds(R"(user.displayName -contains "VID J")", Sales()));
  EXPECT_FALSE(Holds(R"(user.displayName -contains "Smith")", Sales()));
  EXPECT_TRUE(Holds(R"(user.displayName -notContains "Smith")", Sales()));
  EXPECT_FALSE(Holds(R"(user.displayName -notContains "jones")", Sales()));
}

TEST(MembershipRule, MatchAndNotMatchSearchCaseInsensitively) {
  EXPECT_TRUE(Holds(R"(user.displayName -match "^da.*")", Sales()));
  EXPECT_TRUE(Holds(R"(user.displayName -match "jon")", Sales()));  // unanchored search
  EXPECT_FALSE(Holds(R"(user.displayName -match "^Jones")", Sales()));
  EXPECT_TRUE(Holds(R"(user.displayName -notMatch "^Jones")", Sales()));
  EXPECT_TRUE(Holds(R"(user.userPrincipalName -match "@contoso\.com$")", Sales()));
  EXPECT_TRUE(
      Holds(R"(user.objectId -match "^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")", Sales()));
  EXPECT_TRUE(Holds(R"(user.displayName -match "\bJones\b")", Sales()));
  EXPECT_TRUE(Holds(R"(user.displayName -match "(Alice|David) \w+")", Sales()));
  EXPECT_FALSE(Holds(R"(user.displayName -match "^[^d]")", Sales()));  // class folds case
}

TEST(MembershipRule, InAndNotIn) {
  EXPECT_TRUE(Holds(R"(user.country -in ["GB", "us", "CA"])", Sales()));
  EXPECT_FALSE(Holds(R"(user.country -in ["GB","CA"])", Sales()));
  EXPECT_TRUE(Holds(R"(user.country -notIn ["GB","CA"])", Sales()));
  EXPECT_FALSE(Holds(R"(user.country -notIn ['US'])", Sales()));
}

TEST(MembershipRule, AndOrNotAndPrecedence) {
  const auto u = Sales();
  EXPECT_TRUE(Holds(R"(user.department -eq "Sales" -and user.country -eq "US")", u));
  EXPECT_FALSE(Holds(R"(user.department -eq "Sales" -and user.country -eq "GB")", u));
  EXPECT_TRUE(Holds(R"(user.department -eq "HR" -or user.country -eq "US")", u));
  EXPECT_FALSE(Holds(R"(-not (user.department -eq "Sales"))", u));
  // -and binds tighter than -or: true -or (false -and false).
  EXPECT_TRUE(
      Holds(R"(user.country -eq "US" -or user.department -eq "HR" -and user.jobTitle -eq "x")", u));
  // -not binds tighter than -and.
  EXPECT_FALSE(Holds(R"(-not user.country -eq "US" -and user.department -eq "Sales")", u));
}

TEST(MembershipRule, OperatorsAnyCaseWithOrWithoutHyphen) {
  const auto u = Sales();
  EXPECT_TRUE(Holds(R"(user.department -EQ "Sales" -AND user.country -Eq "US")", u));
  EXPECT_TRUE(Holds(R"(user.department eq "Sales" and user.jobTitle startswith "Acc")", u));
  EXPECT_TRUE(Holds(R"(not (user.department eq "HR"))", u));
  EXPECT_TRUE(Holds(R"(user.DEPARTMENT -eq "Sales")", u));  // property names too
}

// --- Null ---------------------------------------------------------------------------------

TEST(MembershipRule, NullWithEqAndNe) {
  UserAttributeSet u = Sales();
  u.Set(P::kCity, std::nullopt).Set(P::kMail, "");  // an empty string counts as null
  EXPECT_TRUE(Holds("user.city -eq null", u));
  EXPECT_TRUE(Holds("user.mail -eq null", u));
  EXPECT_TRUE(Holds("user.department -ne null", u));
  EXPECT_TRUE(Holds("user.city -eq $null", u));
  // A null attribute: the positive comparisons fail, their negations hold.
  EXPECT_FALSE(Holds(R"(user.city -eq "Lagos")", u));
  EXPECT_TRUE(Holds(R"(user.city -ne "Lagos")", u));
  EXPECT_FALSE(Holds(R"(user.city -startsWith "L")", u));
  EXPECT_TRUE(Holds(R"(user.city -notContains "L")", u));
  EXPECT_FALSE(Holds(R"(user.city -in ["Lagos"])", u));
  EXPECT_TRUE(Holds(R"(user.city -notIn ["Lagos"])", u));
  // "null" in quotes is the literal text.
  u.Set(P::kCity, "null");
  EXPECT_TRUE(Holds(R"(user.city -eq "null")", u));
  EXPECT_FALSE(Holds("user.city -eq null", u));
}

TEST(MembershipRule, NullOnlyWithEqOrNe) {
  EXPECT_EQ(ParseError("user.city -startsWith null"),
            "position 22: null can only be compared with -eq or -ne");
  EXPECT_NE(ParseError("user.mail -not null").find("position 10"), std::string::npos);
}

// --- Property kinds -----------------------------------------------------------------------

TEST(MembershipRule, EveryDocumentedStringProperty) {
  const char* names[] = {"city",
                         "country",
                         "companyName",
                         "department",
                         "displayName",
                         "employeeId",
                         "facsimileTelephoneNumber",
                         "givenName",
                         "jobTitle",
                         "mail",
                         "mailNickName",
                         "mobile",
                         "objectId",
                         "onPremisesDistinguishedName",
                         "onPremisesSecurityIdentifier",
                         "passwordPolicies",
                         "physicalDeliveryOfficeName",
                         "postalCode",
                         "preferredLanguage",
                         "sipProxyAddress",
                         "state",
                         "streetAddress",
                         "surname",
                         "telephoneNumber",
                         "usageLocation",
                         "userPrincipalName",
                         "userType"};
  for (size_t k = 0; k < std::size(names); ++k) {
    const auto p = static_cast<UserProperty>(k);
    EXPECT_EQ(UserPropertyName(p), names[k]);
    UserAttributeSet u;
    u.Set(p, "v" + std::to_string(k));
    EXPECT_TRUE(Holds("user." + std::string(names[k]) + " -eq \"V" + std::to_string(k) + "\"", u))
        << names[k];
    EXPECT_TRUE(Holds("user." + std::string(names[k]) + " -eq null", UserAttributeSet()));
  }
}

TEST(MembershipRule, BooleanProperties) {
  UserAttributeSet u;
  u.SetBoolean(P::kAccountEnabled, true).SetBoolean(P::kDirSyncEnabled, false);
  EXPECT_TRUE(Holds("user.accountEnabled -eq true", u));
  EXPECT_FALSE(Holds("user.accountEnabled -eq false", u));
  EXPECT_TRUE(Holds("user.accountEnabled -ne false", u));
  EXPECT_TRUE(Holds("user.dirSyncEnabled -eq false", u));
  EXPECT_TRUE(Holds("user.dirSyncEnabled -eq False", u));
  EXPECT_FALSE(Holds("user.dirSyncEnabled -eq null", u));
  EXPECT_TRUE(Holds("user.dirSyncEnabled -eq null", UserAttributeSet()));
  EXPECT_FALSE(Holds("user.dirSyncEnabled -eq true", UserAttributeSet()));
}

TEST(MembershipRule, ExtensionAttributes1To15) {
  for (int k = 1; k <= 15; ++k) {
    const auto p = static_cast<UserProperty>(static_cast<int>(P::kExtensionAttribute1) + k - 1);
    UserAttributeSet u;
    u.Set(p, "Marketing");
    EXPECT_TRUE(Holds("(user.extensionAttribute" + std::to_string(k) + " -eq \"Marketing\")", u));
    EXPECT_FALSE(Holds("(user.extensionAttribute" + std::to_string(k) + " -eq \"Sales\")", u));
  }
  EXPECT_NE(ParseError(R"(user.extensionAttribute16 -eq "x")").find("attribute not supported"),
            std::string::npos);
}

TEST(MembershipRule, DirectoryExtensionProperty) {
  UserAttributeSet u;
  u.SetExtension("extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber", "123");
  // The docs' example.
  EXPECT_TRUE(
      Holds(R"(user.extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber -eq "123")", u));
  EXPECT_FALSE(Holds(R"(user.extension_c272a57b722d4eb29bfe327874ae79cb_Floor -eq "123")", u));
  EXPECT_EQ(ParseError(R"(user.extension_abc_OfficeNumber -eq "1")"),
            "position 0: a directory extension is user.extension_<appId>_<name>, the app id "
            "written as 32 characters 0-9 and A-Z, got \"user.extension_abc_OfficeNumber\"");
}

TEST(MembershipRule, MultiValueStringPropertiesDirectly) {
  const auto u = Sales();
  // The docs' usages: a comparison on a collection holds when an item satisfies it ...
  EXPECT_TRUE(Holds(R"(user.otherMails -startsWith "david@")", u));
  EXPECT_TRUE(Holds(R"(user.proxyAddresses -startsWith "SMTP:david")", u));
  EXPECT_TRUE(Holds(R"(user.otherMails -endsWith"@outlook.com")", u));
  // ... and a negated one when no item satisfies its positive form.
  EXPECT_FALSE(Holds(R"(user.otherMails -notEndsWith "@outlook.com")", u));
  EXPECT_TRUE(Holds(R"(user.proxyAddresses -notEndsWith "@outlook.com")", u));
  EXPECT_TRUE(Holds("user.proxyAddresses -ne null", u));
  EXPECT_TRUE(Holds("user.otherMails -eq null", UserAttributeSet()));
}

TEST(MembershipRule, MultiValueAnyAllWithUnderscore) {
  const auto u = Sales();
  EXPECT_TRUE(Holds(R"((user.proxyAddresses -any (_ -startsWith "smtp:dj")))", u));
  EXPECT_FALSE(Holds(R"(user.proxyAddresses -all (_ -endsWith "@contoso.com"))", u));
  EXPECT_TRUE(Holds(R"(user.proxyAddresses -all (_ -startsWith "smtp:"))", u));
  EXPECT_TRUE(Holds(R"(user.otherMails -any _ -eq "DAVID@outlook.com")", u));  // no parentheses
  EXPECT_TRUE(Holds(R"(user.proxyAddresses -any (_ -contains "fabrikam" -or _ -contains "x"))", u));
  // -all over an empty collection holds; -any does not.
  EXPECT_TRUE(Holds(R"(user.otherMails -all (_ -eq "x"))", UserAttributeSet()));
  EXPECT_FALSE(Holds(R"(user.otherMails -any (_ -ne "x"))", UserAttributeSet()));
}

TEST(MembershipRule, AssignedPlansAnyAll) {
  UserAttributeSet u;
  u.AddPlan("efb87545-963c-4e0d-99df-69c6916d9eb0", "exchange", "Enabled")
      .AddPlan("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "SCO", "Suspended");
  EXPECT_TRUE(Holds(R"(user.assignedPlans -any (assignedPlan.servicePlanId -eq )"
                    R"("efb87545-963c-4e0d-99df-69c6916d9eb0" -and )"
                    R"(assignedPlan.capabilityStatus -eq "Enabled"))",
                    u));
  EXPECT_FALSE(Holds(R"(user.assignedPlans -any (assignedPlan.service -eq "SCO" -and )"
                     R"(assignedPlan.capabilityStatus -eq "Enabled"))",
                     u));
  EXPECT_FALSE(
      Holds(R"(user.assignedPlans -all (assignedPlan.capabilityStatus -eq "Enabled"))", u));
  EXPECT_TRUE(Holds(R"(user.assignedPlans -all (assignedPlan.servicePlanId -ne null))", u));
  EXPECT_NE(ParseError(R"(user.assignedPlans -eq "x")").find("takes -any or -all"),
            std::string::npos);
  EXPECT_NE(ParseError(R"(user.assignedPlans -any (_ -eq "x"))").find("expected assignedPlan"),
            std::string::npos);
}

TEST(MembershipRule, DirectReports) {
  auto r = Parsed(R"(Direct Reports for "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb")");
  EXPECT_TRUE(r.direct_reports);
  EXPECT_EQ(r.manager_id, "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb");
  UserAttributeSet report, other;
  report.SetManager("AAAAAAAA-0000-1111-2222-BBBBBBBBBBBB");
  other.SetManager("cccccccc-0000-1111-2222-bbbbbbbbbbbb");
  EXPECT_TRUE(Evaluate(r, report));
  EXPECT_FALSE(Evaluate(r, other));
  EXPECT_FALSE(Evaluate(r, UserAttributeSet()));
  EXPECT_TRUE(Holds(R"(  direct   reports FOR "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"  )", report));
  // "This rule can't be combined with any other membership rules."
  EXPECT_EQ(ParseError(R"(Direct Reports for "m1" -and user.city -eq "x")"),
            "position 24: a Direct Reports rule can't be combined with other expressions, got "
            "\"-and\"");
  EXPECT_EQ(ParseError("Direct Reports for m1"),
            "position 19: expected the manager's object id in double quotes");
  EXPECT_EQ(ParseError(R"(Direct for "m1")"),
            "position 7: expected Reports (Direct Reports for \"<id>\")");
}

// --- Quoting ------------------------------------------------------------------------------

TEST(MembershipRule, BacktickEscapesAQuote) {
  UserAttributeSet u;
  u.Set(P::kDepartment, "\"Sales\"");
  // The docs' own form: user.department -eq `"Sales`" when "Sales" (with quotes) is the value.
  EXPECT_TRUE(Holds("user.department -eq `\"Sales`\"", u));
  EXPECT_TRUE(Holds("user.department -eq \"`\"Sales`\"\"", u));
  EXPECT_FALSE(Holds(R"(user.department -eq "Sales")", u));
  u.Set(P::kDepartment, "R&D `lab`");
  EXPECT_TRUE(Holds("user.department -eq \"R&D ``lab``\"", u));
}

TEST(MembershipRule, SingleQuotesWithDoubledQuote) {
  UserAttributeSet u;
  u.Set(P::kSurname, "O'Brien");
  EXPECT_TRUE(Holds("user.surname -eq 'O''Brien'", u));
  EXPECT_TRUE(Holds("user.surname -in ['O''Brien', 'Smith']", u));
}

TEST(MembershipRule, NumbersAsValues) {
  UserAttributeSet u;
  u.Set(P::kDepartment, "50002");
  EXPECT_TRUE(Holds("user.department -eq 50002", u));
  EXPECT_TRUE(Holds("user.department -in [50001, 50002]", u));
}

// --- Limits -------------------------------------------------------------------------------

TEST(MembershipRule, RuleLengthLimitOf3072Characters) {
  std::string rule = "user.department -eq \"";
  rule += std::string(3072 - rule.size() - 1, 'a') + "\"";
  ASSERT_EQ(rule.size(), 3072u);
  EXPECT_TRUE(ParseMembershipRule(rule).Ok());
  rule.insert(rule.size() - 1, "a");
  EXPECT_EQ(ParseError(rule),
            "position 3072: the rule is longer than 3,072 characters (the documented limit of "
            "a rule's body)");
  // Characters, not bytes: 3,000 two-byte characters fit.
  std::string wide = "user.city -eq \"";
  for (int k = 0; k < 3000; ++k) wide += "\xC3\xA9";
  wide += "\"";
  EXPECT_TRUE(ParseMembershipRule(wide).Ok());
}

TEST(MembershipRule, NestingLimit) {
  std::string ok(64, '(');
  ok += "user.city -eq \"x\"" + std::string(64, ')');
  EXPECT_TRUE(ParseMembershipRule(ok).Ok());
  std::string deep(65, '(');
  deep += "user.city -eq \"x\"" + std::string(65, ')');
  EXPECT_EQ(ParseError(deep), "position 64: the rule nests -not and parentheses more than 64 deep");
  std::string nots;
  for (int k = 0; k < 70; ++k) nots += "-not ";
  EXPECT_NE(ParseError(nots + "user.city -eq \"x\"").find("more than 64 deep"), std::string::npos);
}

TEST(MembershipRule, ManyExpressionsWithinTheLength) {
  std::string rule;
  for (int k = 0; k < 120; ++k) {
    rule += (k ? " -or " : "") + std::string("user.city -eq \"c") + std::to_string(k) + "\"";
  }
  auto r = Parsed(rule);
  EXPECT_EQ(r.leaves.size(), 120u);
  EXPECT_LE(rule.size(), kMaxRuleCharacters);
  UserAttributeSet u;
  u.Set(P::kCity, "C119");
  EXPECT_TRUE(Evaluate(r, u));
}

// --- Parse errors with positions ----------------------------------------------------------

TEST(MembershipRule, ErrorMissingOperatorNamesPositionAndExpectation) {
  EXPECT_EQ(ParseError(R"(user.department "Sales")"),
            "position 16: expected an operator (-eq, -ne, -startsWith, -notStartsWith, "
            "-endsWith, -notEndsWith, -contains, -notContains, -match, -notMatch, -in, -notIn) "
            "after \"user.department\"");
  EXPECT_EQ(ParseError(R"(user.department -equals "Sales")"),
            "position 16: expected an operator (-eq, -ne, -startsWith, -notStartsWith, "
            "-endsWith, -notEndsWith, -contains, -notContains, -match, -notMatch, -in, -notIn) "
            "after \"user.department\"");
}

TEST(MembershipRule, ErrorMissingLogicalOperator) {
  // groups-troubleshooting.md: "Missing operator. Use -and or -or to join predicates".
  EXPECT_EQ(ParseError(R"((user.department -eq "Sales") (user.department -eq "Marketing"))"),
            "position 30: expected -and, -or or the end of the rule, got \"(user.department\"");
}

TEST(MembershipRule, ErrorUnsupportedAttribute) {
  // groups-troubleshooting.md: "Error: Attribute not supported."
  EXPECT_EQ(ParseError(R"((user.invalidProperty -eq "Value"))"),
            "position 1: attribute not supported: \"user.invalidProperty\" is not a user "
            "property rules may use");
}

TEST(MembershipRule, ErrorOperatorNotSupportedOnBoolean) {
  // groups-troubleshooting.md: "Error: Operator isn't supported on attribute."
  EXPECT_EQ(ParseError("(user.accountEnabled -contains true)"),
            "position 21: operator not supported on attribute: \"user.accountEnabled\" is a "
            "boolean, compare it with -eq or -ne and true or false");
}

TEST(MembershipRule, ErrorBadRegex) {
  // groups-troubleshooting.md: "Error in regular expression used with -match".
  EXPECT_EQ(ParseError(R"((user.userPrincipalName -match "*@domain.ext"))"),
            "position 31: invalid regular expression for -match (pattern character 0: '*' has "
            "nothing before it to repeat)");
  EXPECT_TRUE(ParseMembershipRule(R"((user.userPrincipalName -match ".*@domain.ext"))").Ok());
  EXPECT_TRUE(ParseMembershipRule(R"((user.userPrincipalName -match "@domain.ext$"))").Ok());
  EXPECT_NE(ParseError(R"(user.city -match "(a")").find("a '(' with no ')'"), std::string::npos);
  EXPECT_NE(ParseError(R"(user.city -match "[a")").find("a '[' with no ']'"), std::string::npos);
  EXPECT_NE(ParseError(R"r(user.city -match "a)")r").find("a ')' with no '('"), std::string::npos);
  EXPECT_NE(ParseError(R"(user.city -match "a**")").find("cannot follow another"),
            std::string::npos);
  EXPECT_NE(ParseError(R"r(user.city -match "(?=a)")r").find("not in this engine's -match subset"),
            std::string::npos);
  EXPECT_NE(ParseError(R"(user.city -match "(a)\1")").find("\\1 is not supported"),
            std::string::npos);
  EXPECT_NE(ParseError(R"(user.city -match "[z-a]")").find("reverse order"), std::string::npos);
  EXPECT_NE(ParseError(R"(user.city -match "(a{1000}){1000}")").find("too large"),
            std::string::npos);
}

TEST(MembershipRule, ErrorUnclosedThings) {
  EXPECT_EQ(ParseError(R"((user.city -eq "x")"),
            "position 18: expected ')' to close the '(' at position 0");
  EXPECT_EQ(ParseError(R"(user.city -eq "x)"), "position 14: the string has no closing \"");
  EXPECT_EQ(ParseError(R"(user.city -eq "x"))"), "position 17: a ')' with no '(' before it");
  EXPECT_EQ(ParseError(R"(user.city -in ["a" "b"])"),
            "position 19: expected ',' or ']' in the list of values, got \"\"b\"]\"");
  EXPECT_EQ(ParseError(R"(user.city -in "a")"),
            "position 14: expected a list of values in brackets, such as [\"50001\",\"50002\"]");
  EXPECT_EQ(ParseError("user.city -eq"), "position 13: expected a value, got the end of the rule");
}

TEST(MembershipRule, ErrorOtherShapes) {
  EXPECT_EQ(ParseError(""), "position 0: expected a rule, such as user.department -eq \"Sales\"");
  EXPECT_EQ(ParseError("   "),
            "position 3: expected a rule, such as user.department -eq \"Sales\"");
  EXPECT_EQ(ParseError(R"(user.city -eq Lagos)"),
            "position 14: expected a value (a string in double quotes, true, false, null or a "
            "number), got \"Lagos\"");
  EXPECT_EQ(ParseError(R"(user.city -eq "a" -and)"),
            "position 22: expected an expression (user.<property>, -not or '('), got the end of "
            "the rule");
  EXPECT_EQ(ParseError(R"(device.deviceOSType -eq "iPad")"),
            "position 0: device rules are not supported: this engine evaluates user rules");
  EXPECT_EQ(ParseError(R"(city -eq "x")"), "position 0: expected user.<property>, got \"city\"");
  EXPECT_EQ(ParseError(R"(_ -eq "x")"),
            "position 0: \"_\" is only valid inside -any (…) or -all (…)");
  EXPECT_EQ(ParseError(R"(user.city -any (_ -eq "x"))"),
            "position 10: -any applies to a multi-value property (assignedPlans, "
            "proxyAddresses, otherMails), not \"user.city\"");
  EXPECT_EQ(ParseError(R"(user.city -eq ["x"])"),
            "position 14: a list of values [ … ] goes with -in or -notIn");
  EXPECT_EQ(ParseError(R"(user.memberOf -any (group.objectId -in ['g1']))"),
            "position 0: \"user.memberOf\" (a preview property) is not supported by this engine "
            "yet");
  EXPECT_EQ(ParseError("user.employeeHireDate -ge system.now -plus p1d"),
            "position 0: \"user.employeeHireDate\" (a preview property) is not supported by this "
            "engine yet");
}

// --- Explain ("Validate rules") -----------------------------------------------------------

TEST(MembershipRule, ExplainGivesEachExpressionAndTheDecidingOne) {
  const auto r =
      Parsed(R"((user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE"))");
  auto e = ExplainRule(r, Sales());
  EXPECT_TRUE(e.result);
  ASSERT_EQ(e.expressions.size(), 2u);
  EXPECT_EQ(e.expressions[0].text, R"(user.department -eq "Sales")");
  EXPECT_EQ(e.expressions[0].begin, 1u);
  EXPECT_TRUE(e.expressions[0].value);
  EXPECT_EQ(e.expressions[1].text, R"(user.jobTitle -startsWith "SDE")");
  EXPECT_FALSE(e.expressions[1].value);
  EXPECT_EQ(e.deciding, 1u);  // both were needed: the last one settled it

  UserAttributeSet hr = Sales();
  hr.Set(P::kDepartment, "HR");
  e = ExplainRule(r, hr);
  EXPECT_FALSE(e.result);
  EXPECT_EQ(e.deciding, 0u);  // -and stopped at the department
  EXPECT_FALSE(e.expressions[0].value);
  EXPECT_FALSE(e.expressions[1].value);  // every expression is still reported

  const auto any = Parsed(R"(user.city -eq "x" -or user.proxyAddresses -any (_ -contains "dj"))");
  e = ExplainRule(any, Sales());
  EXPECT_TRUE(e.result);
  ASSERT_EQ(e.expressions.size(), 2u);
  EXPECT_EQ(e.expressions[1].text, R"(user.proxyAddresses -any (_ -contains "dj"))");
  EXPECT_EQ(e.deciding, 1u);

  const auto dr = Parsed(R"(Direct Reports for "m1")");
  UserAttributeSet report;
  report.SetManager("M1");
  e = ExplainRule(dr, report);
  EXPECT_TRUE(e.result);
  ASSERT_EQ(e.expressions.size(), 1u);
  EXPECT_EQ(e.expressions[0].text, R"(Direct Reports for "m1")");
}

TEST(MembershipRule, MatchRegexSubset) {
  struct Case {
    const char* pattern;
    const char* text;
    bool found;
  };
  const Case cases[] = {
      {"a.c", "xABCx", true},
      {"^abc$", "abc", true},
      {"^abc$", "abcd", false},
      {"colou?r", "COLOR", true},
      {"ab{2,3}c", "abbbc", true},
      {"ab{2,3}c", "abbbbc", false},
      {"a{2}", "a", false},
      {"a{,2}", "a{,2}", true},
      {"x{", "x{", true},
      {".*?ago.*", "Lagos", true},
      {"[0-9]+-[a-f]+", "12-fe", true},
      {"[^0-9]", "123", false},
      {"\\d{3}", "a123", true},
      {"\\D", "123", false},
      {"\\s", "a b", true},
      {"\\S+@\\S+", "a@b", true},
      {"\\bcat\\b", "a cat!", true},
      {"\\bcat\\b", "concat", false},
      {"\\Bcat", "concat", true},
      {"(?:ab)+$", "xabab", true},
      {"a|b|c", "zzc", true},
      {"^(a|b)*$", "abba", true},
      {"^(a|b)*$", "abca", false},
      {"\\x41", "a", true},
      {"\\.", "a", false},
      {"[a\\]]", "]", true},
      {"(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false},  // linear, no blow-up
      {"", "anything", true},
  };
  for (const Case& c : cases) {
    auto re = CompileRuleRegex(c.pattern);
    ASSERT_TRUE(re.Ok()) << c.pattern << ": " << re.GetError().message;
    EXPECT_EQ(re.Value().Search(c.text), c.found) << "/" << c.pattern << "/ on " << c.text;
  }
}

TEST(MembershipRule, ExplainNotAndAnyAll) {
  const auto r = Parsed(R"(-not (user.city -eq "x" -or user.country -eq "US"))");
  auto e = ExplainRule(r, Sales());
  EXPECT_FALSE(e.result);
  ASSERT_EQ(e.expressions.size(), 2u);
  EXPECT_EQ(e.deciding, 1u);  // the country made the -or true, so the -not false
  EXPECT_EQ(e.expressions[1].begin, 28u);
  EXPECT_EQ(e.expressions[1].text, R"(user.country -eq "US")");
}

// --- The docs' own example rules ----------------------------------------------------------

TEST(MembershipRule, DocsExamplesParseAndEvaluateAsDocumented) {
  // groups-dynamic-membership.md, "Using the -match operator": `Da`, `Dav`, `David` evaluate
  // to true, aDa evaluates to false; ".*vid": `David` true, `Da` false.
  for (const char* name : {"Da", "Dav", "David"}) {
    UserAttributeSet u;
    u.Set(P::kDisplayName, name);
    EXPECT_TRUE(Holds(R"(user.displayName -match "^Da.*")", u)) << name;
  }
  UserAttributeSet ada;
  ada.Set(P::kDisplayName, "aDa");
  EXPECT_FALSE(Holds(R"(user.displayName -match "^Da.*")", ada));
  UserAttributeSet david, da;
  david.Set(P::kDisplayName, "David");
  da.Set(P::kDisplayName, "Da");
  EXPECT_TRUE(Holds(R"(user.displayName -match ".*vid")", david));
  EXPECT_FALSE(Holds(R"(user.displayName -match ".*vid")", da));

  // "-in": true if user.department equals any of the values in the list.
  const char* in_rule =
      R"(   user.department -in ["50001","50002","50003","50005","50006","50007","50008","50016","50020","50024","50038","50039","51100"])";
  UserAttributeSet d;
  d.Set(P::kDepartment, "50016");
  EXPECT_TRUE(Holds(in_rule, d));
  d.Set(P::kDepartment, "50004");
  EXPECT_FALSE(Holds(in_rule, d));

  // Rules with multiple expressions.
  UserAttributeSet marketing;
  marketing.Set(P::kDepartment, "Marketing").Set(P::kCountry, "US").Set(P::kJobTitle, "SDE II");
  EXPECT_TRUE(
      Holds(R"((user.department -eq "Sales") -or (user.department -eq "Marketing"))", marketing));
  EXPECT_FALSE(Holds(R"((user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE"))",
                     marketing));
  // Operator precedence, with the docs' en dashes as written.
  EXPECT_TRUE(
      Holds("   user.department \xE2\x80\x93"
            "eq \"Marketing\" \xE2\x80\x93"
            "and "
            "user.country \xE2\x80\x93"
            "eq \"US\"",
            marketing));
  EXPECT_TRUE(
      Holds("   user.country \xE2\x80\x93"
            "eq \"US\" \xE2\x80\x93"
            "and "
            "(user.department \xE2\x80\x93"
            "eq \"Marketing\" \xE2\x80\x93"
            "or "
            "user.department \xE2\x80\x93"
            "eq \"Sales\")",
            marketing));
  EXPECT_TRUE(Holds("   user.mail \xE2\x80\x93"
                    "ne null",
                    Sales()) == false);

  // Multi-value properties, examples 1-3.
  UserAttributeSet licensed;
  licensed.AddPlan("efb87545-963c-4e0d-99df-69c6916d9eb0", "exchange", "Enabled")
      .AddPlan("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "SCO", "Enabled");
  EXPECT_TRUE(Holds(
      R"(user.assignedPlans -any (assignedPlan.servicePlanId -eq "efb87545-963c-4e0d-99df-69c6916d9eb0" -and assignedPlan.capabilityStatus -eq "Enabled"))",
      licensed));
  EXPECT_TRUE(Holds(
      R"(user.assignedPlans -any (assignedPlan.service -eq "SCO" -and assignedPlan.capabilityStatus -eq "Enabled"))",
      licensed));
  // "selects all users who have no assigned service plan"
  EXPECT_FALSE(Holds("user.assignedPlans -all (assignedPlan.servicePlanId -eq null)", licensed));
  EXPECT_TRUE(
      Holds("user.assignedPlans -all (assignedPlan.servicePlanId -eq null)", UserAttributeSet()));

  // The underscore syntax: "adds any user with proxy address that starts with "contoso"".
  UserAttributeSet contoso;
  contoso.Add(P::kProxyAddresses, "contoso.mail@x.com");
  EXPECT_TRUE(Holds(R"((user.proxyAddresses -any (_ -startsWith "contoso")))", contoso));
  EXPECT_FALSE(Holds(R"((user.proxyAddresses -any (_ -startsWith "contoso")))", Sales()));

  // "All users" and members only.
  UserAttributeSet guest = Sales();
  guest.Set(P::kUserType, "Guest");
  EXPECT_TRUE(Holds("user.objectId -ne null", guest));
  EXPECT_TRUE(Holds(R"((user.objectId -ne null) -and (user.userType -eq "Member"))", Sales()));
  EXPECT_FALSE(Holds(R"((user.objectId -ne null) -and (user.userType -eq "Member"))", guest));

  // Extension attributes, the usage column of the property tables, and the efficiency page.
  UserAttributeSet ext;
  ext.Set(P::kExtensionAttribute15, "Marketing");
  EXPECT_TRUE(Holds(R"((user.extensionAttribute15 -eq "Marketing"))", ext));
  for (const char* rule : {R"(user.department -eq "Sales")",
                           "user.accountEnabled -eq true",
                           "user.dirSyncEnabled -eq true",
                           R"(user.mail -notEndsWith "@Contoso.com")",
                           R"(user.mailNickname -endsWith "-vendor")",
                           "user.employeeId -ne null",
                           R"(user.objectId -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb")",
                           R"(user.passwordPolicies -eq "DisableStrongPassword")",
                           R"(user.preferredLanguage -eq "en-US")",
                           R"(user.usageLocation -eq "US")",
                           R"(user.userPrincipalName -eq "alias@domain")",
                           R"(user.userType -eq "Member")",
                           R"(user.otherMails -startsWith "alias@domain")",
                           R"(user.proxyAddresses -startsWith "SMTP: alias@domain")",
                           R"(user.proxyAddresses -notEndsWith "@outlook.com")",
                           R"(user.city -match "ago")",
                           R"(user.city -match ".*?ago.*")",
                           R"(user.city -startswith "Lag")",
                           R"(user.city -eq "Lagos")",
                           R"((user.displayName -startsWith "EndTestUser"))"}) {
    EXPECT_TRUE(ParseMembershipRule(rule).Ok()) << rule;
  }
  UserAttributeSet lagos;
  lagos.Set(P::kCity, "Lagos");
  EXPECT_TRUE(Holds(R"(user.city -match ".*?ago.*")", lagos));
  EXPECT_TRUE(Holds(R"(user.city -startswith "Lag")", lagos));
}

}  // namespace
}  // namespace gbl
