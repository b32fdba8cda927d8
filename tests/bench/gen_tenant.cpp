// gbl_gen_tenant: writes a synthetic tenant document (see gbl::GenerateSyntheticTenant).
//
//   gbl_gen_tenant --users 1000000 --groups 10000 --skus 100 --seed 1 --out tenant.json
//
// Optional: --memberships X (per user), --licensed X (fraction of groups), --seat-ratio X,
// --direct X (fraction of users with a direct license), --dynamic-members N (departments and a
// dynamic licensing group of N users). --out - writes to standard output.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "gbl/engine.h"

namespace {

/// Prints the usage line to stderr.
void PrintUsage() {
  std::fprintf(stderr,
               "usage: gbl_gen_tenant [--users N] [--groups N] [--skus N] [--seed N] "
               "[--memberships X] [--licensed X] [--seat-ratio X] [--direct X] [--real-shaped] "
               "[--dynamic-members N] "
               "--out FILE|-\n");
}

/// Parses a whole unsigned decimal number; false when the text is not one.
bool ParseCount(const char* text, uint64_t* out) {
  if (text == nullptr || *text == '\0' || *text == '-') return false;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == nullptr || *end != '\0') return false;
  *out = static_cast<uint64_t>(value);
  return true;
}

/// Parses a non-negative decimal number (fraction allowed); false when it is not one.
bool ParseReal(const char* text, double* out) {
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (end == nullptr || *end != '\0' || !(value >= 0.0)) return false;
  *out = value;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  gbl::SyntheticOptions options;
  options.users = 1000000;
  options.groups = 10000;
  options.skus = 100;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    uint64_t count = 0;
    double real = 0.0;
    bool ok = true;
    if (flag == "--help" || flag == "-h") {
      PrintUsage();
      return 0;
    } else if (flag == "--users") {
      ok = ParseCount(value, &count);
      options.users = static_cast<size_t>(count);
    } else if (flag == "--groups") {
      ok = ParseCount(value, &count);
      options.groups = static_cast<size_t>(count);
    } else if (flag == "--skus") {
      ok = ParseCount(value, &count);
      options.skus = static_cast<size_t>(count);
    } else if (flag == "--seed") {
      ok = ParseCount(value, &count);
      options.seed = count;
    } else if (flag == "--memberships") {
      ok = ParseReal(value, &real);
      options.memberships_per_user = real;
    } else if (flag == "--licensed") {
      ok = ParseReal(value, &real) && real <= 1.0;
      options.licensed_group_fraction = real;
    } else if (flag == "--seat-ratio") {
      ok = ParseReal(value, &real);
      options.seat_ratio = real;
    } else if (flag == "--direct") {
      ok = ParseReal(value, &real) && real <= 1.0;
      options.direct_fraction = real;
    } else if (flag == "--dynamic-members") {
      ok = ParseCount(value, &count);
      options.dynamic_members = static_cast<size_t>(count);
    } else if (flag == "--real-shaped") {
      options.real_shaped = true;
      continue;
    } else if (flag == "--out") {
      ok = value != nullptr && *value != '\0';
      if (ok) out_path = value;
    } else {
      std::fprintf(stderr, "gbl_gen_tenant: unknown option %s\n", flag.c_str());
      PrintUsage();
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "gbl_gen_tenant: bad or missing value for %s\n", flag.c_str());
      PrintUsage();
      return 2;
    }
    ++i;
  }
  if (out_path.empty()) {
    std::fprintf(stderr, "gbl_gen_tenant: --out is required\n");
    PrintUsage();
    return 2;
  }

  auto start = std::chrono::steady_clock::now();
  std::string doc = gbl::GenerateSyntheticTenant(options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  bool to_stdout = out_path == "-";
  std::FILE* file = to_stdout ? stdout : std::fopen(out_path.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "gbl_gen_tenant: cannot open %s: %s\n", out_path.c_str(),
                 std::strerror(errno));
    return 1;
  }
  size_t written = std::fwrite(doc.data(), 1, doc.size(), file);
  bool failed = written != doc.size() || std::fflush(file) != 0;
  if (!to_stdout) failed = std::fclose(file) != 0 || failed;
  if (failed) {
    std::fprintf(stderr, "gbl_gen_tenant: writing %s failed\n", out_path.c_str());
    return 1;
  }
  std::fprintf(stderr,
               "gbl_gen_tenant: %zu users, %zu groups, %zu skus, seed %llu: %zu bytes in %.2f s "
               "-> %s\n",
               options.users, options.groups, options.skus,
               static_cast<unsigned long long>(options.seed), doc.size(), seconds,
               out_path.c_str());
  return 0;
}
