// Helpers shared by the engine tests: tiny tenants, batches and queries as JSON.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gbl/engine.h"

namespace gbl::testing {

using nlohmann::json;

inline constexpr const char* kE1 = "18181a46-0d4e-45cd-891e-60aabd171b4e";
inline constexpr const char* kE3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
inline constexpr const char* kEms = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e";
inline constexpr const char* kYammer = "7547a3fe-08ee-4ccb-b430-5077c5041653";
inline constexpr const char* kSway = "a23b959c-7ce8-4e57-9140-b90eb88a9e97";
inline constexpr const char* kPlanner = "b737dad2-2f6c-4c65-90e3-ca563267e8b9";
inline constexpr const char* kExchange2 = "efb87545-963c-4e0d-99df-69c6916d9eb0";
inline constexpr const char* kSharePoint2 = "5dbe027f-2339-4123-9542-606e4d348a72";
inline constexpr const char* kTeams = "57ff2da0-773e-42df-b2af-ffb7a2317929";
inline constexpr const char* kIntune = "c1ec4a95-1f05-45b3-a911-aa3fa01094f5";
inline constexpr const char* kAadP1 = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";

/// A SKU entry; its service plans come from the catalogue.
inline json Sku(const char* id, const char* part, int64_t seats) {
  return json{{"skuId", id}, {"skuPartNumber", part}, {"prepaidUnits", {{"enabled", seats}}}};
}

/// A user with usage location US.
inline json UserDoc(const std::string& id, const std::string& location = "US") {
  json u = {{"id", id},
            {"displayName", "User " + id},
            {"userPrincipalName", id + "@contoso.com"},
            {"accountEnabled", true},
            {"proxyAddresses", json::array({"SMTP:" + id + "@contoso.com"})}};
  u["usageLocation"] = location.empty() ? json() : json(location);
  return u;
}

/// A security group with members and an optional template.
inline json GroupDoc(const std::string& id, const std::vector<std::string>& members,
                     json licenses = json::array()) {
  return json{{"id", id},
              {"displayName", id},
              {"securityEnabled", true},
              {"mailEnabled", false},
              {"groupTypes", json::array()},
              {"assignedLicenses", licenses},
              {"members", members}};
}

/// An assignedLicense entry.
inline json License(const char* sku, std::vector<std::string> disabled = {}) {
  return json{{"skuId", sku}, {"disabledPlans", disabled}};
}

/// licensingRules prohibiting one plan in one country.
inline json ProhibitedIn(const char* plan, const char* country) {
  return json{
      {"usageLocationRestrictions",
       json::array({{{"servicePlanId", plan}, {"prohibitedCountries", json::array({country})}}})}};
}

/// A tenant document from parts (country US).
inline json TenantDoc(json skus, json users, json groups) {
  return json{
      {"organization",
       json::array({{{"id", "org"}, {"displayName", "Contoso"}, {"countryLetterCode", "US"}}})},
      {"subscribedSkus", skus},
      {"users", users},
      {"groups", groups}};
}

/// Loads a document or fails the test.
inline void Load(Engine* e, const json& doc) {
  auto r = e->LoadDocument(doc.dump());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
}

/// Runs a query and parses its result.
inline json Q(const Engine& e, const json& query) {
  auto r = e.Query(query.dump());
  EXPECT_TRUE(r.Ok()) << (r.Ok() ? "" : r.GetError().message);
  return r.Ok() ? json::parse(r.Value()) : json();
}

/// One Graph request.
inline json Req(const std::string& method, const std::string& url, json body = nullptr) {
  json r = {{"id", "1"}, {"method", method}, {"url", url}};
  if (!body.is_null()) r["body"] = body;
  return r;
}

/// Applies requests as one batch and returns the responses array.
inline json Apply(Engine* e, std::vector<json> requests) {
  for (size_t i = 0; i < requests.size(); ++i) requests[i]["id"] = std::to_string(i + 1);
  auto r = e->ApplyBatch(json{{"requests", requests}}.dump());
  EXPECT_TRUE(r.Ok()) << (r.Ok() ? "" : r.GetError().message);
  return r.Ok() ? json::parse(r.Value())["responses"] : json::array();
}

/// Applies one request and returns its response.
inline json Apply1(Engine* e, json request) { return Apply(e, {std::move(request)})[0]; }

/// POST /groups/{g}/assignLicense adding the given licenses.
inline json AssignGroup(Engine* e, const std::string& g, json add, json remove = json::array()) {
  return Apply1(e, Req("POST", "/groups/" + g + "/assignLicense",
                       {{"addLicenses", add}, {"removeLicenses", remove}}));
}

/// POST /users/{u}/assignLicense.
inline json AssignUser(Engine* e, const std::string& u, json add, json remove = json::array()) {
  return Apply1(e, Req("POST", "/users/" + u + "/assignLicense",
                       {{"addLicenses", add}, {"removeLicenses", remove}}));
}

/// Adds a user to a group.
inline json AddMember(Engine* e, const std::string& g, const std::string& u) {
  return Apply1(e, Req("POST", "/groups/" + g + "/members/$ref",
                       {{"@odata.id", "https://graph.microsoft.com/v1.0/directoryObjects/" + u}}));
}

/// Removes a user from a group.
inline json RemoveMember(Engine* e, const std::string& g, const std::string& u) {
  return Apply1(e, Req("DELETE", "/groups/" + g + "/members/" + u + "/$ref"));
}

/// The exported tenant document.
inline json Export(const Engine& e) { return json::parse(e.ExportDocument()); }

/// A user of the exported document by id.
inline json ExportedUser(const Engine& e, const std::string& id) {
  json doc = Export(e);
  for (const auto& u : doc["users"]) {
    if (u["id"] == id) return u;
  }
  return json();
}

/// The user's licenseAssignmentStates for one SKU.
inline std::vector<json> States(const Engine& e, const std::string& user, const char* sku) {
  std::vector<json> out;
  json u = ExportedUser(e, user);
  for (const auto& s : u["licenseAssignmentStates"]) {
    if (s["skuId"] == sku) out.push_back(s);
  }
  return out;
}

/// True when the user holds the SKU (an Active assignment from any source).
inline bool HasLicense(const Engine& e, const std::string& user, const char* sku) {
  json u = Q(e, {{"query", "user"}, {"id", user}});
  for (const auto& l : u["licenses"]) {
    if (l["skuId"] == sku) return l["state"] == "Active";
  }
  return false;
}

/// consumedUnits of a SKU.
inline int64_t Consumed(const Engine& e, const char* sku) {
  json products = Q(e, {{"query", "products"}});
  for (const auto& p : products) {
    if (p["skuId"] == sku) return p["assigned"].get<int64_t>();
  }
  return -1;
}

/// UTF-8 to UTF-16 with a byte-order mark.
inline std::string ToUtf16(const std::string& utf8, bool little_endian) {
  std::u16string units;
  for (size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    uint32_t cp;
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      units.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
      units.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      units.push_back(static_cast<char16_t>(cp));
    }
  }
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char16_t u : units) {
    char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    out.push_back(little_endian ? lo : hi);
    out.push_back(little_endian ? hi : lo);
  }
  return out;
}

}  // namespace gbl::testing
