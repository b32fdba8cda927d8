// The built-in sample tenant: Contoso, the world of the "assign licenses to a group" walkthrough.
//
// HR Department (1,000 users, no license yet), Kiosk users (Office 365 E1 in force for 25 members,
// 10 of them also in HR Department), IT Admins (EMS in force), Sales, Revenue Team (nests Sales),
// All Company (a Microsoft 365 group), two direct Office 365 E3 assignments in IT and a few direct
// Power BI Pro assignments. Assigning Office 365 E3 + EMS to HR Department then licenses 990 users
// and fails for the 10 Kiosk members with MutuallyExclusiveViolation (E1's SharePoint Plan 1 and
// Exchange Online Plan 1 against E3's Plan 2 counterparts).
//
// No "licensingRules" key: the engine uses the 2017 catalogue exclusion families.
// Service plans of every product are the catalogue's rows for its skuId, as published.
// Everything is derived from fixed seeds: the text is the same on every call and every platform.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gbl/engine.h"
#include "generators.h"

namespace gbl {

namespace {

using Json = nlohmann::ordered_json;

constexpr uint64_t kSampleSeed = 0xC0275011ULL;  // ids of the sample (organisation, users, groups)
constexpr uint64_t kKindOrg = 20;
constexpr uint64_t kKindUser = 21;
constexpr uint64_t kKindGroup = 22;

constexpr const char* kE1 = "18181a46-0d4e-45cd-891e-60aabd171b4e";       // STANDARDPACK
constexpr const char* kE3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";       // ENTERPRISEPACK
constexpr const char* kEms = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e";      // EMS
constexpr const char* kPowerBi = "f8a1db68-be16-40ed-86d5-cb42ce701560";  // POWER_BI_PRO
constexpr const char* kStateTime = "2026-11-01T09:00:00Z";
constexpr const char* kDomain = "contoso.com";

constexpr int kHrUsers = 1000;
constexpr int kKioskOverlap = 10;

/// Picks names and locations deterministically.
using Picker = SplitMix64;

constexpr const char* kFirstNames[] = {
    "James",    "Mary",      "Robert",  "Patricia", "John",     "Jennifer", "Michael", "Linda",
    "David",    "Elizabeth", "William", "Barbara",  "Richard",  "Susan",    "Joseph",  "Jessica",
    "Thomas",   "Sarah",     "Charles", "Karen",    "Daniel",   "Lisa",     "Matthew", "Nancy",
    "Anthony",  "Sandra",    "Mark",    "Ashley",   "Steven",   "Emily",    "Paul",    "Michelle",
    "Andrew",   "Amanda",    "Joshua",  "Melissa",  "Kevin",    "Deborah",  "Brian",   "Stephanie",
    "George",   "Rebecca",   "Edward",  "Laura",    "Ronald",   "Sharon",   "Timothy", "Cynthia",
    "Jason",    "Kathleen",  "Ryan",    "Amy",      "Jacob",    "Angela",   "Gary",    "Helen",
    "Nicholas", "Anna",      "Eric",    "Brenda",   "Jonathan", "Pamela",   "Priya",   "Wei",
    "Sofia",    "Lucas",     "Hannah",  "Omar",     "Chloe",    "Mateo",    "Aisha",   "Lars"};
constexpr const char* kLastNames[] = {
    "Smith",     "Johnson",  "Williams",  "Brown",   "Jones",    "Garcia",   "Miller",   "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez",   "Gonzalez", "Wilson",   "Anderson", "Thomas",
    "Taylor",    "Moore",    "Jackson",   "Martin",  "Lee",      "Perez",    "Thompson", "White",
    "Harris",    "Sanchez",  "Clark",     "Ramirez", "Lewis",    "Robinson", "Walker",   "Young",
    "Allen",     "King",     "Wright",    "Scott",   "Torres",   "Nguyen",   "Hill",     "Flores",
    "Green",     "Adams",    "Nelson",    "Baker",   "Hall",     "Rivera",   "Campbell", "Mitchell",
    "Carter",    "Roberts",  "Patel",     "Chen",    "Kowalski", "Schmidt",  "Dubois",   "O'Brien",
    "Rossi",     "Tanaka",   "Andersen",  "Okafor",  "Silva",    "Murphy",   "Kim",      "Fischer"};
constexpr const char* kHrTitles[] = {"HR Generalist",
                                     "Recruiter",
                                     "HR Business Partner",
                                     "Payroll Specialist",
                                     "Benefits Administrator",
                                     "HR Coordinator",
                                     "Talent Acquisition Specialist",
                                     "Learning and Development Specialist",
                                     "Compensation Analyst",
                                     "HR Manager"};

/// One user of the sample before it is written.
struct SampleUser {
  std::string id;
  std::string given;
  std::string surname;
  std::string upn;
  std::string department;
  std::string title;
  std::string location;             ///< empty: not set (the tenant's country applies)
  std::vector<std::string> direct;  ///< directly assigned skuIds
  std::vector<std::pair<std::string, std::string>> groups;  ///< (skuId, group id) inherited
};

/// Lower-case ASCII letters of a name, for the UPN local part.
std::string UpnPart(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z')
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if (c >= 'a' && c <= 'z')
      out.push_back(c);
  }
  return out;
}

/// Builds unique, realistic users; UPNs get a number suffix when a name repeats.
class UserFactory {
 public:
  explicit UserFactory(uint64_t seed) : picker_(seed) {}

  /// A new user with a random name, or the given one when both parts are set.
  SampleUser Make(const std::string& department, const std::string& title,
                  const std::string& given = "", const std::string& surname = "") {
    SampleUser u;
    u.id = tenantgen::DeterministicGuid(kSampleSeed, kKindUser, next_index_++);
    constexpr size_t kFirst = sizeof(kFirstNames) / sizeof(kFirstNames[0]);
    constexpr size_t kLast = sizeof(kLastNames) / sizeof(kLastNames[0]);
    u.given = given.empty() ? kFirstNames[picker_.Below(kFirst)] : given;
    u.surname = surname.empty() ? kLastNames[picker_.Below(kLast)] : surname;
    std::string local = UpnPart(u.given) + "." + UpnPart(u.surname);
    std::string candidate = local;
    for (int n = 2; upns_.count(candidate) != 0; ++n) candidate = local + std::to_string(n);
    upns_.insert(candidate);
    u.upn = candidate + "@" + kDomain;
    u.department = department;
    u.title = title;
    u.location = "US";
    return u;
  }

  /// A user with a fixed UPN local part (e.g. "admin").
  SampleUser MakeNamed(const std::string& local, const std::string& given,
                       const std::string& surname, const std::string& department,
                       const std::string& title) {
    SampleUser u = Make(department, title, given, surname);
    upns_.erase(u.upn.substr(0, u.upn.find('@')));
    upns_.insert(local);
    u.upn = local + "@" + kDomain;
    return u;
  }

  /// The shared picker, for other deterministic choices.
  Picker& picker() { return picker_; }

 private:
  Picker picker_;
  uint64_t next_index_ = 0;
  std::set<std::string> upns_;
};

/// One product of the sample: skuId, partNumber, seats, and its catalogue plans.
struct SampleSku {
  const char* sku_id;
  std::string part_number;
  int64_t enabled;
  int64_t warning;
  Json plans = Json::array();
};

/// Fills part numbers and service plans of `skus` from the embedded catalogue (first product
/// name seen for each skuId; rows as published).
void FillFromCatalog(std::vector<SampleSku>* skus) {
  std::vector<std::string> owner(skus->size());  // display name whose rows are used
  ForEachCatalogRow([&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < skus->size(); ++i) {
      SampleSku& sku = (*skus)[i];
      if (row[2] != sku.sku_id) continue;
      if (owner[i].empty()) {
        owner[i] = row[0];
        sku.part_number = row[1];
      }
      if (owner[i] != row[0]) continue;
      bool dup = std::any_of(sku.plans.begin(), sku.plans.end(),
                             [&](const Json& p) { return p["servicePlanId"] == row[4]; });
      if (dup) continue;
      Json plan = Json::object();
      plan["servicePlanId"] = row[4];
      plan["servicePlanName"] = row[3];
      plan["appliesTo"] = "User";
      plan["provisioningStatus"] = "Success";
      sku.plans.push_back(std::move(plan));
    }
  });
}

/// `{skuId, disabledPlans: []}`.
Json License(const std::string& sku_id) {
  Json l = Json::object();
  l["skuId"] = sku_id;
  l["disabledPlans"] = Json::array();
  return l;
}

/// A licenseAssignmentState in force (Active, no error).
Json ActiveState(const std::string& sku_id, const std::string& group_id) {
  Json s = Json::object();
  s["skuId"] = sku_id;
  s["assignedByGroup"] = group_id.empty() ? Json(nullptr) : Json(group_id);
  s["state"] = "Active";
  s["error"] = "None";
  s["disabledPlans"] = Json::array();
  s["lastUpdatedDateTime"] = kStateTime;
  return s;
}

/// The Graph user object.
Json UserJson(const SampleUser& u) {
  Json j = Json::object();
  j["id"] = u.id;
  j["displayName"] = u.given + " " + u.surname;
  j["givenName"] = u.given;
  j["surname"] = u.surname;
  j["userPrincipalName"] = u.upn;
  j["mail"] = u.upn;
  j["jobTitle"] = u.title;
  j["department"] = u.department;
  j["usageLocation"] = u.location.empty() ? Json(nullptr) : Json(u.location);
  j["accountEnabled"] = true;
  j["proxyAddresses"] = Json::array({"SMTP:" + u.upn});
  Json assigned = Json::array();
  Json states = Json::array();
  std::vector<std::string> held;
  for (const auto& sku : u.direct) {
    states.push_back(ActiveState(sku, ""));
    if (std::find(held.begin(), held.end(), sku) == held.end()) held.push_back(sku);
  }
  for (const auto& [sku, group] : u.groups) {
    states.push_back(ActiveState(sku, group));
    if (std::find(held.begin(), held.end(), sku) == held.end()) held.push_back(sku);
  }
  for (const auto& sku : held) assigned.push_back(License(sku));
  j["assignedLicenses"] = std::move(assigned);
  j["licenseAssignmentStates"] = std::move(states);
  return j;
}

/// A member reference in Graph's directoryObject form.
Json MemberRef(const std::string& id, bool group) {
  Json m = Json::object();
  m["@odata.type"] = group ? "#microsoft.graph.group" : "#microsoft.graph.user";
  m["id"] = id;
  return m;
}

/// The Graph group object; `licenses` become its assignedLicenses (all plans enabled).
Json GroupJson(const std::string& id, const std::string& name, const std::string& description,
               bool security, bool unified, const std::vector<std::string>& licenses,
               const std::vector<std::string>& user_members,
               const std::vector<std::string>& group_members) {
  Json g = Json::object();
  g["id"] = id;
  g["displayName"] = name;
  g["description"] = description;
  g["securityEnabled"] = security;
  g["mailEnabled"] = unified;
  g["groupTypes"] = unified ? Json::array({"Unified"}) : Json::array();
  if (unified) {
    std::string nick = UpnPart(name);
    g["mail"] = nick + "@" + kDomain;
    g["mailNickname"] = nick;
  }
  Json assigned = Json::array();
  for (const auto& sku : licenses) assigned.push_back(License(sku));
  g["assignedLicenses"] = std::move(assigned);
  if (!licenses.empty())
    g["licenseProcessingState"] = Json::object({{"state", "ProcessingComplete"}});
  Json members = Json::array();
  for (const auto& m : user_members) members.push_back(MemberRef(m, false));
  for (const auto& m : group_members) members.push_back(MemberRef(m, true));
  g["members"] = std::move(members);
  return g;
}

}  // namespace

std::string SampleTenantDocument() {
  const std::string org_id = tenantgen::DeterministicGuid(kSampleSeed, kKindOrg, 0);
  auto group_id = [](uint64_t n) {
    return tenantgen::DeterministicGuid(kSampleSeed, kKindGroup, n);
  };
  const std::string hr_id = group_id(0);
  const std::string kiosk_id = group_id(1);
  const std::string sales_id = group_id(2);
  const std::string it_admins_id = group_id(3);
  const std::string all_company_id = group_id(4);
  const std::string revenue_id = group_id(5);

  UserFactory factory(kSampleSeed);
  Picker& pick = factory.picker();

  // HR Department: 1,000 members; usage location mostly US, some GB/DE/FR, a few not set.
  std::vector<SampleUser> hr;
  hr.reserve(kHrUsers);
  constexpr size_t kTitles = sizeof(kHrTitles) / sizeof(kHrTitles[0]);
  for (int i = 0; i < kHrUsers; ++i) {
    SampleUser u = factory.Make("Human Resources", kHrTitles[pick.Below(kTitles)]);
    uint64_t roll = pick.Below(1000);
    if (roll < 60)
      u.location = "GB";
    else if (roll < 100)
      u.location = "DE";
    else if (roll < 130)
      u.location = "FR";
    else if (roll < 145)
      u.location = "";
    hr.push_back(std::move(u));
  }
  // Ten HR members also sit in Kiosk users (they hold E1 from there). Their location is set.
  std::vector<size_t> overlap;
  while (overlap.size() < static_cast<size_t>(kKioskOverlap)) {
    size_t i = static_cast<size_t>(pick.Below(hr.size()));
    if (std::find(overlap.begin(), overlap.end(), i) == overlap.end()) overlap.push_back(i);
  }
  std::sort(overlap.begin(), overlap.end());

  // The rest of Contoso: IT (admin included), retail staff on kiosks, Sales, Finance.
  std::vector<SampleUser> it;
  it.push_back(
      factory.MakeNamed("admin", "Contoso", "Administrator", "IT", "Global Administrator"));
  const char* kItTitles[] = {"Systems Engineer",      "Service Desk Analyst",
                             "Network Engineer",      "Security Analyst",
                             "Cloud Architect",       "IT Manager",
                             "Identity Engineer",     "Desktop Support Technician",
                             "Database Administrator"};
  for (const char* title : kItTitles) it.push_back(factory.Make("IT", title));
  it[0].direct.push_back(kE3);  // two direct Office 365 E3 assignments, none in HR
  it[1].direct.push_back(kE3);
  std::vector<SampleUser> retail;
  for (int i = 0; i < 15; ++i) {
    retail.push_back(factory.Make("Retail", i % 5 == 0 ? "Store Supervisor" : "Store Associate"));
  }
  retail[3].location = "GB";
  retail[7].location = "GB";
  std::vector<SampleUser> sales;
  for (int i = 0; i < 10; ++i) {
    sales.push_back(factory.Make("Sales", i == 0 ? "Sales Director" : "Account Executive"));
  }
  sales[4].location = "DE";
  sales[8].location = "FR";
  std::vector<SampleUser> finance;
  for (int i = 0; i < 5; ++i) {
    finance.push_back(factory.Make("Finance", i == 0 ? "Finance Manager" : "Financial Analyst"));
  }
  sales[0].direct.push_back(kPowerBi);
  sales[1].direct.push_back(kPowerBi);
  finance[0].direct.push_back(kPowerBi);
  finance[1].direct.push_back(kPowerBi);

  // Inherited licenses already in force: E1 from Kiosk users, EMS from IT Admins.
  std::vector<std::string> kiosk_members;
  for (size_t i : overlap) {
    if (hr[i].location.empty()) hr[i].location = "US";
    hr[i].groups.emplace_back(kE1, kiosk_id);
    kiosk_members.push_back(hr[i].id);
  }
  for (auto& u : retail) {
    u.groups.emplace_back(kE1, kiosk_id);
    kiosk_members.push_back(u.id);
  }
  std::vector<std::string> it_admin_members;
  for (size_t i = 0; i < 6; ++i) {
    it[i].groups.emplace_back(kEms, it_admins_id);
    it_admin_members.push_back(it[i].id);
  }

  // Products: seats for the walkthrough (E3 and EMS for all of HR), Power BI Pro partly expiring.
  std::vector<SampleSku> skus;
  skus.push_back({kE1, "", 60, 0});
  skus.push_back({kE3, "", 1100, 0});
  skus.push_back({kEms, "", 1100, 0});
  skus.push_back({kPowerBi, "", 5, 5});
  FillFromCatalog(&skus);

  std::vector<const std::vector<SampleUser>*> all_lists = {&hr, &it, &retail, &sales, &finance};
  Json users = Json::array();
  std::vector<std::string> everyone;
  for (const auto* list : all_lists) {
    for (const auto& u : *list) {
      users.push_back(UserJson(u));
      everyone.push_back(u.id);
    }
  }

  Json sku_array = Json::array();
  for (const SampleSku& sku : skus) {
    int64_t consumed = 0;
    for (const auto* list : all_lists) {
      for (const auto& u : *list) {
        bool holds = std::find(u.direct.begin(), u.direct.end(), sku.sku_id) != u.direct.end() ||
                     std::any_of(u.groups.begin(), u.groups.end(),
                                 [&](const auto& g) { return g.first == sku.sku_id; });
        if (holds) ++consumed;
      }
    }
    Json s = Json::object();
    s["id"] = org_id + "_" + sku.sku_id;
    s["skuId"] = sku.sku_id;
    s["skuPartNumber"] = sku.part_number;
    s["appliesTo"] = "User";
    s["capabilityStatus"] = "Enabled";
    s["consumedUnits"] = consumed;
    s["prepaidUnits"] = Json::object(
        {{"enabled", sku.enabled}, {"warning", sku.warning}, {"suspended", 0}, {"lockedOut", 0}});
    s["servicePlans"] = sku.plans;
    sku_array.push_back(std::move(s));
  }

  auto ids_of = [](const std::vector<SampleUser>& list) {
    std::vector<std::string> ids;
    for (const auto& u : list) ids.push_back(u.id);
    return ids;
  };
  Json groups = Json::array();
  groups.push_back(GroupJson(hr_id, "HR Department",
                             "All members of the Human Resources department", true, false, {},
                             ids_of(hr), {}));
  groups.push_back(GroupJson(kiosk_id, "Kiosk users", "Frontline staff working on shared kiosks",
                             true, false, {kE1}, kiosk_members, {}));
  groups.push_back(
      GroupJson(sales_id, "Sales", "Sales department", true, false, {}, ids_of(sales), {}));
  groups.push_back(GroupJson(it_admins_id, "IT Admins", "IT administrators", true, false, {kEms},
                             it_admin_members, {}));
  groups.push_back(GroupJson(all_company_id, "All Company",
                             "Everyone at Contoso (Microsoft 365 group)", false, true, {}, everyone,
                             {}));
  groups.push_back(GroupJson(revenue_id, "Revenue Team",
                             "Finance analysts plus the Sales group (nested: its members are not "
                             "first-level members)",
                             true, false, {}, ids_of(finance), {sales_id}));

  Json org = Json::object();
  org["id"] = org_id;
  org["displayName"] = "Contoso";
  org["countryLetterCode"] = "US";
  Json domains = Json::array();
  domains.push_back(Json::object(
      {{"name", "contoso.com"}, {"isDefault", true}, {"isInitial", false}, {"type", "Managed"}}));
  domains.push_back(Json::object({{"name", "contoso.onmicrosoft.com"},
                                  {"isDefault", false},
                                  {"isInitial", true},
                                  {"type", "Managed"}}));
  org["verifiedDomains"] = std::move(domains);

  Json doc = Json::object();
  doc["organization"] = Json::array({std::move(org)});
  doc["subscribedSkus"] = std::move(sku_array);
  doc["users"] = std::move(users);
  doc["groups"] = std::move(groups);
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gbl
