// Batches as Microsoft Graph runs them ($batch): dependsOn, the 20-request limit, request ids,
// PATCH /groups/{id} with members@odata.bind, and our extensions marked in the responses.
#include "test_util.h"

namespace gbl::testing {
namespace {

json Tenant() {
  json users = json::array();
  for (int i = 1; i <= 30; ++i) users.push_back(UserDoc("u" + std::to_string(i)));
  return TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 100), Sku(kEms, "EMS", 100)}), users,
                   json::array({GroupDoc("g", {"u1"}, json::array({License(kEms)}))}));
}

json RunBatch(Engine* e, const json& requests) {
  auto r = e->ApplyBatch(json{{"requests", requests}}.dump());
  if (!r.Ok()) return json{{"error", r.GetError().code}, {"message", r.GetError().message}};
  return json::parse(r.Value())["responses"];
}

json Request(const std::string& id, const std::string& method, const std::string& url,
             json body = nullptr) {
  json r = {{"id", id}, {"method", method}, {"url", url}};
  if (!body.is_null()) r["body"] = std::move(body);
  return r;
}

json Ref(const std::string& user) {
  return {{"@odata.id", "https://graph.microsoft.com/v1.0/directoryObjects/" + user}};
}

TEST(Batches, ARequestWhoseDependencyFailedGets424AndDoesNotRun) {
  Engine e;
  Load(&e, Tenant());
  json second = Request("2", "POST", "/groups/g/members/$ref", Ref("u2"));
  second["dependsOn"] = json::array({"1"});
  json out = RunBatch(
      &e, json::array({Request("1", "POST", "/groups/g/members/$ref", Ref("nobody")), second}));
  ASSERT_TRUE(out.is_array()) << out.dump();
  EXPECT_EQ(out[0]["status"], 404);
  EXPECT_EQ(out[1]["status"], 424);
  EXPECT_EQ(out[1]["body"]["error"]["code"], "FailedDependency");
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "g"}})["members"], 1) << "u2 was not added";
  // A dependency that succeeded lets the request run.
  json third = Request("b", "POST", "/groups/g/members/$ref", Ref("u3"));
  third["dependsOn"] = json::array({"a"});
  out =
      RunBatch(&e, json::array({Request("a", "POST", "/groups/g/members/$ref", Ref("u2")), third}));
  EXPECT_EQ(out[0]["status"], 204);
  EXPECT_EQ(out[1]["status"], 204);
}

TEST(Batches, AtMostTwentyRequestsAsGraphAllows) {
  Engine e;
  Load(&e, Tenant());
  const std::string before = e.ExportDocument();
  json requests = json::array();
  for (int i = 2; i <= 22; ++i) {
    requests.push_back(
        Request(std::to_string(i), "POST", "/groups/g/members/$ref", Ref("u" + std::to_string(i))));
  }
  json out = RunBatch(&e, requests);
  EXPECT_EQ(out["error"], "BadRequest");
  EXPECT_NE(out["message"].get<std::string>().find("at most 20"), std::string::npos);
  EXPECT_EQ(e.ExportDocument(), before) << "nothing ran";
  requests.erase(requests.size() - 1);
  out = RunBatch(&e, requests);
  ASSERT_TRUE(out.is_array());
  EXPECT_EQ(out.size(), 20u);
}

TEST(Batches, DuplicateIdsAndDependenciesOnLaterRequestsAreRefused) {
  Engine e;
  Load(&e, Tenant());
  json out = RunBatch(&e, json::array({Request("1", "POST", "/groups/g/members/$ref", Ref("u2")),
                                       Request("1", "POST", "/groups/g/members/$ref", Ref("u3"))}));
  EXPECT_EQ(out["error"], "SchemaError");
  EXPECT_NE(out["message"].get<std::string>().find("requests[1].id: duplicate"), std::string::npos);
  json first = Request("1", "POST", "/groups/g/members/$ref", Ref("u2"));
  first["dependsOn"] = json::array({"2"});
  out =
      RunBatch(&e, json::array({first, Request("2", "POST", "/groups/g/members/$ref", Ref("u3"))}));
  EXPECT_EQ(out["error"], "SchemaError");
  EXPECT_NE(out["message"].get<std::string>().find("requests[0].dependsOn[0]"), std::string::npos);
}

TEST(Batches, PatchGroupWithMembersBindAddsUpToTwentyAllOrNone) {
  Engine e;
  Load(&e, Tenant());
  json binds = json::array();
  for (int i = 2; i <= 6; ++i) {
    binds.push_back("https://graph.microsoft.com/v1.0/directoryObjects/u" + std::to_string(i));
  }
  json out = RunBatch(
      &e, json::array({Request("1", "PATCH", "/groups/g", {{"members@odata.bind", binds}})}));
  EXPECT_EQ(out[0]["status"], 204) << out.dump();
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "g"}})["members"], 6);
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u6", kEms)) << "new members get the group's licenses";
  // One unknown or existing member: nothing is added.
  json bad = json::array({"https://graph.microsoft.com/v1.0/directoryObjects/u7",
                          "https://graph.microsoft.com/v1.0/directoryObjects/u2"});
  out = RunBatch(&e,
                 json::array({Request("1", "PATCH", "/groups/g", {{"members@odata.bind", bad}})}));
  EXPECT_EQ(out[0]["status"], 400);
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "g"}})["members"], 6);
  json many = json::array();
  for (int i = 7; i <= 28; ++i) {
    many.push_back("https://graph.microsoft.com/v1.0/directoryObjects/u" + std::to_string(i));
  }
  out = RunBatch(&e,
                 json::array({Request("1", "PATCH", "/groups/g", {{"members@odata.bind", many}})}));
  EXPECT_EQ(out[0]["status"], 400);
  EXPECT_NE(out[0]["body"]["error"]["message"].get<std::string>().find("at most 20"),
            std::string::npos);
}

TEST(Batches, OurExtensionsAreMarkedInTheResponseHeaders) {
  Engine e;
  Load(&e, Tenant());
  json out = RunBatch(
      &e, json::array({Request("1", "POST", "/groups/g/reprocessLicenseAssignment"),
                       Request("2", "PATCH", "/subscribedSkus/" + std::string(kE3),
                               {{"prepaidUnits", {{"enabled", 120}}}}),
                       Request("3", "PATCH", "/users/u1",
                               {{"proxyAddresses", json::array({"SMTP:one@contoso.com"})}}),
                       Request("4", "PATCH", "/licensingRules", {{"profile", "2017"}}),
                       Request("5", "PATCH", "/users/u2", {{"usageLocation", "GB"}}),
                       Request("6", "POST", "/users/u2/reprocessLicenseAssignment")}));
  ASSERT_EQ(out.size(), 6u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(out[i].contains("headers") && out[i]["headers"].contains("x-gbl-extension"))
        << out[i].dump();
  }
  EXPECT_FALSE(out[4].contains("headers")) << "PATCH usageLocation is Graph v1.0";
  EXPECT_FALSE(out[5].contains("headers")) << "user reprocessLicenseAssignment is Graph v1.0";
}

}  // namespace
}  // namespace gbl::testing
