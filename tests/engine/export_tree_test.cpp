// Exports given as many files: EntraExporter's folder tree (Export-Entra writes one JSON file per
// object, a static group's members in Groups/<id>/Members) and loose section files.
#include <map>

#include "test_util.h"

namespace gbl::testing {
namespace {

/// Files by path; the engine gets views of them.
using Files = std::map<std::string, std::string>;

std::vector<ExportFile> Views(const Files& files) {
  std::vector<ExportFile> out;
  for (const auto& [path, bytes] : files) out.push_back({path, bytes});
  return out;
}

json Member(const std::string& id, const char* type = "#microsoft.graph.user") {
  return {{"@odata.type", type}, {"id", id}, {"displayName", id}};
}

json Inherited(const std::string& group, const char* sku) {
  return {{"skuId", sku},
          {"assignedByGroup", group},
          {"state", "Active"},
          {"error", "None"},
          {"disabledPlans", json::array()}};
}

/// What `Export-Entra -Path EntraBackup -Type Organization,SKUs,Users,Groups` writes for a small
/// tenant (plus folders of other types), one SKU file in Windows PowerShell 5.1's UTF-16LE.
Files EntraExporterTree() {
  const std::string root = "EntraBackup/";
  Files f;
  f[root + "Organization/Organization.json"] =
      json{{"id", "org"}, {"displayName", "Contoso"}, {"countryLetterCode", "US"}}.dump(2);
  const std::string e3 = std::string("org_") + kE3, ems = std::string("org_") + kEms;
  f[root + "SubscribedSkus/" + e3 + "/" + e3 + ".json"] =
      ToUtf16(Sku(kE3, "ENTERPRISEPACK", 10).dump(2), true);
  f[root + "SubscribedSkus/" + ems + "/" + ems + ".json"] = Sku(kEms, "EMS", 10).dump(2);
  for (const char* id : {"u1", "u2", "u3", "u4"}) {
    json u = UserDoc(id);
    if (id[1] >= '3') {           // members of the dynamic group, holding its license
      u["department"] = "Sales";  // what its rule reads (EntraExporter writes every property)
      u["assignedLicenses"] = json::array({License(kEms)});
      u["licenseAssignmentStates"] = json::array({Inherited("dyn", kEms)});
    }
    f[root + "Users/" + id + "/" + id + ".json"] = u.dump(2);
  }
  json stat = GroupDoc("static", {}, json::array({License(kE3)}));
  stat.erase("members");
  f[root + "Groups/static/static.json"] = stat.dump(2);
  f[root + "Groups/static/Members/u1/u1.json"] = Member("u1").dump(2);
  f[root + "Groups/static/Members/u2/u2.json"] = Member("u2").dump(2);
  f[root + "Groups/static/Members/d1/d1.json"] = Member("d1", "#microsoft.graph.device").dump(2);
  f[root + "Groups/static/Owners/u1/u1.json"] = Member("u1").dump(2);
  json dyn = GroupDoc("dyn", {}, json::array({License(kEms)}));
  dyn.erase("members");
  dyn["groupTypes"] = json::array({"DynamicMembership"});
  dyn["membershipRule"] = "user.department -eq \"Sales\"";
  f[root + "Groups/dyn/dyn.json"] = dyn.dump(2);
  f[root + "Policies/AuthorizationPolicy/authorizationPolicy.json"] = "{}";
  f[root + "Domains/contoso.com/contoso.com.json"] = R"({"id": "contoso.com"})";
  f[root + "PIM/Groups/p1/p1.json"] = R"({"id": "p1"})";
  f[root + ".git/HEAD.json"] = "not json";
  f[root + "README.md"] = "# backups";
  return f;
}

Result<LoadSummary> LoadFiles(Engine* e, const Files& files) {
  return e->LoadExportFiles(Views(files));
}

std::string LoadFilesError(const Files& files) {
  Engine e;
  auto r = LoadFiles(&e, files);
  EXPECT_FALSE(r.Ok());
  return r.Ok() ? "" : r.GetError().code + ": " + r.GetError().message;
}

TEST(EntraExporter, AFolderTreeLoadsWithItsGroupsMembers) {
  Engine e;
  auto r = LoadFiles(&e, EntraExporterTree());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(r.Value().users, 4u);
  EXPECT_EQ(r.Value().groups, 2u) << "PIM/Groups is not the Groups folder";
  EXPECT_EQ(r.Value().skus, 2u);
  EXPECT_EQ(r.Value().memberships, 4u);
  EXPECT_EQ(r.Value().other_members, 1u) << "the device stays a member";
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u1", kE3));
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
  EXPECT_FALSE(HasLicense(e, "u3", kE3));
  EXPECT_TRUE(HasLicense(e, "u3", kEms)) << "the dynamic group's license stays after processing";
  EXPECT_EQ(Q(e, {{"query", "tenant"}})["displayName"], "Contoso");
}

TEST(EntraExporter, DynamicGroupsMembersAreReadFromTheUsersStatesAndSaidSo) {
  Engine e;
  auto r = LoadFiles(&e, EntraExporterTree());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  ASSERT_EQ(r.Value().warnings.size(), 2u);
  EXPECT_NE(r.Value().warnings[0].find("1 dynamic group has no Members folder"), std::string::npos)
      << r.Value().warnings[0];
  json members = Q(e, {{"query", "groupMembers"}, {"id", "dyn"}});
  EXPECT_EQ(members["total"], 2) << members.dump();
}

TEST(EntraExporter, OtherFoldersAreReportedAsIgnored) {
  Engine e;
  auto r = LoadFiles(&e, EntraExporterTree());
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(r.Value().warnings.back(), "ignored: Domains/, PIM/, Policies/");
}

TEST(EntraExporter, WindowsPathsAndAnyLetterCaseLoad) {
  Files windows;
  for (auto& [path, bytes] : EntraExporterTree()) {
    std::string p = "C:\\" + path;
    for (char& c : p) {
      if (c == '/') c = '\\';
    }
    windows[p] = bytes;
  }
  Engine e;
  auto r = LoadFiles(&e, windows);
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(r.Value().memberships, 4u);
}

TEST(EntraExporter, TheDefaultConfigExportSaysWhichTypesAreMissing) {
  // Export-Entra without -Type writes "Config": SKUs and dynamic groups, no users.
  Files f = EntraExporterTree();
  for (auto it = f.begin(); it != f.end();) {
    it = it->first.find("/Users/") != std::string::npos ? f.erase(it) : std::next(it);
  }
  std::string err = LoadFilesError(f);
  EXPECT_NE(err.find("has no Users folder"), std::string::npos) << err;
  EXPECT_NE(err.find("-Type Organization,SKUs,Users,Groups"), std::string::npos) << err;
}

TEST(EntraExporter, AMemberLeftOutByCloudUsersAndGroupsOnlyIsNamed) {
  Files f = EntraExporterTree();
  f["EntraBackup/Groups/static/Members/synced/synced.json"] = Member("synced").dump();
  std::string err = LoadFilesError(f);
  EXPECT_NE(err.find("EntraBackup/Groups/static/Members/synced/synced.json: user \"synced\""),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("-CloudUsersAndGroupsOnly"), std::string::npos) << err;
}

TEST(EntraExporter, ASchemaErrorNamesTheFile) {
  Files f = EntraExporterTree();
  json u = UserDoc("u2", "Atlantis");
  f["EntraBackup/Users/u2/u2.json"] = u.dump();
  std::string err = LoadFilesError(f);
  EXPECT_EQ(err.find("SchemaError: EntraBackup/Users/u2/u2.json: usageLocation:"), 0u) << err;
}

TEST(EntraExporter, InvalidJsonNamesTheFileAndTheByte) {
  Files f = EntraExporterTree();
  f["EntraBackup/Groups/static/Members/u2/u2.json"] = R"({"id": "u2",})";
  std::string err = LoadFilesError(f);
  EXPECT_EQ(err.find("ParseError: EntraBackup/Groups/static/Members/u2/u2.json: invalid JSON at "
                     "byte 12"),
            0u)
      << err;
}

TEST(EntraExporter, AFailedLoadKeepsTheTenant) {
  Engine e;
  ASSERT_TRUE(LoadFiles(&e, EntraExporterTree()).Ok());
  Files f = EntraExporterTree();
  f["EntraBackup/Users/u2/u2.json"] = UserDoc("u2", "Atlantis").dump();
  ASSERT_FALSE(LoadFiles(&e, f).Ok());
  EXPECT_EQ(Q(e, {{"query", "users"}})["total"], 4);
}

TEST(EntraExporter, FileByFileGivesTheSameTenantReadingOneFileAtATime) {
  Files tree = EntraExporterTree();
  std::vector<std::string> paths;
  std::vector<const std::string*> bytes;
  for (const auto& [path, content] : tree) {
    paths.push_back(path);
    bytes.push_back(&content);
  }
  Engine whole;
  ASSERT_TRUE(LoadFiles(&whole, tree).Ok());
  Engine e;
  auto order = e.BeginExportFiles(paths);
  ASSERT_TRUE(order.Ok()) << order.GetError().message;
  // The groups come first (their kinds decide what is read of the users), then the sections.
  EXPECT_NE(paths[order.Value()[0]].find("/Groups/"), std::string::npos) << paths[order.Value()[0]];
  EXPECT_LT(order.Value().size(), paths.size()) << "Policies, Domains, Owners, .git are not read";
  for (size_t i : order.Value()) ASSERT_TRUE(e.FeedExportFile(*bytes[i]).Ok()) << paths[i];
  auto done = e.FinishExportFiles();
  ASSERT_TRUE(done.Ok()) << done.GetError().message;
  EXPECT_EQ(done.Value().warnings.size(), 2u);
  EXPECT_EQ(e.ExportDocument(), whole.ExportDocument());
}

TEST(EntraExporter, FileByFileStopsShortIsAnErrorAndKeepsTheTenant) {
  Files tree = EntraExporterTree();
  std::vector<std::string> paths;
  for (const auto& entry : tree) paths.push_back(entry.first);
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  auto order = e.BeginExportFiles(paths);
  ASSERT_TRUE(order.Ok());
  ASSERT_TRUE(e.FeedExportFile(tree[paths[order.Value()[0]]]).Ok());
  auto done = e.FinishExportFiles();
  ASSERT_FALSE(done.Ok());
  EXPECT_NE(done.GetError().message.find("files of the order were not read"), std::string::npos);
  EXPECT_EQ(Q(e, {{"query", "tenant"}})["displayName"], "Contoso");
}

TEST(SectionFiles, GraphListResponsesSavedOnePerSectionLoad) {
  // Get-MgUser -All ... | ConvertTo-Json > users.json, and the same for groups and SKUs.
  Files f;
  f["export/subscribedSkus.json"] =
      json{{"value", json::array({Sku(kE3, "ENTERPRISEPACK", 5)})}}.dump();
  f["export/users.json"] = ToUtf16(json::array({UserDoc("u1"), UserDoc("u2")}).dump(), true);
  f["export/groups.json"] =
      json::array({GroupDoc("g", {"u1", "u2"}, json::array({License(kE3)}))}).dump();
  f["export/devices.json"] = "[]";
  Engine e;
  auto r = LoadFiles(&e, f);
  ASSERT_TRUE(r.Ok()) << r.GetError().message;
  EXPECT_EQ(r.Value().memberships, 2u);
  ASSERT_EQ(r.Value().warnings.size(), 1u);
  EXPECT_EQ(r.Value().warnings[0], "ignored: export/devices.json");
  e.ProcessAll();
  EXPECT_TRUE(HasLicense(e, "u2", kE3));
}

TEST(SectionFiles, AnErrorNamesTheFileAndThePathInIt) {
  Files f;
  f["subscribedSkus.json"] = json::array({Sku(kE3, "ENTERPRISEPACK", 5)}).dump();
  f["users.json"] = json::array({UserDoc("u1"), UserDoc("u2", "Atlantis")}).dump();
  std::string err = LoadFilesError(f);
  EXPECT_EQ(err.find("SchemaError: users.json: users[1].usageLocation:"), 0u) << err;
}

TEST(SectionFiles, ASectionFromTwoPlacesIsRefused) {
  Files f = EntraExporterTree();
  f["EntraBackup/users.json"] = "[]";
  std::string err = LoadFilesError(f);
  EXPECT_NE(err.find("give users: choose one of them"), std::string::npos) << err;
}

TEST(SectionFiles, FilesThatAreNoExportAreRefused) {
  Files f;
  f["notes.json"] = "{}";
  std::string err = LoadFilesError(f);
  EXPECT_NE(err.find("none of the 1 files is part of an EntraExporter export"), std::string::npos)
      << err;
}

}  // namespace
}  // namespace gbl::testing
