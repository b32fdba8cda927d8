// The embedded Microsoft catalogue: product names, service plans, 2017 exclusion families.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "generators.h"
#include "tenant.h"

namespace gbl {

extern const char* const kCatalogCsvParts[];
extern const char* const kExclusionsCsvParts[];

namespace {

/// The text of an embedded CSV file: its pieces (catalog_data.cpp, nullptr-terminated) joined.
std::string JoinParts(const char* const* parts) {
  std::string text;
  for (; *parts != nullptr; ++parts) text += *parts;
  return text;
}

}  // namespace

const std::string& CatalogCsv() {
  static const std::string text = JoinParts(kCatalogCsvParts);
  return text;
}

const std::string& ExclusionsCsv() {
  static const std::string text = JoinParts(kExclusionsCsvParts);
  return text;
}

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field.push_back(c);
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  if (!rows.empty()) rows.erase(rows.begin());
  return rows;
}

void ForEachCatalogRow(const std::function<void(const std::vector<std::string>&)>& visit) {
  for (const auto& row : ParseCsv(CatalogCsv())) {
    if (row.size() == 6) visit(row);
  }
}

namespace {

std::string Trim(std::string s) {
  auto is_space = [](unsigned char ch) { return ch == ' ' || ch == '\t' || ch == 0xA0; };
  while (!s.empty() && is_space(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && is_space(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

/// True when a name has letters and none of them is lower-case.
bool IsAllCapitals(std::string_view s) {
  bool letters = false;
  for (char ch : s) {
    if (ch >= 'a' && ch <= 'z') return false;
    letters = letters || (ch >= 'A' && ch <= 'Z');
  }
  return letters;
}

struct Catalog {
  std::unordered_map<std::string, CatalogProduct> products;
  std::unordered_map<std::string, std::pair<std::string, std::string>>
      plans;  // id → (name, friendly)
  std::vector<std::pair<std::string, std::vector<std::string>>> families;
};

const Catalog& GetCatalog() {
  static const Catalog catalog = [] {
    Catalog c;
    for (auto& r : ParseCsv(CatalogCsv())) {
      if (r.size() < 6) continue;
      std::string sku = Lower(Trim(r[2]));
      std::string plan = Lower(Trim(r[4]));
      auto& p = c.products[sku];
      if (p.part_number.empty()) {
        p.part_number = Trim(r[1]);
        p.display_name = Trim(r[0]);
      }
      bool seen = false;
      for (auto& existing : p.plans) seen = seen || existing.first == plan;
      if (!seen) {
        p.plans.emplace_back(plan, Trim(r[3]));
        p.friendly.push_back(Trim(r[5]));
      }
      auto& named = c.plans[plan];
      // The first name listed; a capitals-only friendly name ("EXCHANGE ONLINE (PLAN 2)") gives
      // way to the same plan's name in words from another product.
      if (named.first.empty()) {
        named = {Trim(r[3]), Trim(r[5])};
      } else if (IsAllCapitals(named.second) && !IsAllCapitals(r[5])) {
        named.second = Trim(r[5]);
      }
    }
    for (auto& r : ParseCsv(ExclusionsCsv())) {
      if (r.size() < 4) continue;
      std::string family = Trim(r[0]);
      if (c.families.empty() || c.families.back().first != family)
        c.families.push_back({family, {}});
      c.families.back().second.push_back(Lower(Trim(r[3])));
    }
    return c;
  }();
  return catalog;
}

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

std::string JoinWords(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

const CatalogProduct* FindCatalogProduct(std::string_view sku_id) {
  const auto& products = GetCatalog().products;
  auto it = products.find(Lower(sku_id));
  return it == products.end() ? nullptr : &it->second;
}

std::string CatalogPlanFriendlyName(std::string_view plan_id) {
  const auto& plans = GetCatalog().plans;
  auto it = plans.find(Lower(plan_id));
  return it == plans.end() ? std::string() : it->second.second;
}

std::string CatalogPlanName(std::string_view plan_id) {
  const auto& plans = GetCatalog().plans;
  auto it = plans.find(Lower(plan_id));
  return it == plans.end() ? std::string() : it->second.first;
}

namespace {

/// The rule profiles: which of the 2017 exclusion families each keeps.
struct RulesProfileRow {
  const char* name;
  const char* description;
  std::vector<std::string> dropped_families;  ///< 2017 families that no longer conflict
};

const std::vector<RulesProfileRow>& RulesProfiles() {
  static const std::vector<RulesProfileRow> kProfiles = {
      // licensing-groups-resolve-problems.md (MicrosoftDocs/entra-docs, 2023-2025): Exchange
      // Online (Plan 1) and (Plan 2) "have been updated to allow duplication". No other family is
      // documented as lifted, so the rest of the 2017 list stays.
      {"current",
       "Today's service: the 2017 conflicts without Exchange Online (Plan 1/Plan 2)",
       {"exchange_online"}},
      // The 2017 reference list as the seed walkthrough knew it.
      {"2017", "The 2017 walkthrough: every 2017 conflict, Exchange Online included", {}},
  };
  return kProfiles;
}

const RulesProfileRow* FindProfile(std::string_view name) {
  for (const auto& row : RulesProfiles()) {
    if (name == row.name) return &row;
  }
  return nullptr;
}

}  // namespace

bool IsRulesProfile(std::string_view name) { return FindProfile(name) != nullptr; }

std::vector<std::string> RulesProfileNames() {
  std::vector<std::string> names;
  for (const auto& row : RulesProfiles()) names.push_back(row.name);
  return names;
}

std::string RulesProfileDescription(std::string_view name) {
  const RulesProfileRow* row = FindProfile(name);
  return row != nullptr ? row->description : "";
}

std::vector<std::pair<std::string, std::vector<std::string>>> ProfileExclusionFamilies(
    std::string_view name) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  const RulesProfileRow* row = FindProfile(name);
  if (row == nullptr) return out;
  for (const auto& family : CatalogExclusionFamilies()) {
    const auto& dropped = row->dropped_families;
    if (std::find(dropped.begin(), dropped.end(), family.first) == dropped.end()) {
      out.push_back(family);
    }
  }
  return out;
}

const std::vector<DefaultDependency>& DefaultDependencies() {
  // Plan ids from the catalogue (licensing-service-plan-reference.md). The government clouds'
  // copies of a plan count as the same prerequisite (our reading: the docs name the commercial
  // plans only).
  static const std::vector<DefaultDependency> kRows = {
      // licensing-groups-resolve-problems.md and licensing-group-advanced.md (MicrosoftDocs/
      // entra-docs): "Microsoft Workplace Analytics ... requires Exchange Online (Plan 1 or 2) ...
      // in the same group".
      {{"f477b0f0-3bb1-4890-940c-40fcee6ce05f"},  // WORKPLACE_ANALYTICS
       {"9aaf7827-d63c-4b61-89c3-182f06f82e5c",   // EXCHANGE_S_STANDARD: Exchange Online (Plan 1)
        "efb87545-963c-4e0d-99df-69c6916d9eb0",   // EXCHANGE_S_ENTERPRISE: Exchange Online (Plan 2)
        "e9b4930a-925f-45e2-ac2a-3f7788ca6fdd",   // EXCHANGE_S_STANDARD_GOV
        "8c3069c0-ccdb-44be-ab77-986203a67df2"},  // EXCHANGE_S_ENTERPRISE_GOV
       2,
       "licensing-group-advanced.md: Workplace Analytics needs Exchange Online (Plan 1 or 2)"},
      // licensing-groups-resolve-problems.md, deleting a group whose licenses another license
      // depends on: a direct Microsoft 365 Audio Conferencing "depends on" Skype for Business in
      // Office 365 E3/E5 (Microsoft Teams, which replaced Skype, counts as well: our reading).
      {{"3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40",   // MCOMEETADV: Microsoft 365 Audio Conferencing
        "f544b08d-1645-4287-82de-8d91f37c02a1",   // MCOMEETADV_GOV
        "f1e3613f-3818-4254-9b5e-f02d803384e0"},  // MCOMEETADV_AR_GCCHigh
       {"0feaeb32-d00e-4d66-bd5a-43b5b83db82c",   // MCOSTANDARD: Skype for Business Online (Plan 2)
        "57ff2da0-773e-42df-b2af-ffb7a2317929",   // TEAMS1: Microsoft Teams
        "b2669e95-76ef-4e7e-a367-002f60a39f3e",   // MCOSTANDARD_MIDMARKET
        "a31ef4a2-f787-435e-8335-e47eb0cafc94",   // MCOSTANDARD_GOV
        "304767db-7d23-49e8-a945-4a7eb65f9f28",   // TEAMS_GOV
        "9953b155-8aef-4c56-92f3-72b0487fce41",   // TEAMS_AR_GCCHIGH
        "fd500458-c24c-478e-856c-a6067a8376cd"},  // TEAMS_AR_DOD
       2,
       "licensing-groups-resolve-problems.md: Audio Conferencing depends on Skype for Business "
       "(Teams)"},
  };
  return kRows;
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& CatalogExclusionFamilies() {
  return GetCatalog().families;
}

}  // namespace gbl
