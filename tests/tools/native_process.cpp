// Native twin of `node wasm/cli.mjs process`: TENANT.json BATCH.json|- NOW_ISO → the exported
// document on stdout, with the batch responses appended as "responses". Used by the Node test
// that checks native and WASM builds agree byte for byte.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "gbl/engine.h"
#include "tenant.h"

namespace {

bool ReadFile(const char* path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: gbl_native_process TENANT.json BATCH.json|- NOW_ISO\n";
    return 2;
  }
  std::string tenant, batch;
  if (!ReadFile(argv[1], &tenant)) {
    std::cerr << argv[1] << ": cannot read\n";
    return 2;
  }
  int64_t now = 0;
  if (!gbl::Tenant::ParseTime(argv[3], &now)) {
    std::cerr << "NOW_ISO: not an ISO 8601 time: " << argv[3] << "\n";
    return 2;
  }
  gbl::Engine engine;
  engine.SetNow(now);
  auto loaded = engine.LoadDocument(tenant);
  if (!loaded.Ok()) {
    std::cerr << argv[1] << ": " << loaded.GetError().message << "\n";
    return 2;
  }
  std::string responses;
  if (std::string(argv[2]) != "-") {
    if (!ReadFile(argv[2], &batch)) {
      std::cerr << argv[2] << ": cannot read\n";
      return 2;
    }
    auto applied = engine.ApplyBatch(batch);
    if (!applied.Ok()) {
      std::cerr << argv[2] << ": " << applied.GetError().message << "\n";
      return 2;
    }
    // {"responses":[...]} → the array.
    const std::string& text = applied.Value();
    responses = text.substr(text.find('['), text.rfind(']') - text.find('[') + 1);
  }
  engine.ProcessAll();
  std::string out = engine.ExportDocument();
  if (!responses.empty()) {
    out.pop_back();  // the closing brace of the document
    out += ",\"responses\":" + responses + "}";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
