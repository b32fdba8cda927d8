// Fuzzes the membership rule language (membership_rule.h): the input is a rule. Checked: a
// refusal is a BadRequest naming its position; a parsed rule evaluates on a few fixed users
// without crashing, and its explanation agrees with Evaluate and names spans inside the rule.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_checks.h"
#include "membership_rule.h"

using gbl::fuzz::Require;
using P = gbl::UserProperty;

namespace {

/// Three users: one with most attributes set, one with none, one with odd values.
const gbl::UserAttributeSet* Users() {
  static const gbl::UserAttributeSet* users = [] {
    auto* u = new gbl::UserAttributeSet[3];
    u[0].Set(P::kDepartment, "Sales")
        .Set(P::kCountry, "US")
        .Set(P::kDisplayName, "David Jones")
        .Set(P::kUserPrincipalName, "david@contoso.com")
        .Set(P::kObjectId, "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb")
        .Set(P::kUserType, "Member")
        .Set(P::kExtensionAttribute7, "Marketing")
        .SetBoolean(P::kAccountEnabled, true)
        .SetBoolean(P::kDirSyncEnabled, false)
        .Add(P::kProxyAddresses, "SMTP:david@contoso.com")
        .Add(P::kProxyAddresses, "smtp:dj@fabrikam.com")
        .Add(P::kOtherMails, "david@outlook.com")
        .AddPlan("efb87545-963c-4e0d-99df-69c6916d9eb0", "exchange", "Enabled")
        .AddPlan("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "SCO", "Suspended")
        .SetExtension("extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber", "123")
        .SetManager("aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb");
    u[2].Set(P::kDepartment, std::string("\0\n\xff`\"", 5))
        .Set(P::kCity, std::string(300, 'a'))
        .Add(P::kOtherMails, "")
        .AddPlan("", "", "")
        .SetManager("");
    return u;
  }();
  return users;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view rule(reinterpret_cast<const char*>(data), size);
  auto parsed = gbl::ParseMembershipRule(rule);
  if (!parsed.Ok()) {
    Require(parsed.GetError().code == "BadRequest", "a refused rule is a BadRequest");
    Require(parsed.GetError().message.rfind("position ", 0) == 0, "a refusal names its position");
    return 0;
  }
  const gbl::MembershipRule& r = parsed.Value();
  Require(!r.leaves.empty(), "a parsed rule has at least one expression");
  for (int k = 0; k < 3; ++k) {
    const bool holds = gbl::Evaluate(r, Users()[k]);
    const gbl::RuleExplanation e = gbl::ExplainRule(r, Users()[k]);
    Require(e.result == holds, "the explanation agrees with Evaluate");
    Require(e.expressions.size() == r.leaves.size(), "every expression is explained");
    Require(e.deciding < e.expressions.size(), "the deciding expression is one of them");
    for (const auto& x : e.expressions) {
      Require(x.begin < x.end && x.end <= rule.size(), "an expression's span is in the rule");
    }
  }
  return 0;
}
