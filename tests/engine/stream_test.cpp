// A document read in pieces (BeginLoad / FeedLoad / FinishLoad): wherever the pieces end, the same
// tenant or the same error as the whole document, and the tenant kept on failure.
#include <cctype>
#include <functional>
#include <random>

#include "loader.h"
#include "test_util.h"

namespace gbl::testing {
namespace {

/// Where a document read in pieces ended: the export, or the error.
std::string Streamed(const std::string& doc, std::mt19937* rng, size_t max_piece) {
  Engine e;
  e.BeginLoad(doc.size());
  std::uniform_int_distribution<size_t> piece(1, max_piece);
  for (size_t at = 0; at < doc.size();) {
    size_t n = std::min(piece(*rng), doc.size() - at);
    auto fed = e.FeedLoad(std::string_view(doc).substr(at, n));
    at += n;
    if (!fed.Ok()) {
      // The error stands for the rest of the load, FinishLoad included.
      auto again = e.FinishLoad();
      EXPECT_FALSE(again.Ok());
      EXPECT_EQ(again.Ok() ? "" : again.GetError().message, fed.GetError().message);
      return fed.GetError().code + ": " + fed.GetError().message;
    }
  }
  auto done = e.FinishLoad();
  if (!done.Ok()) return done.GetError().code + ": " + done.GetError().message;
  return e.ExportDocument();
}

std::string Whole(const std::string& doc) {
  Engine e;
  auto r = e.LoadDocument(doc);
  if (!r.Ok()) return r.GetError().code + ": " + r.GetError().message;
  return e.ExportDocument();
}

/// Checks that random splits (pieces of 1 to max_piece bytes) agree with the whole document.
void ExpectSplitsAgree(const std::string& doc, size_t max_piece, int seeds = 6) {
  const std::string whole = Whole(doc);
  for (int seed = 1; seed <= seeds; ++seed) {
    std::mt19937 rng(static_cast<uint32_t>(seed));
    std::string streamed = Streamed(doc, &rng, max_piece);
    ASSERT_EQ(streamed.size(), whole.size())
        << "seed " << seed << ": " << streamed.substr(0, 300) << " / " << whole.substr(0, 300);
    ASSERT_EQ(streamed, whole) << "seed " << seed;
  }
}

std::string SyntheticDocument(uint64_t seed) {
  SyntheticOptions o;
  o.users = 400;
  o.groups = 20;
  o.skus = 6;
  o.memberships_per_user = 2.5;
  o.licensed_group_fraction = 0.6;
  o.seat_ratio = 0.8;
  o.direct_fraction = 0.2;
  o.seed = seed;
  Engine e;
  auto r = e.LoadDocument(GenerateSyntheticTenant(o));
  EXPECT_TRUE(r.Ok());
  e.ProcessAll();
  return e.ExportDocument();  // with states, errors, audits and escapes of every kind
}

TEST(StreamedLoad, AnySplitGivesTheSameTenantAsTheWholeDocument) {
  for (uint64_t seed : {1u, 2u}) {
    std::string doc = SyntheticDocument(seed);
    ExpectSplitsAgree(doc, 64);
    ExpectSplitsAgree(doc, 4096);
  }
}

TEST(StreamedLoad, DynamicGroupsGetTheSameMembersWhateverTheSplitAndTheSectionOrder) {
  SyntheticOptions o;
  o.users = 300;
  o.groups = 8;
  o.skus = 4;
  o.dynamic_members = 40;
  std::string doc = GenerateSyntheticTenant(o);
  // A stale export: the listed members are Sales, the rule now asks for HR.
  const std::string sales = R"(user.department -eq \"Sales\")";
  ASSERT_NE(doc.find(sales), std::string::npos);
  doc.replace(doc.find(sales), sales.size(), R"(user.department -eq \"HR\")");
  ExpectSplitsAgree(doc, 64, 3);
  ExpectSplitsAgree(doc, 4096, 3);
  // Keys in alphabetical order: the groups (and their rules) come before the users.
  ExpectSplitsAgree(nlohmann::json::parse(doc).dump(), 512, 3);
  EXPECT_EQ(Whole(nlohmann::json::parse(doc).dump()), Whole(doc));
  Engine e;
  Load(&e, nlohmann::json::parse(doc));
  nlohmann::json groups = Q(e, {{"query", "groups"}, {"search", "Sales (dynamic licensing)"}});
  nlohmann::json g = Q(e, {{"query", "group"}, {"id", groups["items"][0]["id"]}});
  EXPECT_EQ(g["staleExport"]["listedOnly"], 40) << g.dump();
  EXPECT_EQ(g["members"], g["staleExport"]["ruleOnly"]) << "the HR users, none of them listed";
}

TEST(StreamedLoad, OneBytePiecesWork) {
  json doc = TenantDoc(json::array({Sku(kE3, "ENTERPRISEPACK", 5)}),
                       json::array({UserDoc("u1"), UserDoc("u\u00e9\U0001F600")}),
                       json::array({GroupDoc("g", {"u1"}, json::array({License(kE3)}))}));
  ExpectSplitsAgree(doc.dump(2), 1, 1);
}

TEST(StreamedLoad, Utf16AndByteOrderMarksSplitAnywhere) {
  std::string doc = SyntheticDocument(3);
  ExpectSplitsAgree(ToUtf16(doc, true), 97);
  ExpectSplitsAgree(ToUtf16(doc, false), 1000);
  ExpectSplitsAgree("\xEF\xBB\xBF" + doc, 50);
}

TEST(StreamedLoad, SectionsInAnyOrderAndGraphPagesLoadTheSame) {
  json doc = json::parse(SyntheticDocument(4));
  // Groups first, then users, then the SKUs they need; users as a Graph page.
  std::string text = "{\"groups\":" + doc["groups"].dump() +
                     ",\"users\":{\"@odata.context\":\"x\"," + "\"value\":" + doc["users"].dump() +
                     "},\"subscribedSkus\":" + doc["subscribedSkus"].dump() +
                     ",\"organization\":" + doc["organization"].dump() + "}";
  ExpectSplitsAgree(text, 300);
  EXPECT_EQ(json::parse(Whole(text))["users"].size(), doc["users"].size());
}

TEST(StreamedLoad, SectionsGivenAsGraphListsAreReadItemByItemNeverHeldWhole) {
  json doc = json::parse(SyntheticDocument(8));
  // GET /users and GET /groups pasted as Graph returned them: the page's other members before
  // and after "value" are skipped, and "value" is read as the items come.
  auto page = [](const json& items) {
    return "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\","
           "\"value\":" +
           items.dump() + ",\"@odata.nextLink\":null}";
  };
  auto with = [&](const std::function<std::string(const json&)>& section) {
    return "{\"organization\":" + doc["organization"].dump() +
           ",\"subscribedSkus\":" + doc["subscribedSkus"].dump() +
           ",\"users\":" + section(doc["users"]) + ",\"groups\":" + section(doc["groups"]) + "}";
  };
  const std::string text = with(page);
  ExpectSplitsAgree(text, 500);
  EXPECT_EQ(Whole(text), Whole(with([](const json& items) { return items.dump(); })));
  // Fed 4 KiB at a time, no more than the item being read is held (the sections are 100+ KB).
  DocumentLoad load(text.size());
  size_t most = 0;
  for (size_t at = 0; at < text.size(); at += 4096) {
    ASSERT_TRUE(load.Feed(std::string_view(text).substr(at, 4096)).Ok());
    most = std::max(most, load.HeldBytes());
  }
  ASSERT_TRUE(load.Finish().Ok());
  size_t largest_item = 0;
  for (const char* section : {"users", "groups"}) {
    for (const auto& item : doc[section]) largest_item = std::max(largest_item, item.dump().size());
  }
  EXPECT_LE(most, largest_item + 4096);
  EXPECT_GT(doc["users"].dump().size(), 20 * (largest_item + 4096));
}

TEST(StreamedLoad, AGraphListSectionWithoutValueOrWithAnotherValueIsNamed) {
  Engine e;
  auto r = e.LoadDocument(R"({"subscribedSkus":[],"users":{"@odata.context":"x"}})");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().message, "users: expected an array (or a Graph list with \"value\")");
  r = e.LoadDocument(R"({"subscribedSkus":[],"users":{"value":{"id":"u1"}}})");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().message, "users: expected an array");
  r = e.LoadDocument(R"({"subscribedSkus":[],"users":{"value":[{"id":7}]}})");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().message.rfind("users[0].id", 0), 0u) << r.GetError().message;
}

TEST(StreamedLoad, GroupsBeforeTheirUsersAreReadAsTheyComeAndGiveTheSameTenant) {
  json doc = json::parse(SyntheticDocument(6));
  // Products, then the groups (read item by item: their members wait as 128-bit ids, never as
  // text), then the users they name.
  std::string text = "{\"organization\":" + doc["organization"].dump() +
                     ",\"subscribedSkus\":" + doc["subscribedSkus"].dump() +
                     ",\"licensingRules\":" + doc["licensingRules"].dump() +
                     ",\"groups\":" + doc["groups"].dump() + ",\"users\":" + doc["users"].dump() +
                     ",\"directoryAudits\":" + doc["directoryAudits"].dump() + "}";
  ExpectSplitsAgree(text, 300);
  Engine natural, reordered;
  ASSERT_TRUE(natural.LoadDocument(doc.dump()).Ok());
  ASSERT_TRUE(reordered.LoadDocument(text).Ok());
  EXPECT_EQ(natural.ExportDocument(), reordered.ExportDocument());
}

TEST(StreamedLoad, GroupsBeforeUsersStillNameAnUnknownUserAndADuplicateId) {
  const std::string skus = R"("subscribedSkus":[],)";
  const std::string group = R"({"id":"a1b2c3d4-0000-4000-8000-000000000001","displayName":"G",)"
                            R"("members":[{"id":"A1B2C3D4-0000-4000-8000-0000000000AA",)"
                            R"("@odata.type":"#microsoft.graph.user"}]})";
  const std::string user = R"({"id":"a1b2c3d4-0000-4000-8000-0000000000bb","displayName":"U"})";
  Engine e;
  auto r = e.LoadDocument("{" + skus + "\"groups\":[" + group + "],\"users\":[" + user + "]}");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().message,
            "groups[0].members[0]: unknown user \"a1b2c3d4-0000-4000-8000-0000000000aa\"");
  const std::string twin = R"({"id":"a1b2c3d4-0000-4000-8000-000000000001","displayName":"U"})";
  r = e.LoadDocument("{" + skus + R"("groups":[{"id":"a1b2c3d4-0000-4000-8000-000000000001"}],)" +
                     "\"users\":[" + twin + "]}");
  ASSERT_FALSE(r.Ok());
  EXPECT_EQ(r.GetError().message,
            "users[0].id: duplicate id \"a1b2c3d4-0000-4000-8000-000000000001\"");
}

// Users' GUID ids go into the id index sixteen at a time: a duplicate is still the error named, at
// its own place, before any later error of the document, whatever the split; in either letter case;
// twice in one batch; with nothing after it; and before a later duplicate of a non-GUID id.
TEST(StreamedLoad, ADuplicateUserIdIsNamedAtItsPlaceBeforeAnyLaterError) {
  const json doc = json::parse(SyntheticDocument(3));
  auto with = [&](const std::function<void(json*)>& edit) {
    json d = doc;
    edit(&d);
    return d.dump();
  };
  auto id_of = [&](size_t k) { return doc["users"][k]["id"].get<std::string>(); };
  auto upper = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  };
  struct Case {
    std::string name, text, error;
  };
  const std::vector<Case> cases = {
      {"a later schema error", with([&](json* d) {
         (*d)["users"][20]["id"] = upper(id_of(3));
         (*d)["users"][22]["accountEnabled"] = "x";
       }),
       "SchemaError: users[20].id: duplicate id \"" + upper(id_of(3)) + "\""},
      {"a later syntax error",
       [&] {  // cut inside user 45's id
         const std::string text = with([&](json* d) { (*d)["users"][40]["id"] = id_of(39); });
         return text.substr(0, text.find(id_of(45), text.find("\"users\":")) + 5);
       }(),
       "SchemaError: users[40].id: duplicate id \"" + id_of(39) + "\""},
      {"nothing after it", with([&](json* d) { (*d)["users"][399]["id"] = id_of(0); }),
       "SchemaError: users[399].id: duplicate id \"" + id_of(0) + "\""},
      {"a later non-GUID duplicate", with([&](json* d) {
         (*d)["users"][17]["id"] = id_of(16);
         (*d)["users"][30]["id"] = "x";
         (*d)["users"][31]["id"] = "x";
       }),
       "SchemaError: users[17].id: duplicate id \"" + id_of(16) + "\""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Whole(c.text), c.error) << c.name;
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      std::mt19937 rng(seed);
      EXPECT_EQ(Streamed(c.text, &rng, 700), c.error) << c.name << ", seed " << seed;
    }
  }
}

TEST(StreamedLoad, ErrorsAndTheirBytesDoNotDependOnTheSplit) {
  std::string doc = SyntheticDocument(5);
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> where(0, doc.size() - 1);
  for (int k = 0; k < 12; ++k) {
    std::string bad = doc;
    size_t at = where(rng);
    switch (k % 4) {
      case 0:
        bad = doc.substr(0, at);
        break;  // cut off
      case 1:
        bad[at] = '}';
        break;  // a wrong bracket
      case 2:
        bad[at] = '\x01';
        break;  // a control character
      case 3:
        bad.insert(at, "\xC0\xAF");
        break;  // ill-formed UTF-8 (overlong)
    }
    std::string whole = Whole(bad);
    if (whole.rfind("{", 0) == 0) continue;  // the change happened to keep it valid
    ExpectSplitsAgree(bad, 200, 3);
  }
}

// Found by the project's load fuzzer (tests/fuzz/regressions/load/S1-…): with a syntax error
// before ill-formed UTF-8, the whole document named the UTF-8 and a streamed one, whose pieces
// ended between the two, the syntax error. Both now name whichever comes first.
TEST(StreamedLoad, TheFirstErrorInTheDocumentIsNamedWhereverThePiecesEnd) {
  const std::string syntax_first = "{\"users\":[]}xx\"\xA4\"";
  EXPECT_EQ(Whole(syntax_first),
            "ParseError: invalid JSON at byte 12: unexpected data after the document");
  ExpectSplitsAgree(syntax_first, 4);
  const std::string utf8_first = "{\"users\":[{\"id\":\"\xA4\"}";
  EXPECT_EQ(Whole(utf8_first).rfind("ParseError: invalid UTF-8 at byte 17 (0xA4)", 0), 0u)
      << Whole(utf8_first);
  ExpectSplitsAgree(utf8_first, 4);
  // A bad lead byte outside a string: the same error at that byte, however the pieces end.
  const std::string outside = "{\"users\":\xE2[]}";
  EXPECT_EQ(Whole(outside).rfind("ParseError: invalid UTF-8 at byte 9 (0xE2)", 0), 0u)
      << Whole(outside);
  ExpectSplitsAgree(outside, 3);
}

TEST(StreamedLoad, AFailedLoadKeepsTheTenantAndTheErrorStands) {
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  e.BeginLoad();
  ASSERT_TRUE(e.FeedLoad("{\"subscribedSkus\": [], \"users\": [{\"id\": \"a\"}").Ok());
  auto fed = e.FeedLoad(", 7]}");
  ASSERT_FALSE(fed.Ok());
  EXPECT_EQ(fed.GetError().message, "users[1]: expected an object");
  EXPECT_FALSE(e.FeedLoad("more").Ok()) << "the error stands";
  EXPECT_FALSE(e.FinishLoad().Ok());
  EXPECT_EQ(Q(e, {{"query", "tenant"}})["displayName"], "Contoso") << "the tenant stays";
}

TEST(StreamedLoad, ACancelledLoadKeepsTheTenant) {
  Engine e;
  ASSERT_TRUE(e.LoadSample().Ok());
  std::string doc = SyntheticDocument(6);
  e.BeginLoad(doc.size());
  ASSERT_TRUE(e.FeedLoad(std::string_view(doc).substr(0, doc.size() / 2)).Ok());
  EXPECT_EQ(e.LoadedBytes(), doc.size() / 2);
  e.CancelLoad();
  EXPECT_EQ(e.LoadedBytes(), 0u);
  EXPECT_FALSE(e.FinishLoad().Ok()) << "nothing under way";
  EXPECT_EQ(Q(e, {{"query", "tenant"}})["displayName"], "Contoso");
}

TEST(StreamedLoad, FeedingWithoutBeginIsABadRequest) {
  Engine e;
  auto fed = e.FeedLoad("{}");
  ASSERT_FALSE(fed.Ok());
  EXPECT_EQ(fed.GetError().code, "BadRequest");
}

}  // namespace
}  // namespace gbl::testing
