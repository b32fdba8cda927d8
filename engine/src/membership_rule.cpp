// The membership rule language (membership_rule.h): parser, -match regex subset, evaluation and
// explanation. Facts from Microsoft's groups-dynamic-membership.md: the operators (with or without
// their hyphen, any case), their precedence (comparisons, -not, -and, -or), `null` with -eq / -ne
// only, double-quoted strings with ` escaping a quote, case-insensitive string and regex
// comparisons, the 3,072-character limit, -any / -all over assignedPlans and string collections
// (`_`), extensionAttribute1-15 and extension_<appId>_<name>, and `Direct Reports for "<id>"`.
#include "membership_rule.h"

#include <algorithm>
#include <array>
#include <utility>

namespace gbl {

namespace {

using Node = MembershipRule::Node;
using Kind = MembershipRule::Node::Kind;
using Operand = MembershipRule::Node::Operand;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string LowerText(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (Lower(text[i]) != lower[i]) return false;
  }
  return true;
}

bool StartsLower(std::string_view text, std::string_view lower) {
  return text.size() >= lower.size() && EqualsLower(text.substr(0, lower.size()), lower);
}

bool EndsLower(std::string_view text, std::string_view lower) {
  return text.size() >= lower.size() && EqualsLower(text.substr(text.size() - lower.size()), lower);
}

bool ContainsLower(std::string_view text, std::string_view lower) {
  if (lower.empty()) return true;
  if (text.size() < lower.size()) return false;
  for (size_t i = 0; i + lower.size() <= text.size(); ++i) {
    if (Lower(text[i]) == lower[0] && EqualsLower(text.substr(i, lower.size()), lower)) {
      return true;
    }
  }
  return false;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return IsLetter(c) || IsDigit(c) || c == '_'; }

// ---------------------------------------------------------------------------------------------
// Properties.

enum class PropertyType : uint8_t { kString, kBoolean, kCollection, kPlans };

struct PropertyRow {
  std::string_view name;
  UserProperty property;
};

constexpr std::array<PropertyRow, 33> kProperties = {{
    {"city", UserProperty::kCity},
    {"country", UserProperty::kCountry},
    {"companyName", UserProperty::kCompanyName},
    {"department", UserProperty::kDepartment},
    {"displayName", UserProperty::kDisplayName},
    {"employeeId", UserProperty::kEmployeeId},
    {"facsimileTelephoneNumber", UserProperty::kFacsimileTelephoneNumber},
    {"givenName", UserProperty::kGivenName},
    {"jobTitle", UserProperty::kJobTitle},
    {"mail", UserProperty::kMail},
    {"mailNickName", UserProperty::kMailNickname},
    {"mobile", UserProperty::kMobile},
    {"objectId", UserProperty::kObjectId},
    {"onPremisesDistinguishedName", UserProperty::kOnPremisesDistinguishedName},
    {"onPremisesSecurityIdentifier", UserProperty::kOnPremisesSecurityIdentifier},
    {"passwordPolicies", UserProperty::kPasswordPolicies},
    {"physicalDeliveryOfficeName", UserProperty::kPhysicalDeliveryOfficeName},
    {"postalCode", UserProperty::kPostalCode},
    {"preferredLanguage", UserProperty::kPreferredLanguage},
    {"sipProxyAddress", UserProperty::kSipProxyAddress},
    {"state", UserProperty::kState},
    {"streetAddress", UserProperty::kStreetAddress},
    {"surname", UserProperty::kSurname},
    {"telephoneNumber", UserProperty::kTelephoneNumber},
    {"usageLocation", UserProperty::kUsageLocation},
    {"userPrincipalName", UserProperty::kUserPrincipalName},
    {"userType", UserProperty::kUserType},
    {"accountEnabled", UserProperty::kAccountEnabled},
    {"dirSyncEnabled", UserProperty::kDirSyncEnabled},
    {"otherMails", UserProperty::kOtherMails},
    {"proxyAddresses", UserProperty::kProxyAddresses},
    {"assignedPlans", UserProperty::kAssignedPlans},
    {"extension_", UserProperty::kDirectoryExtension},
}};

constexpr std::array<std::string_view, 15> kExtensionAttributeNames = {
    "extensionAttribute1",  "extensionAttribute2",  "extensionAttribute3",  "extensionAttribute4",
    "extensionAttribute5",  "extensionAttribute6",  "extensionAttribute7",  "extensionAttribute8",
    "extensionAttribute9",  "extensionAttribute10", "extensionAttribute11", "extensionAttribute12",
    "extensionAttribute13", "extensionAttribute14", "extensionAttribute15"};

bool IsExtensionAttribute(UserProperty p) {
  return p >= UserProperty::kExtensionAttribute1 && p <= UserProperty::kExtensionAttribute15;
}

PropertyType TypeOf(UserProperty p) {
  switch (p) {
    case UserProperty::kAccountEnabled:
    case UserProperty::kDirSyncEnabled:
      return PropertyType::kBoolean;
    case UserProperty::kOtherMails:
    case UserProperty::kProxyAddresses:
      return PropertyType::kCollection;
    case UserProperty::kAssignedPlans:
      return PropertyType::kPlans;
    default:
      return PropertyType::kString;
  }
}

// ---------------------------------------------------------------------------------------------
// Regex: parse to a small tree, emit a Pike VM program.

constexpr size_t kMaxRegexProgram = 20000;
constexpr size_t kMaxRegexNesting = 64;
constexpr int kMaxRepeat = 1000;

struct ReNode {
  enum class Type : uint8_t { kEmpty, kByte, kAny, kClass, kAssert, kCat, kAlt, kRepeat };
  Type type = Type::kEmpty;
  uint8_t byte = 0;
  uint32_t cls = 0;
  int min = 0;
  int max = 0;  // -1: unbounded
  std::vector<uint32_t> kids;
};

class RegexCompiler {
 public:
  explicit RegexCompiler(std::string_view p) : p_(p) {}

  Result<RuleRegex> Compile() {
    uint32_t root = 0;
    if (!ParseAlt(0, &root)) return *error_;
    if (i_ < p_.size()) {  // only a stray ')' stops ParseAlt early
      Fail(i_, "a ')' with no '(' before it");
      return *error_;
    }
    if (!Emit(root)) return *error_;
    Push({RuleRegex::Inst::Op::kMatch});
    return std::move(re_);
  }

 private:
  bool Fail(size_t at, const std::string& what) {
    if (!error_) {
      error_ = Error{"BadRequest", "pattern character " + std::to_string(at) + ": " + what};
    }
    return false;
  }

  uint32_t Add(ReNode n) {
    nodes_.push_back(std::move(n));
    return static_cast<uint32_t>(nodes_.size() - 1);
  }

  bool ParseAlt(size_t depth, uint32_t* out) {
    if (depth > kMaxRegexNesting) return Fail(i_, "groups nested too deeply");
    std::vector<uint32_t> alts;
    uint32_t seq = 0;
    if (!ParseSeq(depth, &seq)) return false;
    alts.push_back(seq);
    while (i_ < p_.size() && p_[i_] == '|') {
      ++i_;
      if (!ParseSeq(depth, &seq)) return false;
      alts.push_back(seq);
    }
    if (alts.size() == 1) {
      *out = alts[0];
    } else {
      ReNode n;
      n.type = ReNode::Type::kAlt;
      n.kids = std::move(alts);
      *out = Add(std::move(n));
    }
    return true;
  }

  bool ParseSeq(size_t depth, uint32_t* out) {
    ReNode cat;
    cat.type = ReNode::Type::kCat;
    while (i_ < p_.size() && p_[i_] != '|' && p_[i_] != ')') {
      uint32_t atom = 0;
      if (!ParseQuantified(depth, &atom)) return false;
      cat.kids.push_back(atom);
    }
    *out = Add(std::move(cat));
    return true;
  }

  // A {n}, {n,} or {n,m} at i_: true with the bounds (i_ moved past it), false if it is not one.
  bool ReadBraces(int* min, int* max, bool* valid) {
    size_t j = i_ + 1;
    auto number = [&](int* v) {
      size_t start = j;
      long long n = 0;
      while (j < p_.size() && IsDigit(p_[j])) {
        n = std::min<long long>(n * 10 + (p_[j] - '0'), 1000000);
        ++j;
      }
      *v = static_cast<int>(n);
      return j > start;
    };
    if (!number(min)) return false;
    if (j < p_.size() && p_[j] == '}') {
      *max = *min;
    } else if (j < p_.size() && p_[j] == ',') {
      ++j;
      if (j < p_.size() && p_[j] == '}') {
        *max = -1;
      } else if (!number(max) || j >= p_.size() || p_[j] != '}') {
        return false;
      }
    } else {
      return false;
    }
    *valid = *min <= kMaxRepeat && *max <= kMaxRepeat && (*max == -1 || *min <= *max);
    i_ = j + 1;
    return true;
  }

  bool IsQuantifierAt(size_t at) {
    if (at >= p_.size()) return false;
    const char c = p_[at];
    if (c == '*' || c == '+' || c == '?') return true;
    if (c != '{') return false;
    const size_t saved = i_;
    i_ = at;
    int a = 0, b = 0;
    bool valid = false;
    const bool is = ReadBraces(&a, &b, &valid);
    i_ = saved;
    return is;
  }

  bool ParseQuantified(size_t depth, uint32_t* out) {
    uint32_t atom = 0;
    if (!ParseAtom(depth, &atom)) return false;
    if (i_ >= p_.size()) {
      *out = atom;
      return true;
    }
    const size_t at = i_;
    int min = 0, max = 0;
    const char c = p_[i_];
    if (c == '*') {
      min = 0, max = -1, ++i_;
    } else if (c == '+') {
      min = 1, max = -1, ++i_;
    } else if (c == '?') {
      min = 0, max = 1, ++i_;
    } else if (c == '{') {
      bool valid = false;
      if (!ReadBraces(&min, &max, &valid)) {
        *out = atom;  // a literal '{' follows; ParseAtom reads it next
        return true;
      }
      if (!valid) {
        return Fail(at, "a repetition {n,m} needs n <= m <= " + std::to_string(kMaxRepeat));
      }
    } else {
      *out = atom;
      return true;
    }
    if (i_ < p_.size() && p_[i_] == '?') ++i_;  // lazy: same set of matches
    if (IsQuantifierAt(i_)) return Fail(i_, "a quantifier cannot follow another quantifier");
    ReNode rep;
    rep.type = ReNode::Type::kRepeat;
    rep.min = min;
    rep.max = max;
    rep.kids.push_back(atom);
    *out = Add(std::move(rep));
    return true;
  }

  uint32_t ClassNode(std::vector<bool> set) {
    re_.classes_.push_back(std::move(set));
    ReNode n;
    n.type = ReNode::Type::kClass;
    n.cls = static_cast<uint32_t>(re_.classes_.size() - 1);
    return Add(std::move(n));
  }

  static void AddShorthand(char k, std::vector<bool>* set) {
    std::vector<bool> s(256, false);
    const char lower = Lower(k);
    for (int b = 0; b < 256; ++b) {
      const char c = static_cast<char>(b);
      bool in = false;
      if (lower == 'd') in = IsDigit(c);
      if (lower == 'w') in = IsWordChar(c);
      if (lower == 's') in = IsSpace(c);
      if (k != lower) in = !in;
      if (in) (*set)[static_cast<size_t>(b)] = true;
    }
  }

  // An escape after '\' at i_ (i_ on the escaped character) as one byte; false for shorthands.
  bool EscapedByte(uint8_t* byte, bool* is_shorthand) {
    const char c = p_[i_];
    *is_shorthand = false;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        *is_shorthand = true;
        return true;
      case 'n':
        *byte = '\n';
        return true;
      case 't':
        *byte = '\t';
        return true;
      case 'r':
        *byte = '\r';
        return true;
      case 'f':
        *byte = '\f';
        return true;
      case 'v':
        *byte = '\v';
        return true;
      case 'e':
        *byte = 0x1B;
        return true;
      case 'x': {
        auto hex = [](char h) -> int {
          if (IsDigit(h)) return h - '0';
          const char l = Lower(h);
          return (l >= 'a' && l <= 'f') ? l - 'a' + 10 : -1;
        };
        if (i_ + 2 >= p_.size()) return Fail(i_ - 1, "\\x needs two hexadecimal digits");
        const int h1 = hex(p_[i_ + 1]);
        const int h2 = hex(p_[i_ + 2]);
        if (h1 < 0 || h2 < 0) return Fail(i_ - 1, "\\x needs two hexadecimal digits");
        *byte = static_cast<uint8_t>(h1 * 16 + h2);
        i_ += 2;
        return true;
      }
      default:
        if (IsLetter(c) || IsDigit(c)) {
          return Fail(i_ - 1, std::string("the escape \\") + c +
                                  " is not supported (backreferences, \\p{…}, \\A, \\z and the "
                                  "like are not in this engine's -match subset)");
        }
        *byte = static_cast<uint8_t>(c);
        return true;
    }
  }

  bool ParseClass(uint32_t* out) {
    const size_t open = i_;
    ++i_;  // '['
    bool negate = false;
    if (i_ < p_.size() && p_[i_] == '^') negate = true, ++i_;
    std::vector<bool> set(256, false);
    bool first = true;
    while (true) {
      if (i_ >= p_.size()) return Fail(open, "a '[' with no ']' to close it");
      char c = p_[i_];
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      uint8_t lo = 0;
      if (c == '\\') {
        ++i_;
        if (i_ >= p_.size()) return Fail(i_ - 1, "a pattern cannot end with '\\'");
        bool shorthand = false;
        if (!EscapedByte(&lo, &shorthand)) return false;
        ++i_;
        if (shorthand) {
          AddShorthand(p_[i_ - 1], &set);
          continue;
        }
      } else {
        lo = static_cast<uint8_t>(c);
        ++i_;
      }
      uint8_t hi = lo;
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        const size_t dash = i_;
        ++i_;
        if (p_[i_] == '\\') {
          ++i_;
          if (i_ >= p_.size()) return Fail(i_ - 1, "a pattern cannot end with '\\'");
          bool shorthand = false;
          if (!EscapedByte(&hi, &shorthand)) return false;
          if (shorthand) return Fail(dash, "a range cannot end with a class such as \\d");
        } else {
          hi = static_cast<uint8_t>(p_[i_]);
        }
        ++i_;
        if (hi < lo) return Fail(dash, "the range is in reverse order");
      }
      for (int b = lo; b <= hi; ++b) set[static_cast<size_t>(b)] = true;
    }
    std::vector<bool> folded = set;
    for (int b = 0; b < 256; ++b) {
      if (!set[static_cast<size_t>(b)]) continue;
      const char c = static_cast<char>(b);
      folded[static_cast<unsigned char>(Lower(c))] = true;
      folded[static_cast<unsigned char>(Upper(c))] = true;
    }
    if (negate) folded.flip();
    *out = ClassNode(std::move(folded));
    return true;
  }

  bool ParseAtom(size_t depth, uint32_t* out) {
    const char c = p_[i_];
    ReNode n;
    switch (c) {
      case '(': {
        const size_t open = i_;
        ++i_;
        if (i_ < p_.size() && p_[i_] == '?') {
          if (i_ + 1 < p_.size() && p_[i_ + 1] == ':') {
            i_ += 2;
          } else {
            return Fail(open,
                        "(?…) groups other than (?:…) (lookarounds, named groups, inline "
                        "options) are not in this engine's -match subset");
          }
        }
        uint32_t inner = 0;
        if (!ParseAlt(depth + 1, &inner)) return false;
        if (i_ >= p_.size() || p_[i_] != ')') return Fail(open, "a '(' with no ')' to close it");
        ++i_;
        *out = inner;
        return true;
      }
      case '[':
        return ParseClass(out);
      case '*':
      case '+':
      case '?':
        return Fail(i_, std::string("'") + c + "' has nothing before it to repeat");
      case '.':
        ++i_;
        n.type = ReNode::Type::kAny;
        *out = Add(std::move(n));
        return true;
      case '^':
      case '$':
        ++i_;
        n.type = ReNode::Type::kAssert;
        n.byte = static_cast<uint8_t>(c);
        *out = Add(std::move(n));
        return true;
      case '\\': {
        ++i_;
        if (i_ >= p_.size()) return Fail(i_ - 1, "a pattern cannot end with '\\'");
        const char e = p_[i_];
        if (e == 'b' || e == 'B') {
          ++i_;
          n.type = ReNode::Type::kAssert;
          n.byte = static_cast<uint8_t>(e);
          *out = Add(std::move(n));
          return true;
        }
        uint8_t byte = 0;
        bool shorthand = false;
        if (!EscapedByte(&byte, &shorthand)) return false;
        ++i_;
        if (shorthand) {
          std::vector<bool> set(256, false);
          AddShorthand(e, &set);
          *out = ClassNode(std::move(set));
          return true;
        }
        n.type = ReNode::Type::kByte;
        n.byte = static_cast<uint8_t>(Lower(static_cast<char>(byte)));
        *out = Add(std::move(n));
        return true;
      }
      default:
        ++i_;
        n.type = ReNode::Type::kByte;
        n.byte = static_cast<uint8_t>(Lower(c));
        *out = Add(std::move(n));
        return true;
    }
  }

  uint32_t Push(RuleRegex::Inst inst) {
    re_.program_.push_back(inst);
    return static_cast<uint32_t>(re_.program_.size() - 1);
  }
  uint32_t Here() const { return static_cast<uint32_t>(re_.program_.size()); }

  bool Emit(uint32_t id) {
    using Op = RuleRegex::Inst::Op;
    if (re_.program_.size() > kMaxRegexProgram) {
      return Fail(0, "the pattern is too large once its repetitions are expanded");
    }
    const ReNode& n = nodes_[id];
    switch (n.type) {
      case ReNode::Type::kEmpty:
        return true;
      case ReNode::Type::kByte:
        Push({Op::kByte, n.byte});
        return true;
      case ReNode::Type::kAny:
        Push({Op::kAny});
        return true;
      case ReNode::Type::kClass:
        Push({Op::kClass, 0, n.cls});
        return true;
      case ReNode::Type::kAssert:
        Push({Op::kAssert, n.byte});
        return true;
      case ReNode::Type::kCat:
        for (uint32_t k : nodes_[id].kids) {
          if (!Emit(k)) return false;
        }
        return true;
      case ReNode::Type::kAlt: {
        std::vector<uint32_t> jumps;
        const std::vector<uint32_t> kids = n.kids;
        for (size_t k = 0; k < kids.size(); ++k) {
          if (k + 1 < kids.size()) {
            const uint32_t split = Push({Op::kSplit});
            re_.program_[split].x = Here();
            if (!Emit(kids[k])) return false;
            jumps.push_back(Push({Op::kJmp}));
            re_.program_[split].y = Here();
          } else if (!Emit(kids[k])) {
            return false;
          }
        }
        for (uint32_t j : jumps) re_.program_[j].x = Here();
        return true;
      }
      case ReNode::Type::kRepeat: {
        const uint32_t kid = n.kids[0];
        const int min = n.min;
        const int max = n.max;
        for (int k = 0; k < min; ++k) {
          if (!Emit(kid)) return false;
        }
        if (max == -1) {
          const uint32_t split = Push({Op::kSplit});
          re_.program_[split].x = Here();
          if (!Emit(kid)) return false;
          Push({Op::kJmp, 0, split});
          re_.program_[split].y = Here();
          return true;
        }
        std::vector<uint32_t> splits;
        for (int k = min; k < max; ++k) {
          const uint32_t split = Push({Op::kSplit});
          re_.program_[split].x = Here();
          splits.push_back(split);
          if (!Emit(kid)) return false;
        }
        for (uint32_t s : splits) re_.program_[s].y = Here();
        return true;
      }
    }
    return true;
  }

  std::string_view p_;
  size_t i_ = 0;
  std::vector<ReNode> nodes_;
  RuleRegex re_;
  std::optional<Error> error_;
};

// ---------------------------------------------------------------------------------------------
// Rule parser.

enum class Scope : uint8_t { kUser, kItem, kPlan };

struct OperatorRow {
  std::string_view lower;
  RuleOperator op;
};

constexpr std::array<OperatorRow, 12> kOperators = {{
    {"eq", RuleOperator::kEq},
    {"ne", RuleOperator::kNe},
    {"startswith", RuleOperator::kStartsWith},
    {"notstartswith", RuleOperator::kNotStartsWith},
    {"endswith", RuleOperator::kEndsWith},
    {"notendswith", RuleOperator::kNotEndsWith},
    {"contains", RuleOperator::kContains},
    {"notcontains", RuleOperator::kNotContains},
    {"match", RuleOperator::kMatch},
    {"notmatch", RuleOperator::kNotMatch},
    {"in", RuleOperator::kIn},
    {"notin", RuleOperator::kNotIn},
}};

constexpr std::string_view kExpectedOperator =
    "an operator (-eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, "
    "-notContains, -match, -notMatch, -in, -notIn)";

/// A value as written: a string, a list, or a bare word (null, true, false, a number).
struct Value {
  enum class Kind : uint8_t { kString, kNull, kTrue, kFalse, kList };
  Kind kind = Kind::kString;
  std::string text;               // kString: the unescaped text
  std::vector<std::string> list;  // kList
  size_t begin = 0;               // where the value starts
};

class RuleParser {
 public:
  RuleParser(std::string_view text, MembershipRule* out) : s_(text), out_(out) {}

  std::optional<Error> Parse() {
    size_t chars = 0;
    for (size_t i = 0; i < s_.size(); ++i) {
      if ((static_cast<unsigned char>(s_[i]) & 0xC0) == 0x80) continue;
      if (++chars > kMaxRuleCharacters) {
        Fail(i,
             "the rule is longer than 3,072 characters (the documented limit of a rule's "
             "body)");
        return error_;
      }
    }
    SkipSpace();
    if (i_ >= s_.size()) {
      Fail(i_, "expected a rule, such as user.department -eq \"Sales\"");
      return error_;
    }
    if (WordAheadIs("direct")) {
      ParseDirectReports();
      return error_;
    }
    uint32_t root = 0;
    if (!ParseOr(Scope::kUser, 0, &root)) return error_;
    SkipSpace();
    if (i_ < s_.size()) {
      if (s_[i_] == ')') {
        Fail(i_, "a ')' with no '(' before it");
      } else {
        Fail(i_, "expected -and, -or or the end of the rule, got " + Snippet(i_));
      }
      return error_;
    }
    out_->root = root;
    return error_;
  }

 private:
  bool Fail(size_t at, const std::string& what) {
    if (!error_) error_ = Error{"BadRequest", "position " + std::to_string(at) + ": " + what};
    return false;
  }

  std::string Snippet(size_t at) const {
    std::string_view rest = s_.substr(at);
    size_t n = 0;
    while (n < rest.size() && n < 24 && !IsSpace(rest[n])) ++n;
    if (n == 0) n = std::min<size_t>(rest.size(), 1);
    return "\"" + std::string(rest.substr(0, n)) + (n < rest.size() && n == 24 ? "…" : "") + "\"";
  }

  void SkipSpace() {
    while (i_ < s_.size() && IsSpace(s_[i_])) ++i_;
  }

  /// A hyphen (or the en dash U+2013 the docs' own examples use) at `at`: its length, else 0.
  size_t HyphenAt(size_t at) const {
    if (at < s_.size() && s_[at] == '-') return 1;
    if (s_.substr(at, 3) == "\xE2\x80\x93") return 3;
    return 0;
  }

  bool WordAheadIs(std::string_view lower) const {
    size_t j = i_;
    size_t n = 0;
    while (j + n < s_.size() && IsLetter(s_[j + n])) ++n;
    return n == lower.size() && EqualsLower(s_.substr(j, n), lower);
  }

  /// An operator word at i_ (after spaces): optional hyphen then letters, ending at a non-word
  /// character. Fills the lower-case word and its end; false when there is none.
  bool PeekOperator(std::string* lower, size_t* start, size_t* end) const {
    size_t j = i_;
    while (j < s_.size() && IsSpace(s_[j])) ++j;
    *start = j;
    j += HyphenAt(j);
    const size_t word = j;
    while (j < s_.size() && IsLetter(s_[j])) ++j;
    if (j == word) return false;
    if (j < s_.size() && (IsWordChar(s_[j]) || s_[j] == '.')) return false;
    *lower = LowerText(s_.substr(word, j - word));
    *end = j;
    return true;
  }

  bool AcceptLogical(std::string_view lower) {
    std::string word;
    size_t start = 0, end = 0;
    if (!PeekOperator(&word, &start, &end) || word != lower) return false;
    i_ = end;
    return true;
  }

  uint32_t AddNode(Node n) {
    out_->nodes.push_back(n);
    return static_cast<uint32_t>(out_->nodes.size() - 1);
  }

  uint32_t AddList(Kind kind, const std::vector<uint32_t>& kids) {
    Node n;
    n.kind = kind;
    n.first = static_cast<uint32_t>(out_->children.size());
    n.count = static_cast<uint32_t>(kids.size());
    n.begin = out_->nodes[kids.front()].begin;
    n.end = out_->nodes[kids.back()].end;
    out_->children.insert(out_->children.end(), kids.begin(), kids.end());
    return AddNode(n);
  }

  bool ParseOr(Scope scope, size_t depth, uint32_t* out) {
    std::vector<uint32_t> kids(1);
    if (!ParseAnd(scope, depth, &kids[0])) return false;
    while (AcceptLogical("or")) {
      kids.emplace_back();
      if (!ParseAnd(scope, depth, &kids.back())) return false;
    }
    *out = kids.size() == 1 ? kids[0] : AddList(Kind::kOr, kids);
    return true;
  }

  bool ParseAnd(Scope scope, size_t depth, uint32_t* out) {
    std::vector<uint32_t> kids(1);
    if (!ParseUnary(scope, depth, &kids[0])) return false;
    while (AcceptLogical("and")) {
      kids.emplace_back();
      if (!ParseUnary(scope, depth, &kids.back())) return false;
    }
    *out = kids.size() == 1 ? kids[0] : AddList(Kind::kAnd, kids);
    return true;
  }

  bool ParseUnary(Scope scope, size_t depth, uint32_t* out) {
    SkipSpace();
    const size_t start = i_;
    if (AcceptLogical("not")) {
      if (depth + 1 > kMaxRuleNesting) {
        return Fail(start, "the rule nests -not and parentheses more than " +
                               std::to_string(kMaxRuleNesting) + " deep");
      }
      uint32_t kid = 0;
      if (!ParseUnary(scope, depth + 1, &kid)) return false;
      Node n;
      n.kind = Kind::kNot;
      n.first = static_cast<uint32_t>(out_->children.size());
      n.count = 1;
      n.begin = static_cast<uint32_t>(start);
      n.end = out_->nodes[kid].end;
      out_->children.push_back(kid);
      *out = AddNode(n);
      return true;
    }
    return ParsePrimary(scope, depth, out);
  }

  bool ParsePrimary(Scope scope, size_t depth, uint32_t* out) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '(') {
      const size_t open = i_;
      if (depth + 1 > kMaxRuleNesting) {
        return Fail(open, "the rule nests -not and parentheses more than " +
                              std::to_string(kMaxRuleNesting) + " deep");
      }
      ++i_;
      if (!ParseOr(scope, depth + 1, out)) return false;
      SkipSpace();
      if (i_ >= s_.size() || s_[i_] != ')') {
        return Fail(i_, "expected ')' to close the '(' at position " + std::to_string(open) +
                            (i_ < s_.size() ? ", got " + Snippet(i_) : ""));
      }
      ++i_;
      return true;
    }
    return ParseComparison(scope, depth, out);
  }

  /// Reads `user.department`, `_` or `assignedPlan.servicePlanId` at i_ into `node`.
  bool ParseOperand(Scope scope, Node* node, std::string* written) {
    const size_t start = i_;
    while (i_ < s_.size() && (IsWordChar(s_[i_]) || s_[i_] == '.')) ++i_;
    *written = std::string(s_.substr(start, i_ - start));
    const std::string lower = LowerText(*written);
    if (written->empty()) {
      if (i_ < s_.size() && s_[i_] == '"') {
        return Fail(start, "expected a property before the value " + Snippet(start));
      }
      if (scope == Scope::kItem) return Fail(start, "expected _ (the item), got " + Snippet(start));
      if (scope == Scope::kPlan) {
        return Fail(start,
                    "expected assignedPlan.servicePlanId, assignedPlan.service or "
                    "assignedPlan.capabilityStatus, got " +
                        Snippet(start));
      }
      return Fail(start, "expected an expression (user.<property>, -not or '('), got " +
                             (i_ < s_.size() ? Snippet(start) : "the end of the rule"));
    }
    if (scope == Scope::kItem) {
      if (lower != "_") return Fail(start, "expected _ (the item), got \"" + *written + "\"");
      node->operand = Operand::kItem;
      return true;
    }
    if (scope == Scope::kPlan) {
      if (lower == "assignedplan.serviceplanid") {
        node->operand = Operand::kPlanServicePlanId;
      } else if (lower == "assignedplan.service") {
        node->operand = Operand::kPlanService;
      } else if (lower == "assignedplan.capabilitystatus") {
        node->operand = Operand::kPlanCapabilityStatus;
      } else {
        return Fail(start,
                    "expected assignedPlan.servicePlanId, assignedPlan.service or "
                    "assignedPlan.capabilityStatus, got \"" +
                        *written + "\"");
      }
      return true;
    }
    if (lower.rfind("device.", 0) == 0) {
      return Fail(start, "device rules are not supported: this engine evaluates user rules");
    }
    if (lower == "_" || lower.rfind("assignedplan.", 0) == 0) {
      return Fail(start, "\"" + *written + "\" is only valid inside -any (…) or -all (…)");
    }
    if (lower.rfind("user.", 0) != 0) {
      return Fail(start, "expected user.<property>, got \"" + *written + "\"");
    }
    const std::string name = lower.substr(5);
    for (size_t k = 0; k < kExtensionAttributeNames.size(); ++k) {
      if (EqualsLower(kExtensionAttributeNames[k], name)) {
        node->property =
            static_cast<UserProperty>(static_cast<size_t>(UserProperty::kExtensionAttribute1) + k);
        return true;
      }
    }
    if (name.rfind("extension_", 0) == 0) {
      // extension_<appId without hyphens: 32 of 0-9 A-Z>_<attribute name>
      const std::string_view rest = std::string_view(name).substr(10);
      bool ok = rest.size() > 33 && rest[32] == '_';
      for (size_t k = 0; ok && k < 32; ++k) ok = IsLetter(rest[k]) || IsDigit(rest[k]);
      if (!ok) {
        return Fail(start,
                    "a directory extension is user.extension_<appId>_<name>, the app id "
                    "written as 32 characters 0-9 and A-Z, got \"" +
                        *written + "\"");
      }
      node->property = UserProperty::kDirectoryExtension;
      node->extension = static_cast<uint32_t>(out_->values.size());
      out_->values.push_back(name);
      return true;
    }
    for (const PropertyRow& row : kProperties) {
      if (row.property != UserProperty::kDirectoryExtension && EqualsLower(row.name, name)) {
        node->property = row.property;
        return true;
      }
    }
    if (name == "memberof" || name == "employeehiredate") {
      return Fail(start, "\"" + *written +
                             "\" (a preview property) is not supported by this "
                             "engine yet");
    }
    return Fail(start, "attribute not supported: \"" + *written +
                           "\" is not a user property rules may use");
  }

  /// A double-quoted string at i_ (` escapes the next character), single-quoted ('' is a
  /// quote), a bare word (null, true, false, a number), or a bare `-escaped token.
  bool ParseScalar(Value* v) {
    SkipSpace();
    v->begin = i_;
    if (i_ >= s_.size()) return Fail(i_, "expected a value, got the end of the rule");
    const char q = s_[i_];
    if (q == '"' || q == '\'') {
      ++i_;
      std::string text;
      while (true) {
        if (i_ >= s_.size()) {
          return Fail(v->begin, std::string("the string has no closing ") + q);
        }
        const char c = s_[i_];
        if (q == '"' && c == '`' && i_ + 1 < s_.size()) {
          text += s_[i_ + 1];
          i_ += 2;
        } else if (c == q) {
          if (q == '\'' && i_ + 1 < s_.size() && s_[i_ + 1] == '\'') {
            text += '\'';
            i_ += 2;
          } else {
            ++i_;
            break;
          }
        } else {
          text += c;
          ++i_;
        }
      }
      v->kind = Value::Kind::kString;
      v->text = std::move(text);
      return true;
    }
    if (q == '`') {  // the docs' form: user.department -eq `"Sales`"
      std::string text;
      while (i_ < s_.size() && !IsSpace(s_[i_]) && s_[i_] != ')' && s_[i_] != ',' &&
             s_[i_] != ']') {
        if (s_[i_] == '`' && i_ + 1 < s_.size()) ++i_;
        text += s_[i_++];
      }
      v->kind = Value::Kind::kString;
      v->text = std::move(text);
      return true;
    }
    size_t j = i_;
    while (j < s_.size() && (IsWordChar(s_[j]) || s_[j] == '.' || s_[j] == '$')) ++j;
    const std::string lower = LowerText(s_.substr(i_, j - i_));
    if (lower == "null" || lower == "$null") {
      v->kind = Value::Kind::kNull;
    } else if (lower == "true") {
      v->kind = Value::Kind::kTrue;
    } else if (lower == "false") {
      v->kind = Value::Kind::kFalse;
    } else if (!lower.empty() && std::all_of(lower.begin(), lower.end(),
                                             [](char c) { return IsDigit(c) || c == '.'; })) {
      v->kind = Value::Kind::kString;
      v->text = lower;
    } else {
      return Fail(i_,
                  "expected a value (a string in double quotes, true, false, null or a "
                  "number), got " +
                      Snippet(i_));
    }
    i_ = j;
    return true;
  }

  bool ParseValue(bool list, Value* v) {
    SkipSpace();
    if (!list) {
      if (i_ < s_.size() && s_[i_] == '[') {
        return Fail(i_, "a list of values [ … ] goes with -in or -notIn");
      }
      return ParseScalar(v);
    }
    v->begin = i_;
    if (i_ >= s_.size() || s_[i_] != '[') {
      return Fail(i_, "expected a list of values in brackets, such as [\"50001\",\"50002\"]");
    }
    ++i_;
    v->kind = Value::Kind::kList;
    while (true) {
      Value item;
      if (!ParseScalar(&item)) return false;
      if (item.kind == Value::Kind::kNull) return Fail(item.begin, "null cannot be in a list");
      if (item.kind != Value::Kind::kString) {
        item.text = item.kind == Value::Kind::kTrue ? "true" : "false";
      }
      v->list.push_back(std::move(item.text));
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return true;
      }
      return Fail(i_, "expected ',' or ']' in the list of values" +
                          (i_ < s_.size() ? ", got " + Snippet(i_) : ""));
    }
  }

  bool ParseComparison(Scope scope, size_t depth, uint32_t* out) {
    SkipSpace();
    Node node;
    node.begin = static_cast<uint32_t>(i_);
    std::string written;
    if (!ParseOperand(scope, &node, &written)) return false;
    std::string word;
    size_t op_start = 0, op_end = 0;
    const bool has_word = PeekOperator(&word, &op_start, &op_end);
    const bool collection =
        node.operand == Operand::kProperty && (TypeOf(node.property) == PropertyType::kCollection ||
                                               TypeOf(node.property) == PropertyType::kPlans);
    if (has_word && (word == "any" || word == "all")) {
      if (!collection) {
        return Fail(op_start, "-" + word +
                                  " applies to a multi-value property (assignedPlans, "
                                  "proxyAddresses, otherMails), not \"" +
                                  written + "\"");
      }
      if (depth + 1 > kMaxRuleNesting) {
        return Fail(op_start,
                    "the rule nests more than " + std::to_string(kMaxRuleNesting) + " deep");
      }
      i_ = op_end;
      const Scope inner =
          TypeOf(node.property) == PropertyType::kPlans ? Scope::kPlan : Scope::kItem;
      uint32_t kid = 0;
      if (!ParseUnary(inner, depth + 1, &kid)) return false;
      node.kind = word == "any" ? Kind::kAny : Kind::kAll;
      node.first = static_cast<uint32_t>(out_->children.size());
      node.count = 1;
      node.end = static_cast<uint32_t>(i_);
      out_->children.push_back(kid);
      *out = AddNode(node);
      if (scope == Scope::kUser) out_->leaves.push_back(*out);
      return true;
    }
    const OperatorRow* row = nullptr;
    for (const OperatorRow& r : kOperators) {
      if (has_word && r.lower == word) row = &r;
    }
    if (row == nullptr) {
      if (has_word && (word == "le" || word == "ge" || word == "plus")) {
        return Fail(op_start, "-" + word +
                                  " (dateTime rules on employeeHireDate) is not "
                                  "supported by this engine yet");
      }
      return Fail(op_start,
                  "expected " + std::string(kExpectedOperator) + " after \"" + written + "\"");
    }
    if (node.operand == Operand::kProperty && TypeOf(node.property) == PropertyType::kPlans) {
      return Fail(op_start,
                  "user.assignedPlans takes -any or -all, e.g. user.assignedPlans "
                  "-any (assignedPlan.servicePlanId -eq \"…\" -and "
                  "assignedPlan.capabilityStatus -eq \"Enabled\")");
    }
    i_ = op_end;
    node.op = row->op;
    const bool list = row->op == RuleOperator::kIn || row->op == RuleOperator::kNotIn;
    Value v;
    if (!ParseValue(list, &v)) return false;
    const bool eq_ne = row->op == RuleOperator::kEq || row->op == RuleOperator::kNe;
    if (v.kind == Value::Kind::kNull) {
      if (!eq_ne) return Fail(v.begin, "null can only be compared with -eq or -ne");
      node.null_value = true;
    }
    const bool boolean =
        node.operand == Operand::kProperty && TypeOf(node.property) == PropertyType::kBoolean;
    if (boolean) {
      if (!eq_ne) {
        return Fail(op_start, "operator not supported on attribute: \"" + written +
                                  "\" is a boolean, compare it with -eq or -ne and true or false");
      }
      if (v.kind == Value::Kind::kString) {
        const std::string lower = LowerText(v.text);
        if (lower != "true" && lower != "false") {
          return Fail(v.begin, "\"" + written + "\" is a boolean: expected true or false");
        }
        v.kind = lower == "true" ? Value::Kind::kTrue : Value::Kind::kFalse;
      }
      if (v.kind == Value::Kind::kTrue || v.kind == Value::Kind::kFalse) {
        node.bool_value = v.kind == Value::Kind::kTrue;
      }
    } else if (v.kind == Value::Kind::kTrue || v.kind == Value::Kind::kFalse) {
      v.text = v.kind == Value::Kind::kTrue ? "true" : "false";  // compared as text
      v.kind = Value::Kind::kString;
    }
    node.value = static_cast<uint32_t>(out_->values.size());
    if (v.kind == Value::Kind::kList) {
      for (const std::string& item : v.list) out_->values.push_back(LowerText(item));
      node.value_count = static_cast<uint32_t>(v.list.size());
    } else if (v.kind == Value::Kind::kString) {
      out_->values.push_back(LowerText(v.text));
      node.value_count = 1;
    }
    if (row->op == RuleOperator::kMatch || row->op == RuleOperator::kNotMatch) {
      auto re = CompileRuleRegex(v.text);
      if (!re.Ok()) {
        return Fail(v.begin, "invalid regular expression for -" + std::string(row->lower) + " (" +
                                 re.GetError().message + ")");
      }
      node.regex = static_cast<uint32_t>(out_->regexes.size());
      out_->regexes.push_back(std::move(re.Value()));
    }
    node.kind = Kind::kCompare;
    node.end = static_cast<uint32_t>(i_);
    *out = AddNode(node);
    if (scope == Scope::kUser) out_->leaves.push_back(*out);
    return true;
  }

  void ParseDirectReports() {
    const size_t start = i_;
    auto word = [&](std::string_view lower, const char* what) {
      SkipSpace();
      if (!WordAheadIs(lower)) return Fail(i_, std::string("expected ") + what);
      i_ += lower.size();
      return true;
    };
    if (!word("direct", "Direct") || !word("reports", "Reports (Direct Reports for \"<id>\")") ||
        !word("for", "for (Direct Reports for \"<id>\")")) {
      return;
    }
    Value v;
    SkipSpace();
    if (i_ >= s_.size() || s_[i_] != '"') {
      Fail(i_, "expected the manager's object id in double quotes");
      return;
    }
    if (!ParseScalar(&v)) return;
    SkipSpace();
    if (i_ < s_.size()) {
      Fail(i_,
           "a Direct Reports rule can't be combined with other expressions, got " + Snippet(i_));
      return;
    }
    if (v.text.empty()) {
      Fail(v.begin, "expected the manager's object id, got an empty string");
      return;
    }
    out_->direct_reports = true;
    out_->manager_id = LowerText(v.text);
    Node n;
    n.begin = static_cast<uint32_t>(start);
    n.end = static_cast<uint32_t>(i_);
    out_->root = AddNode(n);
    out_->leaves.push_back(out_->root);
  }

  std::string_view s_;
  MembershipRule* out_;
  size_t i_ = 0;
  std::optional<Error> error_;
};

// ---------------------------------------------------------------------------------------------
// Evaluation.

struct ItemContext {
  std::string_view item;
  const AssignedPlanView* plan = nullptr;
};

std::optional<std::string_view> NonEmpty(std::optional<std::string_view> v) {
  if (v && v->empty()) return std::nullopt;
  return v;
}

bool Negated(RuleOperator op) {
  switch (op) {
    case RuleOperator::kNe:
    case RuleOperator::kNotStartsWith:
    case RuleOperator::kNotEndsWith:
    case RuleOperator::kNotContains:
    case RuleOperator::kNotMatch:
    case RuleOperator::kNotIn:
      return true;
    default:
      return false;
  }
}

/// The positive form of the comparison (-eq for -ne, …) on a non-null text.
bool Positive(const MembershipRule& r, const Node& n, std::string_view text) {
  const std::string* values = r.values.data() + n.value;
  switch (n.op) {
    case RuleOperator::kEq:
    case RuleOperator::kNe:
      return EqualsLower(text, values[0]);
    case RuleOperator::kStartsWith:
    case RuleOperator::kNotStartsWith:
      return StartsLower(text, values[0]);
    case RuleOperator::kEndsWith:
    case RuleOperator::kNotEndsWith:
      return EndsLower(text, values[0]);
    case RuleOperator::kContains:
    case RuleOperator::kNotContains:
      return ContainsLower(text, values[0]);
    case RuleOperator::kMatch:
    case RuleOperator::kNotMatch:
      return r.regexes[n.regex].Search(text);
    case RuleOperator::kIn:
    case RuleOperator::kNotIn:
      for (uint32_t k = 0; k < n.value_count; ++k) {
        if (EqualsLower(text, values[k])) return true;
      }
      return false;
  }
  return false;
}

/// A comparison of one (possibly null) text: null satisfies only -eq null and the negated forms.
bool CompareText(const MembershipRule& r, const Node& n, std::optional<std::string_view> v) {
  v = NonEmpty(v);
  if (n.null_value) return (n.op == RuleOperator::kEq) == !v.has_value();
  if (!v) return Negated(n.op);
  return Positive(r, n, *v) != Negated(n.op);
}

bool EvalNode(const MembershipRule& r, uint32_t id, const UserAttributes& u,
              const ItemContext* ctx);

bool EvalCompare(const MembershipRule& r, const Node& n, const UserAttributes& u,
                 const ItemContext* ctx) {
  switch (n.operand) {
    case Operand::kItem:
      return CompareText(
          r, n, ctx != nullptr ? std::optional<std::string_view>(ctx->item) : std::nullopt);
    case Operand::kPlanServicePlanId:
      return CompareText(r, n,
                         ctx != nullptr && ctx->plan != nullptr
                             ? std::optional<std::string_view>(ctx->plan->service_plan_id)
                             : std::nullopt);
    case Operand::kPlanService:
      return CompareText(r, n,
                         ctx != nullptr && ctx->plan != nullptr
                             ? std::optional<std::string_view>(ctx->plan->service)
                             : std::nullopt);
    case Operand::kPlanCapabilityStatus:
      return CompareText(r, n,
                         ctx != nullptr && ctx->plan != nullptr
                             ? std::optional<std::string_view>(ctx->plan->capability_status)
                             : std::nullopt);
    case Operand::kProperty:
      break;
  }
  switch (TypeOf(n.property)) {
    case PropertyType::kBoolean: {
      const std::optional<bool> b = u.Boolean(n.property);
      if (n.null_value) return (n.op == RuleOperator::kEq) == !b.has_value();
      const bool equal = b.has_value() && *b == n.bool_value.value_or(false);
      return n.op == RuleOperator::kEq ? equal : !equal;
    }
    case PropertyType::kCollection: {
      // A direct comparison on a collection: the positive form holds for some item; a negated
      // form holds when no item satisfies the positive one. null: the collection is empty.
      const size_t size = u.CollectionSize(n.property);
      if (n.null_value) return (n.op == RuleOperator::kEq) == (size == 0);
      bool any = false;
      for (size_t k = 0; k < size && !any; ++k) {
        const std::string_view item = u.CollectionItem(n.property, k);
        any = !item.empty() && Positive(r, n, item);
      }
      return any != Negated(n.op);
    }
    case PropertyType::kPlans:
      return false;  // the parser allows only -any / -all here
    case PropertyType::kString:
      break;
  }
  if (n.property == UserProperty::kDirectoryExtension) {
    return CompareText(r, n, u.Extension(r.values[n.extension]));
  }
  return CompareText(r, n, u.String(n.property));
}

bool EvalNode(const MembershipRule& r, uint32_t id, const UserAttributes& u,
              const ItemContext* ctx) {
  const Node& n = r.nodes[id];
  switch (n.kind) {
    case Kind::kCompare:
      return EvalCompare(r, n, u, ctx);
    case Kind::kNot:
      return !EvalNode(r, r.children[n.first], u, ctx);
    case Kind::kAnd:
      for (uint32_t k = 0; k < n.count; ++k) {
        if (!EvalNode(r, r.children[n.first + k], u, ctx)) return false;
      }
      return true;
    case Kind::kOr:
      for (uint32_t k = 0; k < n.count; ++k) {
        if (EvalNode(r, r.children[n.first + k], u, ctx)) return true;
      }
      return false;
    case Kind::kAny:
    case Kind::kAll: {
      const bool want_any = n.kind == Kind::kAny;
      const uint32_t kid = r.children[n.first];
      if (n.property == UserProperty::kAssignedPlans) {
        const size_t count = u.AssignedPlanCount();
        for (size_t k = 0; k < count; ++k) {
          const AssignedPlanView plan = u.AssignedPlan(k);
          ItemContext item{{}, &plan};
          if (EvalNode(r, kid, u, &item) == want_any) return want_any;
        }
        return !want_any;
      }
      const size_t count = u.CollectionSize(n.property);
      for (size_t k = 0; k < count; ++k) {
        ItemContext item{u.CollectionItem(n.property, k), nullptr};
        if (EvalNode(r, kid, u, &item) == want_any) return want_any;
      }
      return !want_any;
    }
  }
  return false;
}

bool EvalDirectReports(const MembershipRule& r, const UserAttributes& u) {
  const std::optional<std::string_view> manager = NonEmpty(u.ManagerId());
  return manager.has_value() && EqualsLower(*manager, r.manager_id);
}

/// Short-circuit evaluation recording the leaf that fixed each node's value.
bool Decide(const MembershipRule& r, uint32_t id, const UserAttributes& u,
            const std::vector<int>& leaf_of, size_t* decider) {
  const Node& n = r.nodes[id];
  switch (n.kind) {
    case Kind::kNot:
      return !Decide(r, r.children[n.first], u, leaf_of, decider);
    case Kind::kAnd:
    case Kind::kOr: {
      const bool stop_on = n.kind == Kind::kOr;
      for (uint32_t k = 0; k < n.count; ++k) {
        if (Decide(r, r.children[n.first + k], u, leaf_of, decider) == stop_on) return stop_on;
      }
      return !stop_on;
    }
    default:
      *decider = leaf_of[id] >= 0 ? static_cast<size_t>(leaf_of[id]) : 0;
      return EvalNode(r, id, u, nullptr);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string_view UserPropertyName(UserProperty p) {
  if (IsExtensionAttribute(p)) {
    return kExtensionAttributeNames[static_cast<size_t>(p) -
                                    static_cast<size_t>(UserProperty::kExtensionAttribute1)];
  }
  for (const PropertyRow& row : kProperties) {
    if (row.property == p) return row.name;
  }
  return {};
}

UserAttributeSet& UserAttributeSet::Set(UserProperty p, std::optional<std::string> value) {
  if (value) {
    strings_[p] = std::move(*value);
  } else {
    strings_.erase(p);
  }
  return *this;
}

UserAttributeSet& UserAttributeSet::SetBoolean(UserProperty p, std::optional<bool> value) {
  if (value) {
    booleans_[p] = *value;
  } else {
    booleans_.erase(p);
  }
  return *this;
}

UserAttributeSet& UserAttributeSet::Add(UserProperty p, std::string item) {
  if (p == UserProperty::kOtherMails) other_mails_.push_back(std::move(item));
  if (p == UserProperty::kProxyAddresses) proxy_addresses_.push_back(std::move(item));
  return *this;
}

UserAttributeSet& UserAttributeSet::AddPlan(std::string service_plan_id, std::string service,
                                            std::string capability_status) {
  plans_.push_back({std::move(service_plan_id), std::move(service), std::move(capability_status)});
  return *this;
}

UserAttributeSet& UserAttributeSet::SetExtension(std::string_view name, std::string value) {
  extensions_[LowerText(name)] = std::move(value);
  return *this;
}

UserAttributeSet& UserAttributeSet::SetManager(std::string manager_id) {
  manager_ = std::move(manager_id);
  return *this;
}

std::optional<std::string_view> UserAttributeSet::String(UserProperty p) const {
  auto it = strings_.find(p);
  if (it == strings_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<bool> UserAttributeSet::Boolean(UserProperty p) const {
  auto it = booleans_.find(p);
  if (it == booleans_.end()) return std::nullopt;
  return it->second;
}

size_t UserAttributeSet::CollectionSize(UserProperty p) const {
  if (p == UserProperty::kOtherMails) return other_mails_.size();
  if (p == UserProperty::kProxyAddresses) return proxy_addresses_.size();
  return 0;
}

std::string_view UserAttributeSet::CollectionItem(UserProperty p, size_t i) const {
  if (p == UserProperty::kOtherMails) return other_mails_[i];
  if (p == UserProperty::kProxyAddresses) return proxy_addresses_[i];
  return {};
}

size_t UserAttributeSet::AssignedPlanCount() const { return plans_.size(); }

AssignedPlanView UserAttributeSet::AssignedPlan(size_t i) const {
  return {plans_[i].id, plans_[i].service, plans_[i].status};
}

std::optional<std::string_view> UserAttributeSet::Extension(std::string_view lower_name) const {
  auto it = extensions_.find(lower_name);
  if (it == extensions_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> UserAttributeSet::ManagerId() const {
  if (!manager_) return std::nullopt;
  return std::string_view(*manager_);
}

bool RuleRegex::Search(std::string_view text) const {
  const size_t n = program_.size();
  if (n == 0) return false;
  std::vector<uint32_t> clist, nlist, stack;
  clist.reserve(n);
  nlist.reserve(n);
  std::vector<size_t> mark(n, static_cast<size_t>(-1));
  auto is_word = [&](size_t at) { return at < text.size() && IsWordChar(text[at]); };
  // Follows jumps, splits and assertions from `pc` at text position `pos` into `list`; true
  // when a thread reaches Match.
  auto add = [&](std::vector<uint32_t>& list, uint32_t start, size_t pos) {
    stack.clear();
    stack.push_back(start);
    while (!stack.empty()) {
      const uint32_t pc = stack.back();
      stack.pop_back();
      if (mark[pc] == pos) continue;
      mark[pc] = pos;
      const Inst& in = program_[pc];
      switch (in.op) {
        case Inst::Op::kJmp:
          stack.push_back(in.x);
          break;
        case Inst::Op::kSplit:
          stack.push_back(in.y);
          stack.push_back(in.x);
          break;
        case Inst::Op::kAssert: {
          bool holds = false;
          if (in.byte == '^') holds = pos == 0;
          if (in.byte == '$') {
            holds = pos == text.size() || (pos + 1 == text.size() && text[pos] == '\n');
          }
          if (in.byte == 'b' || in.byte == 'B') {
            const bool boundary = (pos > 0 && is_word(pos - 1)) != is_word(pos);
            holds = in.byte == 'b' ? boundary : !boundary;
          }
          if (holds) stack.push_back(pc + 1);
          break;
        }
        case Inst::Op::kMatch:
          return true;
        default:
          list.push_back(pc);
      }
    }
    return false;
  };
  if (add(clist, 0, 0)) return true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char raw = text[i];
    const auto c = static_cast<uint8_t>(Lower(raw));
    nlist.clear();
    for (uint32_t pc : clist) {
      const Inst& in = program_[pc];
      bool step = false;
      if (in.op == Inst::Op::kByte) step = in.byte == c;
      if (in.op == Inst::Op::kAny) step = raw != '\n';
      if (in.op == Inst::Op::kClass) step = classes_[in.x][static_cast<unsigned char>(raw)];
      if (step && add(nlist, pc + 1, i + 1)) return true;
    }
    if (add(nlist, 0, i + 1)) return true;  // the pattern may start at any position
    std::swap(clist, nlist);
  }
  return false;
}

Result<RuleRegex> CompileRuleRegex(std::string_view pattern) {
  return RegexCompiler(pattern).Compile();
}

Result<MembershipRule> ParseMembershipRule(std::string_view rule) {
  MembershipRule out;
  out.text = std::string(rule);
  RuleParser parser(rule, &out);
  if (std::optional<Error> error = parser.Parse()) return *error;
  return out;
}

bool Evaluate(const MembershipRule& rule, const UserAttributes& user) {
  if (rule.direct_reports) return EvalDirectReports(rule, user);
  if (rule.nodes.empty()) return false;
  return EvalNode(rule, rule.root, user, nullptr);
}

RuleExplanation ExplainRule(const MembershipRule& rule, const UserAttributes& user) {
  RuleExplanation out;
  std::vector<int> leaf_of(rule.nodes.size(), -1);
  for (size_t k = 0; k < rule.leaves.size(); ++k) {
    const Node& n = rule.nodes[rule.leaves[k]];
    leaf_of[rule.leaves[k]] = static_cast<int>(k);
    ExpressionOutcome e;
    e.begin = n.begin;
    e.end = n.end;
    e.text = rule.text.substr(n.begin, n.end - n.begin);
    e.value = rule.direct_reports ? EvalDirectReports(rule, user)
                                  : EvalNode(rule, rule.leaves[k], user, nullptr);
    out.expressions.push_back(std::move(e));
  }
  if (rule.direct_reports) {
    out.result = out.expressions.empty() ? false : out.expressions[0].value;
    return out;
  }
  if (rule.nodes.empty()) return out;
  out.result = Decide(rule, rule.root, user, leaf_of, &out.deciding);
  return out;
}

}  // namespace gbl
