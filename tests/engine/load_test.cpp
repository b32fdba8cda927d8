// Reading and writing tenant documents; bad input gets a clear error and loses nothing.
#include <cctype>
#include <cstdio>
#include <random>

#include "tenant.h"
#include "test_util.h"

namespace gbl::testing {
namespace {

json SmallTenant() {
  json users = json::array();
  for (int i = 0; i < 14; ++i) users.push_back(UserDoc("u" + std::to_string(i)));
  return TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 20), Sku(kEms, "EMS", 20)}), users,
                   json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kE3)}))}));
}

std::string LoadError(const std::string& text) {
  Engine e;
  auto r = e.LoadDocument(text);
  EXPECT_FALSE(r.Ok());
  return r.Ok() ? "" : r.GetError().code + ": " + r.GetError().message;
}

TEST(Load, MalformedJsonNamesTheByteOffset) {
  std::string text = R"({"users": [ {"id": "a"}, ])";
  std::string err = LoadError(text);
  EXPECT_NE(err.find("ParseError"), std::string::npos) << err;
  EXPECT_NE(err.find("byte 25"), std::string::npos) << err;
  EXPECT_NE(LoadError("{\"users\": [1, 2").find("ParseError"), std::string::npos);
  EXPECT_NE(LoadError("").find("empty document"), std::string::npos);
  EXPECT_NE(LoadError("{} trailing").find("after the document"), std::string::npos);
}

TEST(Load, UnknownSkuNamesThePath) {
  json doc = SmallTenant();
  doc["users"][12]["assignedLicenses"] =
      json::array({License("00000000-1111-2222-3333-444444444444")});
  std::string err = LoadError(doc.dump());
  EXPECT_NE(err.find("SchemaError: users[12].assignedLicenses[0].skuId: unknown skuId "
                     "\"00000000-1111-2222-3333-444444444444\""),
            std::string::npos)
      << err;
}

TEST(Load, WrongTypesNameThePath) {
  json doc = SmallTenant();
  doc["users"][3]["accountEnabled"] = "yes";
  std::string err = LoadError(doc.dump());
  EXPECT_NE(err.find("users[3].accountEnabled: expected true or false"), std::string::npos) << err;
  doc = SmallTenant();
  doc["subscribedSkus"][1]["prepaidUnits"]["enabled"] = 2.5;
  err = LoadError(doc.dump());
  EXPECT_NE(err.find("subscribedSkus[1].prepaidUnits.enabled: expected an integer"),
            std::string::npos)
      << err;
}

TEST(Load, DuplicateIdsAreErrors) {
  json doc = SmallTenant();
  doc["users"][5]["id"] = "u1";
  EXPECT_NE(LoadError(doc.dump()).find("users[5].id: duplicate id \"u1\""), std::string::npos);
  doc = SmallTenant();
  doc["subscribedSkus"][1]["skuId"] = kE3;
  EXPECT_NE(LoadError(doc.dump()).find("subscribedSkus[1].skuId: duplicate skuId"),
            std::string::npos);
}

TEST(Load, UnknownReferencesAreErrors) {
  json doc = SmallTenant();
  doc["groups"][0]["members"].push_back("nobody");
  EXPECT_NE(LoadError(doc.dump()).find("groups[0].members[2]: unknown directory object \"nobody\""),
            std::string::npos);
  // (An inherited state's group that the document does not list is accepted: a partial export;
  // see GroupsOutsideTheDocument in profiles_test.cpp.)
  doc = SmallTenant();
  doc["groups"][0]["assignedLicenses"][0]["disabledPlans"] = json::array({kIntune});
  EXPECT_NE(LoadError(doc.dump()).find("groups[0].assignedLicenses[0].disabledPlans[0]"),
            std::string::npos);
}

TEST(Load, AFailedLoadKeepsThePreviousTenant) {
  Engine e;
  Load(&e, SmallTenant());
  e.ProcessAll();
  std::string before = e.ExportDocument();
  EXPECT_FALSE(e.LoadDocument("{\"users\": [").Ok());
  EXPECT_FALSE(e.LoadDocument(R"({"users":[{"id":"x"},{"id":"x"}]})").Ok());
  EXPECT_EQ(e.ExportDocument(), before);
}

TEST(Load, AFailedChangeLeavesTheTenantUntouched) {
  Engine e;
  Load(&e, SmallTenant());
  e.ProcessAll();
  std::string before = e.ExportDocument();
  json r = AssignGroup(&e, "g", json::array({License(kE3, {"not-a-plan"})}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_NE(
      r["body"]["error"]["message"].get<std::string>().find("addLicenses[0].disabledPlans[0]"),
      std::string::npos);
  EXPECT_EQ(Apply1(&e, Req("PATCH", "/users/u1", {{"usageLocation", "France"}}))["status"], 400);
  EXPECT_EQ(Apply1(&e, Req("POST", "/groups/nope/assignLicense",
                           {{"addLicenses", json::array()}}))["status"],
            404);
  EXPECT_EQ(e.ExportDocument(), before);
  EXPECT_FALSE(e.ApplyBatch("{not json").Ok());
  EXPECT_FALSE(e.ApplyBatch(R"({"requests":[{"id":"1","url":"/users"}]})").Ok());
  EXPECT_EQ(e.ExportDocument(), before);
}

TEST(Load, ExportThenLoadRoundTripsExactly) {
  Engine e;
  e.SetNow(1796115600000);
  ASSERT_TRUE(e.LoadSample().Ok());
  AssignGroup(&e, Q(e, {{"query", "groups"}, {"search", "HR Department"}})["items"][0]["id"],
              json::array({License(kE3, {kYammer}), License(kEms)}));
  e.ProcessAll();
  std::string first = e.ExportDocument();
  Engine again;
  auto r = again.LoadDocument(first);
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(r.Value().queued_groups, 0u) << "a processed tenant has nothing to queue";
  EXPECT_EQ(again.ExportDocument(), first);
}

TEST(Load, StatesInTheDocumentAreKeptAsTheyStand) {
  json doc = SmallTenant();
  doc["users"][1]["licenseAssignmentStates"] =
      json::array({{{"skuId", kE3},
                    {"assignedByGroup", "g"},
                    {"state", "Error"},
                    {"error", "CountViolation"},
                    {"disabledPlans", json::array()},
                    {"lastUpdatedDateTime", "2026-01-02T03:04:05Z"}}});
  doc["users"][2]["licenseAssignmentStates"] = json::array(
      {{{"skuId", kE3}, {"assignedByGroup", "g"}, {"state", "Active"}, {"error", nullptr}}});
  doc["groups"][0]["licenseProcessingState"] = {{"state", "ProcessingComplete"}};
  Engine e;
  Load(&e, doc);
  EXPECT_FALSE(e.HasPendingWork());
  EXPECT_EQ(States(e, "u1", kE3)[0]["error"], "CountViolation");
  EXPECT_EQ(States(e, "u1", kE3)[0]["lastUpdatedDateTime"], "2026-01-02T03:04:05Z");
  EXPECT_EQ(Consumed(e, kE3), 1);
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "g"}})["membersWithErrors"], 1);
}

TEST(Load, HandWrittenTemplatesWithoutStatesAreQueued) {
  Engine e;
  auto r = e.LoadDocument(SmallTenant().dump());
  ASSERT_TRUE(r.Ok());
  EXPECT_EQ(r.Value().queued_groups, 1u);
  EXPECT_EQ(Q(e, {{"query", "group"}, {"id", "g"}})["processing"]["state"], "QueuedForProcessing");
  e.ProcessAll();
  EXPECT_EQ(Consumed(e, kE3), 2);
}

TEST(Load, GraphListsAndDirectoryObjectMembersAreAccepted) {
  json doc = SmallTenant();
  doc["subscribedSkus"] = {{"@odata.context", "x"}, {"value", doc["subscribedSkus"]}};
  doc["groups"][0]["members"] = json::array(
      {{{"@odata.type", "#microsoft.graph.user"}, {"id", "u1"}, {"displayName", "U1"}}, "u2"});
  Engine e;
  Load(&e, doc);
  e.ProcessAll();
  EXPECT_EQ(Consumed(e, kE3), 2);
}

TEST(Load, CatalogueFillsNamesAndDefaultExclusions) {
  Engine e;
  Load(&e, SmallTenant());
  json p = Q(e, {{"query", "product"}, {"skuId", kE3}});
  EXPECT_EQ(p["displayName"], "Office 365 E3");
  bool yammer = false;
  for (const auto& plan : p["servicePlans"]) {
    if (plan["servicePlanId"] == kYammer) yammer = plan["friendlyName"] == "Yammer Enterprise";
  }
  EXPECT_TRUE(yammer);
  json rules = Export(e)["licensingRules"]["mutuallyExclusive"];
  bool sharepoint = false;
  for (const auto& f : rules) sharepoint = sharepoint || f["name"] == "sharepoint_online";
  EXPECT_TRUE(sharepoint);
}

TEST(Load, NamesAreKeptAsTextWhateverTheyContain) {
  json doc = SmallTenant();
  doc["users"][0]["displayName"] = "<img src=x onerror=alert(1)> \"quoted\" \\ \u00e9\u4e2d";
  Engine e;
  Load(&e, doc);
  EXPECT_EQ(ExportedUser(e, "u0")["displayName"], doc["users"][0]["displayName"]);
}

TEST(Load, ExportOptionsLeaveOutAssignedPlansAndAudits) {
  Engine e;
  Load(&e, SmallTenant());
  e.ProcessAll();
  ExportOptions lean;
  lean.assigned_plans = false;
  lean.audit = false;
  json doc = json::parse(e.ExportDocument(lean));
  EXPECT_FALSE(doc.contains("directoryAudits"));
  EXPECT_FALSE(doc["users"][1].contains("assignedPlans"));
  EXPECT_EQ(doc["users"][1]["assignedLicenses"].size(), 1u);
  json full = Export(e);
  EXPECT_FALSE(full["users"][1]["assignedPlans"].empty());
  EXPECT_FALSE(full["directoryAudits"].empty());
}

TEST(Load, SectionsReadInPlaceReportAbsoluteOffsets) {
  // subscribedSkus before users: users are parsed where they stand, in the same pass.
  std::string text = R"({"subscribedSkus": [], "users": [{"id": "a"} {"id": "b"}]})";
  std::string err = LoadError(text);
  size_t at = text.find("{\"id\": \"b\"}");
  EXPECT_NE(err.find("byte " + std::to_string(at) + ": expected ',' or ']'"), std::string::npos)
      << err;
  err = LoadError(R"({"subscribedSkus": [], "users": [{"id": 5}]})");
  EXPECT_NE(err.find("users[0].id: expected a string"), std::string::npos) << err;
}

TEST(Load, SectionsInAnyOrderGiveTheSameTenant) {
  json doc = SmallTenant();
  std::string natural = "{\"organization\":" + doc["organization"].dump() +
                        ",\"subscribedSkus\":" + doc["subscribedSkus"].dump() +
                        ",\"users\":" + doc["users"].dump() +
                        ",\"groups\":" + doc["groups"].dump() + "}";
  Engine a, b;
  ASSERT_TRUE(a.LoadDocument(natural).Ok());
  ASSERT_TRUE(b.LoadDocument(doc.dump()).Ok());  // keys sorted: groups come first
  EXPECT_EQ(a.ExportDocument(), b.ExportDocument());
}

TEST(Load, StreamedExportEqualsTheWholeDocument) {
  Engine e;
  e.SetNow(1796115600000);
  ASSERT_TRUE(e.LoadSample().Ok());
  Apply1(&e,
         Req("POST",
             "/groups/" +
                 Q(e, {{"query", "groups"}, {"search", "HR Department"}})["items"][0]["id"]
                     .get<std::string>() +
                 "/assignLicense",
             {{"addLicenses", json::array({License(kE3)})}, {"removeLicenses", json::array()}}));
  e.ProcessAll();
  std::string streamed;
  size_t pieces = 0;
  EXPECT_TRUE(e.ExportDocument(ExportOptions(), [&](std::string_view piece) {
    streamed.append(piece);
    ++pieces;
    return true;
  }));
  EXPECT_EQ(streamed, e.ExportDocument());
  EXPECT_GT(pieces, 1u);
  size_t calls = 0;
  EXPECT_FALSE(e.ExportDocument(ExportOptions(), [&](std::string_view) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2u);
}

/// The sample tenant, processed, with enough audit lines for a document of several pieces.
void LoadProcessedSample(Engine* e) {
  e->SetNow(1796115600000);
  ASSERT_TRUE(e->LoadSample().Ok());
  e->ProcessAll();
}

TEST(Export, InPartsItIsTheSameDocumentAsInOne) {
  Engine e;
  LoadProcessedSample(&e);
  const std::string whole = e.ExportDocument();
  e.BeginExport(ExportOptions());
  std::string parts;
  size_t calls = 0;
  for (;;) {
    auto next = e.ExportNext(1, [&](std::string_view piece) {
      parts.append(piece);
      return true;
    });
    ASSERT_TRUE(next.Ok()) << next.GetError().message;
    ++calls;
    if (next.Value()) break;
  }
  EXPECT_EQ(parts, whole);
  EXPECT_GT(calls, 1u) << "one part per piece of about 1 MiB";
  EXPECT_EQ(e.ExportNext(1, [](std::string_view) { return true; }).GetError().code, "BadRequest")
      << "after the last part, no export is under way";
}

TEST(Export, AChangeToTheTenantDropsTheExportUnderWayAndSaysSo) {
  Engine e;
  LoadProcessedSample(&e);
  e.BeginExport(ExportOptions());
  auto sink = [](std::string_view) { return true; };
  ASSERT_TRUE(e.ExportNext(1, sink).Ok());
  const std::string user = Q(e, {{"query", "users"}})["items"][0]["id"];
  Apply1(&e, Req("PATCH", "/users/" + user, {{"usageLocation", "FR"}}));
  auto next = e.ExportNext(1, sink);
  ASSERT_FALSE(next.Ok());
  EXPECT_EQ(next.GetError().code, "BadRequest");
  EXPECT_NE(next.GetError().message.find("the tenant changed during the export"),
            std::string::npos);
}

TEST(Export, ASinkThatStopsCancelsTheExport) {
  Engine e;
  LoadProcessedSample(&e);
  e.BeginExport(ExportOptions());
  auto next = e.ExportNext(SIZE_MAX, [](std::string_view) { return false; });
  ASSERT_FALSE(next.Ok());
  EXPECT_EQ(next.GetError().code, "Cancelled");
  e.BeginExport(ExportOptions());
  e.CancelExport();
  EXPECT_NE(e.ExportNext(1, [](std::string_view) { return true; })
                .GetError()
                .message.find("no export under way"),
            std::string::npos);
}

TEST(Load, AMemberObjectWithoutAnIdIsAnError) {
  json doc = SmallTenant();
  doc["groups"][0]["members"] =
      json::array({{{"id", "u1"}}, {{"@odata.type", "#microsoft.graph.user"}}});
  EXPECT_NE(LoadError(doc.dump()).find("groups[0].members[1].id: missing"), std::string::npos);
}

TEST(Load, TheFirstBadMemberIsTheOneNamedWhateverFollowsIt) {
  // Members are looked up in batches; an earlier member's error still wins over a later one's.
  json doc = SmallTenant();
  json members = json::array();
  for (int i = 0; i < 40; ++i) members.push_back("u" + std::to_string(i % 14));
  members[21] = {{"@odata.type", "#microsoft.graph.user"}, {"id", "nobody"}};
  members[23] = 7;
  doc["groups"][0]["members"] = members;
  EXPECT_NE(LoadError(doc.dump()).find("groups[0].members[21]: unknown user \"nobody\""),
            std::string::npos)
      << LoadError(doc.dump());
  members[21] = "u3";
  doc["groups"][0]["members"] = members;
  EXPECT_NE(LoadError(doc.dump()).find("groups[0].members[23]: expected an id or a directory"),
            std::string::npos)
      << LoadError(doc.dump());
}

TEST(Load, MemberNamesReadTheSameInAnyOrderLetterCaseOrEscapes) {
  // Names spelt as Graph spells them, in its order, are matched without being read as text;
  // any other order, case or escape must give the same tenant and the same errors.
  const std::string id = "4a645825-91d9-4ed1-ad34-b6050ec1e932";
  const std::string sku = std::string(R"({"skuId":")") + kE3 +
                          R"(","skuPartNumber":"ENTERPRISEPACK","prepaidUnits":{"enabled":5}})";
  auto doc = [&](const std::string& user, const std::string& member) {
    return R"({"subscribedSkus":[)" + sku + R"(],"users":[)" + user +
           R"(],"groups":[{"id":"g","displayName":"G","securityEnabled":true,"members":[)" +
           member + R"(],"assignedLicenses":[{"skuId":")" + kE3 + R"(","disabledPlans":[]}]}]})";
  };
  const std::string graph = R"({"id":")" + id +
                            R"(","displayName":"Ann","userPrincipalName":"ann@contoso.com",)"
                            R"("usageLocation":"US","accountEnabled":true,)"
                            R"("proxyAddresses":["SMTP:ann@contoso.com"],"assignedLicenses":[]})";
  Engine expected;
  ASSERT_TRUE(expected.LoadDocument(doc(graph, "\"" + id + "\"")).Ok());
  const std::string want = expected.ExportDocument();
  const std::string others[] = {
      // Reversed, with whitespace everywhere.
      R"({ "assignedLicenses" : [ ] , "proxyAddresses" : [ "SMTP:ann@contoso.com" ] ,)"
      R"( "accountEnabled" : true , "usageLocation" : "US" ,)"
      R"( "userPrincipalName" : "ann@contoso.com" , "displayName" : "Ann" , "id" : ")" +
          id + R"(" })",
      // PowerShell's case, and escapes in the names.
      R"({"Id":")" + id +
          R"(","DisplayName":"Ann","user\u0050rincipalName":"ann@contoso.com",)"
          R"("UsageLocation":"US","accountEnabled":true,"proxyAddresses":["SMTP:ann@contoso.com"],)"
          R"("assigned\u004cicenses":[]})",
  };
  for (const std::string& user : others) {
    Engine e;
    auto r = e.LoadDocument(doc(user, "\"" + id + "\""));
    ASSERT_TRUE(r.Ok()) << r.GetError().message << "\n" << user;
    EXPECT_EQ(e.ExportDocument(), want) << user;
  }
  // A member id in capitals or with an escape is the same user.
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& member : {"\"" + upper + "\"", "\"\\u0034" + id.substr(1) + "\""}) {
    Engine e;
    auto r = e.LoadDocument(doc(graph, member));
    ASSERT_TRUE(r.Ok()) << r.GetError().message << "\n" << member;
    EXPECT_EQ(e.ExportDocument(), want) << member;
  }
  // A 36-character member that is not a GUID, and one with a quote inside, are named.
  EXPECT_NE(
      LoadError(doc(graph, "\"" + std::string(36, 'x') + "\""))
          .find("groups[0].members[0]: unknown directory object \"" + std::string(36, 'x') + "\""),
      std::string::npos);
  std::string quoted = id;
  quoted[10] = '"';
  EXPECT_NE(LoadError(doc(graph, "\"" + quoted + "\"")).find("ParseError"), std::string::npos)
      << LoadError(doc(graph, "\"" + quoted + "\""));
  // The same name twice is found whichever way each is spelt.
  for (const char* twice : {R"("displayName":"B")", R"("DisplayName":"B")"}) {
    std::string user = graph;
    user.insert(user.size() - 1, std::string(",") + twice);
    EXPECT_NE(LoadError(doc(user, "\"" + id + "\"")).find("appears twice in the object"),
              std::string::npos)
        << twice;
  }
}

TEST(Identifiers, GroupMembersInAnyOrderWithRepeatsAreSortedOnceAsStdSortWould) {
  // Members come in the export's order (not the users'), sometimes twice; long lists are sorted
  // by radix, short ones by std::sort: both give what std::sort and std::unique give.
  std::mt19937 rng(11);
  std::vector<Id> scratch;
  for (size_t n : {0u, 1u, 7u, 511u, 512u, 513u, 5000u, 100000u}) {
    for (uint32_t range : {3u, 2047u, 2048u, 70000u, 5000000u, 0xFFFFFFFFu}) {
      std::vector<Id> ids(n);
      for (auto& id : ids) id = static_cast<Id>(rng() % (uint64_t{range} + 1));
      std::vector<Id> expected = ids;
      std::sort(expected.begin(), expected.end());
      expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
      SortUniqueIds(&ids, &scratch);
      ASSERT_EQ(ids, expected) << n << " ids up to " << range;
    }
  }
  // Already in order: left as it is, repeats dropped.
  std::vector<Id> sorted = {1, 1, 2, 3, 3, 3, 9};
  sorted.resize(600, 9);
  SortUniqueIds(&sorted, &scratch);
  EXPECT_EQ(sorted, (std::vector<Id>{1, 2, 3, 9}));
}

TEST(Identifiers, EveryHexDigitInEitherCaseFindsTheSameUser) {
  // 40 members (more than one lookup batch), each id written in upper case in the member list.
  json users = json::array();
  json members = json::array();
  for (int i = 0; i < 40; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "%08x-%04x-4%03x-a%03x-%012x", 0x89abcdef + i, 0xabcd, i, 0xef0,
                  0x1234567 * (i + 1));
    users.push_back(UserDoc(id));
    std::string upper = id;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    members.push_back(upper);
  }
  members.push_back("0123456g-0000-4000-8000-000000000000");  // not hex: an unknown object
  json doc = TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 50)}), users,
                       json::array({GroupDoc("g", {}, json::array({License(kE3)}))}));
  doc["groups"][0]["members"] = members;
  EXPECT_NE(LoadError(doc.dump()).find("groups[0].members[40]: unknown directory object"),
            std::string::npos);
  members.erase(members.end() - 1);
  doc["groups"][0]["members"] = members;
  Engine e;
  Load(&e, doc);
  e.ProcessAll();
  for (const auto& u : users) EXPECT_TRUE(HasLicense(e, u["id"], kE3)) << u["id"];
}

/// A small tenant whose names carry non-ASCII text (é, and 😀 beyond the BMP).
std::string SmallTenantText() {
  json users = json::array({UserDoc("u1"), UserDoc("u2")});
  users[0]["displayName"] = "Ren\u00e9e \U0001F600";
  return TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 5)}), users,
                   json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kE3)}))}))
      .dump();
}

std::string LoadedName(const Engine& e) {
  return Q(e, {{"query", "user"}, {"id", "u1"}})["displayName"];
}

TEST(Encodings, Utf8WithAByteOrderMarkLoads) {
  // Windows PowerShell's Set-Content -Encoding UTF8 and Out-File -Encoding utf8 write one.
  Engine e;
  auto r = e.LoadDocument("\xEF\xBB\xBF" + SmallTenantText());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(LoadedName(e), "Ren\u00e9e \U0001F600");
}

TEST(Encodings, Utf16LittleAndBigEndianWithAByteOrderMarkLoad) {
  // Windows PowerShell 5.1's `>` redirection writes UTF-16LE with a byte-order mark.
  for (bool le : {true, false}) {
    Engine e;
    auto r = e.LoadDocument(ToUtf16(SmallTenantText(), le));
    ASSERT_TRUE(r.Ok()) << r.GetError().message;
    EXPECT_EQ(LoadedName(e), "Ren\u00e9e \U0001F600");
    e.ProcessAll();
    EXPECT_TRUE(HasLicense(e, "u2", kE3));
  }
}

TEST(Encodings, OtherEncodingsAreRefusedNamingWhatWasSeen) {
  Engine e;
  std::string no_bom = ToUtf16(SmallTenantText(), true).substr(2);
  auto r = e.LoadDocument(no_bom);
  ASSERT_FALSE(r.Ok());
  EXPECT_NE(r.GetError().message.find("UTF-16LE without a byte-order mark"), std::string::npos)
      << r.GetError().message;
  r = e.LoadDocument(std::string("\xFF\xFE\x00\x00{}", 6));
  ASSERT_FALSE(r.Ok());
  EXPECT_NE(r.GetError().message.find("UTF-32LE"), std::string::npos) << r.GetError().message;
  std::string broken = ToUtf16(SmallTenantText(), true);
  broken.pop_back();
  r = e.LoadDocument(broken);
  ASSERT_FALSE(r.Ok());
  EXPECT_NE(r.GetError().message.find("odd number of bytes"), std::string::npos);
}

TEST(Encodings, InvalidUtf8InsideAStringIsRefusedNamingTheByte) {
  // Overlong, surrogate, beyond U+10FFFF, truncated, a stray continuation byte.
  for (const std::string bad :
       {"\xC0\xAF", "\xED\xA0\x80", "\xF5\x80\x80\x80", "\xE2\x82", "\x9C"}) {
    std::string text = SmallTenantText();
    size_t at = text.find("Ren");
    text.insert(at, bad);
    Engine e;
    ASSERT_TRUE(e.LoadDocument(SmallTenantText()).Ok());
    auto r = e.LoadDocument(text);
    ASSERT_FALSE(r.Ok());
    EXPECT_EQ(r.GetError().code, "ParseError");
    EXPECT_NE(r.GetError().message.find("invalid UTF-8 at byte " + std::to_string(at)),
              std::string::npos)
        << r.GetError().message;
    EXPECT_EQ(LoadedName(e), "Ren\u00e9e \U0001F600") << "the previous tenant is untouched";
  }
}

TEST(Identifiers, GuidsCompareCaseInsensitivelyAndKeepTheirCase) {
  const std::string upper = "87D349ED-44D7-43E1-9A83-5F2406DEE5BD";
  const std::string lower = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
  json users = json::array({UserDoc(upper)});
  json groups = json::array(
      {GroupDoc("6B8E4FDB-3A56-4FF2-9F70-09A006E92599", {lower}, json::array({License(kE3)}))});
  Engine e;
  Load(&e, TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 5)}), users, groups));
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, upper, kE3));
  EXPECT_EQ(AddMember(&e, "6b8e4fdb-3a56-4ff2-9f70-09a006e92599", lower)["status"], 400)
      << "already a member, whatever the case";
  json doc = Export(e);
  EXPECT_EQ(doc["users"][0]["id"], upper) << "written in the case it came in";
}

constexpr const char* kUser1 = "5f3c1a2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b";
constexpr const char* kUser2 = "6a4d2b3f-9c5e-4f70-8b2c-3d4e5f6a7b8c";
constexpr const char* kGroup = "7b5e3c40-ad6f-4081-9c3d-4e5f6a7b8c9d";

/// Objects as Microsoft Graph PowerShell's Get-MgSubscribedSku / Get-MgUser pipe them through
/// Windows PowerShell's ConvertTo-Json: PascalCase names, AdditionalProperties, /Date(ms)/ dates.
std::string PowerShellShapedDocument() {
  json sku = {{"AppliesTo", "User"},
              {"CapabilityStatus", "Enabled"},
              {"ConsumedUnits", 1},
              {"PrepaidUnits",
               {{"Enabled", 5},
                {"LockedOut", 0},
                {"Suspended", 0},
                {"Warning", 0},
                {"AdditionalProperties", json::object()}}},
              {"SkuId", kE3},
              {"SkuPartNumber", "ENTERPRISEPACK"},
              {"AdditionalProperties", json::object()}};
  json user1 = {
      {"Id", kUser1},
      {"DisplayName", "Adele Vance"},
      {"UserPrincipalName", "adelev@contoso.example"},
      {"UsageLocation", "US"},
      {"AssignedLicenses", json::array({{{"DisabledPlans", json::array()}, {"SkuId", kE3}}})},
      {"LicenseAssignmentStates", json::array({{{"AssignedByGroup", nullptr},
                                                {"DisabledPlans", json::array()},
                                                {"Error", "None"},
                                                {"LastUpdatedDateTime", "/Date(1666300529000)/"},
                                                {"SkuId", kE3},
                                                {"State", "Active"},
                                                {"AdditionalProperties", json::object()}}})},
      {"AdditionalProperties", {{"accountEnabled", true}}}};
  json user2 = {{"Id", kUser2},
                {"DisplayName", "Alex Wilber"},
                {"UserPrincipalName", "alexw@contoso.example"},
                {"AdditionalProperties", {{"usageLocation", "GB"}}}};
  json group = {
      {"Id", kGroup},
      {"DisplayName", "Sales"},
      {"SecurityEnabled", true},
      {"MailEnabled", false},
      {"Members",
       json::array({{{"Id", kUser2},
                     {"AdditionalProperties", {{"@odata.type", "#microsoft.graph.user"}}}}})},
      {"AssignedLicenses", json::array({{{"DisabledPlans", json::array()}, {"SkuId", kE3}}})}};
  return json{{"SubscribedSkus", json::array({sku})},
              {"Users", json::array({user1, user2})},
              {"Groups", json::array({group})}}
      .dump();
}

TEST(RealExports, PowerShellObjectsThroughConvertToJsonLoad) {
  Engine e;
  auto r = e.LoadDocument(PowerShellShapedDocument());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(r.Value().users, 2u);
  EXPECT_EQ(r.Value().memberships, 1u);
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, kUser1, kE3));
  EXPECT_TRUE(HasLicense(e, kUser2, kE3));
  json u = ExportedUser(e, kUser1);
  EXPECT_EQ(u["licenseAssignmentStates"][0]["lastUpdatedDateTime"], "2022-10-20T21:15:29Z");
  EXPECT_EQ(ExportedUser(e, kUser2)["usageLocation"], "GB") << "from AdditionalProperties";
}

TEST(RealExports, NothingLoadsSilentlyEmpty) {
  Engine e;
  ASSERT_TRUE(e.LoadDocument(PowerShellShapedDocument()).Ok());
  for (const char* text : {"{}", R"({"Foo": 1, "value": []})"}) {
    auto r = e.LoadDocument(text);
    ASSERT_FALSE(r.Ok()) << text;
    EXPECT_EQ(r.GetError().code, "SchemaError");
    EXPECT_NE(r.GetError().message.find("no users, groups or subscribedSkus"), std::string::npos)
        << r.GetError().message;
  }
  EXPECT_EQ(Q(e, {{"query", "users"}})["total"], 2) << "the previous tenant is untouched";
}

TEST(RealExports, UnknownTopLevelMembersAreReportedAsIgnored) {
  json doc = json::parse(PowerShellShapedDocument());
  doc["Devices"] = json::array();
  doc["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata";
  Engine e;
  auto r = e.LoadDocument(doc.dump());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  ASSERT_EQ(r.Value().warnings.size(), 1u);
  EXPECT_EQ(r.Value().warnings[0], "ignored: Devices");
}

json PagedGroup(json members) {
  json doc = TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 5)}),
                       json::array({UserDoc("u1"), UserDoc("u2")}),
                       json::array({GroupDoc("g", {}, json::array({License(kE3)}))}));
  doc["groups"][0]["members"] = std::move(members);
  return doc;
}

TEST(RealExports, MembersAsAGraphPageLoad) {
  // GET /groups/{id}/members pasted as it came: {"@odata.context", "value": [...]}.
  Engine e;
  Load(&e,
       PagedGroup(
           {{"@odata.context", "https://graph.microsoft.com/v1.0/$metadata#directoryObjects"},
            {"value", json::array({{{"@odata.type", "#microsoft.graph.user"}, {"id", "u1"}},
                                   {{"@odata.type", "#microsoft.graph.user"}, {"id", "u2"}}})}}));
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
}

TEST(RealExports, AnIncompleteMembersPageIsRefusedSayingHowToFetchItAll) {
  Engine e;
  auto r = e.LoadDocument(
      PagedGroup(
          {{"value", json::array({"u1"})},
           {"@odata.nextLink", "https://graph.microsoft.com/v1.0/groups/g/members?$skiptoken=X"}})
          .dump());
  ASSERT_FALSE(r.Ok());
  EXPECT_NE(r.GetError().message.find("groups[0].members: the list of members is incomplete"),
            std::string::npos)
      << r.GetError().message;
  EXPECT_NE(r.GetError().message.find("-All"), std::string::npos);
}

TEST(RealExports, DevicesContactsAndServicePrincipalsAreMembersNeverLicensed) {
  Engine e;
  auto r = e.LoadDocument(
      PagedGroup(
          json::array({{{"@odata.type", "#microsoft.graph.user"}, {"id", "u1"}},
                       {{"@odata.type", "#microsoft.graph.device"}, {"id", "d1"}},
                       {{"@odata.type", "#microsoft.graph.orgContact"}, {"id", "c1"}},
                       {{"@odata.type", "#microsoft.graph.servicePrincipal"}, {"id", "s1"}}}))
          .dump());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(r.Value().memberships, 1u);
  EXPECT_EQ(r.Value().other_members, 3u);
  e.ProcessAll();
  EXPECT_EQ(Consumed(e, kE3), 1);
  json members = Export(e)["groups"][0]["members"];
  EXPECT_EQ(members.size(), 4u) << "kept in the export";
}

TEST(BadInput, AUsageLocationThatIsNotACountryCodeIsRefused) {
  for (const char* bad : {"USA", "U1", "  "}) {
    json doc = TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 5)}), json::array({UserDoc("u1")}),
                         json::array());
    doc["users"][0]["usageLocation"] = bad;
    std::string error = LoadError(doc.dump());
    EXPECT_NE(error.find("users[0].usageLocation: expected a two-letter ISO 3166 country code"),
              std::string::npos)
        << error;
  }
  json doc = TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 5)}),
                       json::array({UserDoc("u1", "gb")}), json::array());
  Engine e;
  Load(&e, doc);
  EXPECT_EQ(ExportedUser(e, "u1")["usageLocation"], "GB") << "upper-cased, as Graph stores it";
}

TEST(BadInput, ASkuListingTheSamePlanTwiceIsRefused) {
  json sku = Sku(kE3, "ENTERPRISEPACK", 5);
  sku["servicePlans"] =
      json::array({{{"servicePlanId", kExchange2}, {"servicePlanName", "EXCHANGE_S_ENTERPRISE"}},
                   {{"servicePlanId", kSharePoint2}, {"servicePlanName", "SHAREPOINTENTERPRISE"}},
                   {{"servicePlanId", kExchange2}, {"servicePlanName", "EXCHANGE_S_ENTERPRISE"}}});
  std::string error = LoadError(TenantDoc(json::array({sku}), json::array(), json::array()).dump());
  EXPECT_NE(error.find("subscribedSkus[0].servicePlans[2].servicePlanId"), std::string::npos)
      << error;
  EXPECT_NE(error.find("listed twice"), std::string::npos) << error;
}

TEST(BadInput, AssignLicenseNeedsBothArraysAsGraphDoes) {
  Engine e;
  Load(&e, SmallTenant());
  const std::string before = e.ExportDocument();
  json r = Apply1(
      &e, Req("POST", "/groups/g/assignLicense", {{"addLicenses", json::array({License(kEms)})}}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_NE(r["body"]["error"]["message"].get<std::string>().find("removeLicenses is missing"),
            std::string::npos);
  r = Apply1(&e, Req("POST", "/users/u1/assignLicense", {{"removeLicenses", json::array()}}));
  EXPECT_EQ(r["status"], 400);
  EXPECT_EQ(e.ExportDocument(), before);
}

}  // namespace
}  // namespace gbl::testing

namespace gbl::testing {
namespace {

// Found by fuzzing (issue 16, Q1/Q2): queries with options of the wrong type answer BadRequest or
// NotFound; they never assert, throw or read a member that is not there.
TEST(BadInput, AProductQueryWithAnEmptySkuIdAnswersNotFound) {
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  auto r = e.Query(R"({"query":"","skuId":""})");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().code, "BadRequest");
  r = e.Query(R"({"query":"product","skuId":""})");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().code, "NotFound");
  r = e.Query(R"({"query":"user","skuId":"x"})");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().code, "NotFound");
}

TEST(BadInput, AGroupsQueryFlagThatIsNotABooleanIsRefusedNamingIt) {
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  for (const char* bad :
       {R"({"query":"groups","licensedOnly":""})", R"({"query":"groups","errorsOnly":1})"}) {
    auto r = e.Query(bad);
    ASSERT_FALSE(r.Ok()) << bad;
    EXPECT_EQ(r.GetError().code, "BadRequest");
    EXPECT_NE(r.GetError().message.find("expected true or false"), std::string::npos);
  }
  EXPECT_TRUE(e.Query(R"({"query":"groups","licensedOnly":true,"errorsOnly":null})").Ok());
}

}  // namespace
}  // namespace gbl::testing

namespace gbl::testing {
namespace {

// Issue 16, U1/U2: unit counts beyond Graph's Int32 are refused, so their sums never overflow.
TEST(BadInput, UnitCountsBeyondInt32AreRefusedInTheDocumentAndInASeatChange) {
  Engine e;
  auto r = e.LoadDocument(
      R"({"subscribedSkus":[{"skuId":"6fd2c87f-b296-42f0-b197-1e91e994b900",)"
      R"("skuPartNumber":"ENTERPRISEPACK","prepaidUnits":{"enabled":9000000000000000000,)"
      R"("warning":9000000000000000000}}],"users":[]})");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().message,
            "subscribedSkus[0].prepaidUnits.enabled: more than 2147483647 units (Graph's Int32)");
  ASSERT_TRUE(e.LoadSample().Ok());
  const std::string before = e.ExportDocument();
  auto batch = e.ApplyBatch(
      R"({"requests":[{"id":"1","method":"PATCH","url":"/subscribedSkus/6fd2c87f-b296-42f0-b197-1e91e994b900",)"
      R"("body":{"prepaidUnits":{"enabled":9223372036854775807,"warning":1}}}]})");
  ASSERT_TRUE(batch.Ok());
  const json response = json::parse(batch.Value())["responses"][0];
  EXPECT_EQ(response["status"], 400);
  EXPECT_EQ(e.ExportDocument(), before) << "a refused change changes nothing";
}

}  // namespace
}  // namespace gbl::testing
