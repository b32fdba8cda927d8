// One piece of the engine's work, done once, for valgrind's callgrind to count its instructions:
// the only figure this repository's noisy machines give exactly (wall time moves 1.7x between
// identical runs). Not a test; the README has the commands.
//
//   gbl_count_work load FILE      streamed load of FILE in 16 MiB pieces (FeedLoad, FinishLoad)
//   gbl_count_work export FILE    lean export (no assignedPlans, no audits) of FILE processed
//   gbl_count_work plan USERS     3 previews of a template change on the biggest licensed group
//                                 of a synthetic tenant of USERS users (PlanChanges)
//
// e.g. valgrind --tool=callgrind --collect-atstart=no --toggle-collect='gbl::Engine::FeedLoad*'
//        --toggle-collect='gbl::Engine::FinishLoad*' build/native/tests/bench/gbl_count_work load F
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "gbl/engine.h"

namespace {

using json = nlohmann::json;

bool ReadFile(const char* path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

int Load(const std::string& doc) {
  constexpr size_t kPiece = size_t{16} << 20;
  gbl::Engine e;
  e.BeginLoad(doc.size());
  for (size_t at = 0; at < doc.size(); at += kPiece) {
    const std::string piece = doc.substr(at, kPiece);  // a piece that does not outlive the call
    auto fed = e.FeedLoad(piece);
    if (!fed.Ok()) {
      std::fprintf(stderr, "%s\n", fed.GetError().message.c_str());
      return 1;
    }
  }
  auto done = e.FinishLoad();
  if (!done.Ok()) {
    std::fprintf(stderr, "%s\n", done.GetError().message.c_str());
    return 1;
  }
  std::printf("loaded %zu bytes\n", doc.size());
  return 0;
}

int Export(const std::string& doc) {
  gbl::Engine e;
  auto loaded = e.LoadDocument(doc);
  if (!loaded.Ok()) {
    std::fprintf(stderr, "%s\n", loaded.GetError().message.c_str());
    return 1;
  }
  e.ProcessAll();
  gbl::ExportOptions options;
  options.assigned_plans = false;
  options.audit = false;
  size_t bytes = 0;
  e.ExportDocument(options, [&](std::string_view piece) {
    bytes += piece.size();
    return true;
  });
  std::printf("exported %zu bytes\n", bytes);
  return 0;
}

int Plan(size_t users) {
  gbl::SyntheticOptions o;
  o.users = users;
  o.groups = users / 100;
  o.skus = 100;
  const std::string text = gbl::GenerateSyntheticTenant(o);
  const json doc = json::parse(text);
  gbl::Engine e;
  if (!e.LoadDocument(text).Ok()) return 1;
  e.ProcessAll();
  // The biggest licensed group; its first product with one more plan disabled.
  const json* group = nullptr;
  for (const auto& g : doc["groups"]) {
    if (g["assignedLicenses"].empty()) continue;
    if (!group || g["members"].size() > (*group)["members"].size()) group = &g;
  }
  if (!group) return 1;
  const json& license = (*group)["assignedLicenses"][0];
  json disabled = license["disabledPlans"];
  for (const auto& sku : doc["subscribedSkus"]) {
    if (sku["skuId"] != license["skuId"]) continue;
    for (const auto& plan : sku["servicePlans"]) {
      if (std::find(disabled.begin(), disabled.end(), plan["servicePlanId"]) == disabled.end()) {
        disabled.push_back(plan["servicePlanId"]);
        break;
      }
    }
  }
  const json add = {{"skuId", license["skuId"]}, {"disabledPlans", disabled}};
  const json batch = {
      {"requests",
       json::array(
           {{{"id", "1"},
             {"method", "POST"},
             {"url", "/groups/" + (*group)["id"].get<std::string>() + "/assignLicense"},
             {"body",
              {{"addLicenses", json::array({add})}, {"removeLicenses", json::array()}}}}})}};
  size_t bytes = 0;
  for (int i = 0; i < 3; ++i) {
    auto effect = e.PlanChanges(std::vector<std::string>{batch.dump()}, 20);
    if (!effect.Ok()) {
      std::fprintf(stderr, "%s\n", effect.GetError().message.c_str());
      return 1;
    }
    bytes = effect.Value().size();
  }
  std::printf("group of %zu members, effect %zu bytes\n", (*group)["members"].size(), bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 2 ? argv[1] : "";
  if (mode == "plan") return Plan(std::strtoul(argv[2], nullptr, 10));
  std::string doc;
  if ((mode == "load" || mode == "export") && !ReadFile(argv[2], &doc)) {
    std::fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  if (mode == "load") return Load(doc);
  if (mode == "export") return Export(doc);
  std::fprintf(stderr, "usage: gbl_count_work load FILE | export FILE | plan USERS\n");
  return 2;
}
