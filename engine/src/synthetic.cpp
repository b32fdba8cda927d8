// Deterministic generator of large synthetic tenant documents (benchmarks, property tests).
//
// The document is written with a streaming string builder: a 1,000,000-user tenant is several
// hundred megabytes of JSON, far too big and too slow for a JSON DOM. Everything is derived from
// one seed through splitmix64, so the same options always give the same bytes.
//
// Shape guarantees relied on by the benchmarks (tests/bench):
//  * top-level keys in the order organization, subscribedSkus, users, groups;
//  * groups[0] is the biggest group (about a tenth of the users) and always carries licenses;
//  * no licenseAssignmentStates and no licenseProcessingState: every licensed group is queued
//    for processing when the document is loaded.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gbl/engine.h"
#include "generators.h"
#include "json_writer.h"

namespace gbl {
namespace {

/// A GUID in its 36-character text form, without quotes.
using GuidText = std::array<char, 36>;

/// Derives a version-4-looking GUID from (seed, kind, index); distinct inputs give distinct ids.
GuidText MakeGuid(uint64_t seed, uint64_t kind, uint64_t index) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = SplitMix64::Mix(seed ^ SplitMix64::Mix(kind * 0x100000001B3ULL + index));
  uint64_t lo = SplitMix64::Mix(hi ^ (index + 0x9E3779B97F4A7C15ULL * (kind + 1)));
  hi = (hi & ~(0xFULL << 12)) | (0x4ULL << 12);  // version nibble
  lo = (lo & ~(0x3ULL << 62)) | (0x2ULL << 62);  // RFC 4122 variant
  GuidText out{};
  size_t pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out[pos++] = '-';
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    out[pos++] = kHex[(word >> shift) & 0xF];
  }
  return out;
}

/// One product of the catalogue: skuId, skuPartNumber, name and its service plans.
struct Product {
  std::string sku_id;
  std::string part_number;
  std::string display_name;
  std::vector<std::pair<std::string, std::string>> plans;  // (servicePlanId, servicePlanName)
};

/// A catalogue GUID as a key: surrounding spaces, tabs and no-break spaces removed, lower case
/// (a few published rows carry a trailing U+00A0).
std::string GuidKey(std::string_view text) {
  auto strip_front = [&text]() {
    if (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
    } else if (text.size() >= 2 && text.substr(0, 2) == "\xC2\xA0") {
      text.remove_prefix(2);
    } else {
      return false;
    }
    return true;
  };
  auto strip_back = [&text]() {
    if (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
      text.remove_suffix(1);
    } else if (text.size() >= 2 && text.substr(text.size() - 2) == "\xC2\xA0") {
      text.remove_suffix(2);
    } else {
      return false;
    }
    return true;
  };
  while (strip_front()) {
  }
  while (strip_back()) {
  }
  std::string key(text);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

/// The catalogue's products in file order, one per skuId: when a GUID appears under several
/// display names only the first name's rows are used. Plans are deduplicated by GUID.
std::vector<Product> CatalogProducts() {
  std::vector<Product> products;
  std::unordered_map<std::string, size_t> index;  // skuId -> position in products
  ForEachCatalogRow([&](const std::vector<std::string>& row) {
    std::string sku_id = GuidKey(row[2]);
    std::string plan_id = GuidKey(row[4]);
    if (sku_id.empty() || plan_id.empty()) return;
    auto [it, inserted] = index.emplace(sku_id, products.size());
    if (inserted) products.push_back(Product{sku_id, row[1], row[0], {}});
    Product& product = products[it->second];
    if (product.display_name != row[0]) return;  // the same GUID under another product name
    bool dup = std::any_of(product.plans.begin(), product.plans.end(),
                           [&](const auto& p) { return p.first == plan_id; });
    if (!dup) product.plans.emplace_back(plan_id, row[3]);
  });
  return products;
}

/// Appends JSON text to one big string; strings are escaped, numbers written with to_chars.
class JsonOut {
 public:
  explicit JsonOut(std::string* out) : out_(*out) {}

  /// Appends raw JSON text.
  void Raw(std::string_view text) { out_.append(text.data(), text.size()); }
  /// Appends one raw character.
  void Char(char c) { out_.push_back(c); }
  /// Appends a quoted, escaped JSON string.
  void Str(std::string_view text) { JsonWriter::AppendQuoted(&out_, text); }
  /// Appends a quoted GUID.
  void Guid(const GuidText& guid) {
    out_.push_back('"');
    out_.append(guid.data(), guid.size());
    out_.push_back('"');
  }
  /// Appends an unsigned integer.
  void Uint(uint64_t value) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), value);
    out_.append(buf, static_cast<size_t>(res.ptr - buf));
  }
  /// Appends `"key":` (the key must not need escaping).
  void Key(std::string_view key) {
    out_.push_back('"');
    out_.append(key.data(), key.size());
    out_.append("\":");
  }

 private:
  std::string& out_;
};

/// First names used for synthetic users (ASCII, some with characters that need care in UPNs).
constexpr const char* kFirstNames[] = {
    "Aaliyah", "Adele",  "Ahmed",    "Aiko",    "Alex",   "Alice",  "Amara",  "Ana",
    "Andre",   "Anika",  "Arjun",    "Beatriz", "Ben",    "Bianca", "Carlos", "Chen",
    "Chloe",   "Dmitri", "Elena",    "Emma",    "Fatima", "Felix",  "Grace",  "Hana",
    "Ivan",    "Jamal",  "Jean-Luc", "Julia",   "Kenji",  "Lars",   "Leila",  "Lucas",
    "Maria",   "Mateo",  "Mei",      "Nadia",   "Noah",   "Olivia", "Omar",   "Priya",
    "Rafael",  "Sara",   "Sofia",    "Tariq",   "Thomas", "Yuki",   "Zoe",    "Liam"};
/// Last names used for synthetic users.
constexpr const char* kLastNames[] = {
    "Adams",  "Ali",      "Andersen", "Brown",  "Chen",    "Costa",    "Dubois", "Fischer",
    "Garcia", "Gupta",    "Hansen",   "Ito",    "Ivanova", "Johnson",  "Kim",    "Kowalski",
    "Lee",    "Lopez",    "Martin",   "Meyer",  "Moreau",  "Nakamura", "Nguyen", "O'Brien",
    "Okafor", "Patel",    "Pereira",  "Rossi",  "Santos",  "Schmidt",  "Silva",  "Singh",
    "Smith",  "Suzuki",   "Tanaka",   "Taylor", "Wagner",  "Walker",   "Wang",   "Williams",
    "Wilson", "Yamamoto", "Young",    "Zhang",  "Novak",   "Haddad",   "Mensah", "Berg"};
/// Usage locations with cumulative weights (per mille); "" means not set (tenant fallback).
constexpr std::pair<const char*, int> kLocations[] = {{"US", 520}, {"GB", 620}, {"DE", 700},
                                                      {"FR", 760}, {"IN", 840}, {"JP", 880},
                                                      {"BR", 920}, {"CA", 960}, {"", 1000}};
/// Department-like words for group names.
constexpr const char* kGroupWords[] = {
    "Sales",    "Marketing", "Finance",   "Engineering", "Support",  "Legal",    "Operations",
    "Research", "Design",    "Logistics", "Procurement", "Security", "Training", "Facilities",
    "Retail",   "Field",     "Partners",  "Analytics",   "Quality",  "Product"};
/// Regions for group names.
constexpr const char* kRegions[] = {"EMEA",  "APAC",    "Americas", "North",
                                    "South", "Central", "West",     "East"};

/// Keeps the ASCII letters and digits of `text`, lower-cased (for UPN local parts).
std::string UpnPart(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z')
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out.push_back(c);
  }
  return out;
}

/// Greatest common divisor.
uint64_t Gcd(uint64_t a, uint64_t b) {
  while (b != 0) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/// One license of a group template or a direct assignment: SKU index and disabled plan indices.
struct License {
  uint32_t sku = 0;
  std::vector<uint32_t> disabled;
};

/// A group's generated shape. Members are user indices (start + i * stride) mod users, i < size:
/// distinct because the stride is coprime with the user count; nothing per member is stored.
struct GroupPlan {
  uint64_t size = 0;
  uint64_t start = 0;
  uint64_t stride = 1;
  uint32_t kind = 0;  // 0 security, 1 Microsoft 365 (Unified), 2 mail-enabled security
  std::vector<License> licenses;
  std::vector<uint32_t> nested;  // indices of member groups (always after this group)
};

/// Picks an index in [0, n) favouring the first `popular` entries (60% of the draws).
uint32_t PickSku(SplitMix64& rng, size_t n, size_t popular) {
  size_t head = std::min(n, popular);
  if (head > 0 && rng.Chance(0.6)) return static_cast<uint32_t>(rng.Below(head));
  return static_cast<uint32_t>(rng.Below(n));
}

/// Draws 1-3 distinct disabled plans for a product with `plan_count` plans (keeps at least one).
std::vector<uint32_t> PickDisabled(SplitMix64& rng, size_t plan_count) {
  std::vector<uint32_t> disabled;
  if (plan_count < 2) return disabled;
  size_t want = std::min(static_cast<size_t>(1 + rng.Below(3)), plan_count - 1);
  while (disabled.size() < want) {
    auto p = static_cast<uint32_t>(rng.Below(plan_count));
    if (std::find(disabled.begin(), disabled.end(), p) == disabled.end()) disabled.push_back(p);
  }
  std::sort(disabled.begin(), disabled.end());
  return disabled;
}

/// 2^x with x rounded to a quarter: only exact IEEE operations, so every platform (native or
/// WebAssembly) computes the same value, unlike std::exp / std::pow.
double QuarterPow2(double x) {
  static constexpr double kQuarters[4] = {1.0, 1.1892071150027210667, 1.4142135623730950488,
                                          1.6817928305074290861};
  long long q = std::llround(x * 4.0);
  long long whole = q >= 0 ? q / 4 : -((-q + 3) / 4);
  auto frac = static_cast<size_t>(q - whole * 4);
  return std::ldexp(kQuarters[frac], static_cast<int>(whole));
}

/// A log-normal weight exp(1.6 N) with N approximately standard normal (Irwin-Hall: the sum of
/// twelve uniforms minus six), computed without transcendental library functions.
double LogNormalWeight(SplitMix64& rng) {
  double normal = -6.0;
  for (int i = 0; i < 12; ++i) normal += rng.Unit();
  constexpr double kLog2E = 1.4426950408889634074;
  return QuarterPow2(1.6 * kLog2E * normal);
}

/// Sizes of all groups, summing to about `total` memberships: a tenth of the users in group 0,
/// a few large groups of 1-4% of the users, and a heavy-tailed crowd of small groups.
std::vector<uint64_t> GroupSizes(SplitMix64& rng, uint64_t users, size_t groups, uint64_t total) {
  std::vector<uint64_t> sizes(groups, 0);
  if (groups == 0 || users == 0) return sizes;
  uint64_t used = 0;
  sizes[0] = std::min<uint64_t>(users, std::max<uint64_t>(1, (users + 5) / 10));
  used += sizes[0];
  size_t big = groups > 1 ? std::min<size_t>(groups - 1, std::max<size_t>(1, groups / 1000)) : 0;
  for (size_t g = 1; g <= big; ++g) {
    double share = 0.01 + 0.03 * rng.Unit();
    sizes[g] = std::max<uint64_t>(1, static_cast<uint64_t>(share * static_cast<double>(users)));
    used += sizes[g];
  }
  size_t rest_begin = 1 + big;
  if (rest_begin >= groups) return sizes;
  uint64_t remaining = total > used ? total - used : 0;
  const size_t rest_count = groups - rest_begin;
  uint64_t cap = std::max<uint64_t>(users / 50 + 1, 4 * remaining / rest_count);
  cap = std::max<uint64_t>(1, std::min<uint64_t>(users, cap));
  // Log-normal crowd: median group about a third of the mean, a long tail of large groups.
  std::vector<double> weights(rest_count);
  for (double& w : weights) w = LogNormalWeight(rng);
  // Shares proportional to the weights; groups that hit the cap are fixed at the cap and the
  // others rescaled, until no share exceeds the cap.
  std::vector<bool> capped(rest_count, false);
  for (int round = 0; round < 16; ++round) {
    double free_weight = 0.0;
    uint64_t budget = remaining;
    for (size_t i = 0; i < rest_count; ++i) {
      if (capped[i])
        budget = budget > cap ? budget - cap : 0;
      else
        free_weight += weights[i];
    }
    bool changed = false;
    for (size_t i = 0; i < rest_count && free_weight > 0.0; ++i) {
      if (!capped[i] &&
          weights[i] / free_weight * static_cast<double>(budget) > static_cast<double>(cap)) {
        capped[i] = true;
        changed = true;
      }
    }
    if (!changed) {
      for (size_t i = 0; i < rest_count; ++i) {
        double share = capped[i] || free_weight <= 0.0
                           ? static_cast<double>(cap)
                           : weights[i] / free_weight * static_cast<double>(budget);
        sizes[rest_begin + i] = std::clamp<uint64_t>(static_cast<uint64_t>(share), 1, cap);
      }
      break;
    }
  }
  uint64_t assigned = 0;
  for (size_t i = 0; i < rest_count; ++i) {
    if (sizes[rest_begin + i] == 0) sizes[rest_begin + i] = std::min<uint64_t>(cap, 1);
    assigned += sizes[rest_begin + i];
  }
  // Hand out the rounding remainder one member at a time so the total lands on the target.
  size_t cursor = static_cast<size_t>(rng.Below(rest_count));
  size_t stalled = 0;
  while (assigned < remaining && stalled < rest_count) {
    uint64_t& s = sizes[rest_begin + cursor];
    if (s < cap) {
      ++s;
      ++assigned;
      stalled = 0;
    } else {
      ++stalled;
    }
    cursor = (cursor + 1) % rest_count;
  }
  // Group 0 stays the biggest group (small tenants can grow a crowd group past a tenth).
  auto biggest = std::max_element(sizes.begin(), sizes.end());
  std::iter_swap(sizes.begin(), biggest);
  return sizes;
}

/// Rough size of the document, to reserve the output string once.
size_t EstimateBytes(uint64_t users, uint64_t memberships, size_t groups, size_t skus) {
  uint64_t bytes = users * 300 + memberships * 39 + groups * 400ULL + skus * 3000ULL + 4096;
  return static_cast<size_t>(bytes);
}

}  // namespace

namespace tenantgen {

std::string DeterministicGuid(uint64_t seed, uint64_t kind, uint64_t index) {
  GuidText guid = MakeGuid(seed, kind, index);
  return std::string(guid.data(), guid.size());
}

}  // namespace tenantgen

std::string GenerateSyntheticTenant(const SyntheticOptions& options) {
  SplitMix64 rng(SplitMix64::Mix(options.seed ^ 0x6762C5E7A11CE5EDULL));
  const uint64_t seed = options.seed;
  const uint64_t users = options.users;
  const size_t group_count = options.groups;

  // Products: the five key products of the licensing walkthroughs first, then a seeded shuffle
  // of the rest of the catalogue.
  std::vector<Product> catalog = CatalogProducts();
  static constexpr const char* kKeySkus[] = {
      "6fd2c87f-b296-42f0-b197-1e91e994b900",  // Office 365 E3
      "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",  // Enterprise Mobility + Security E3
      "05e9a617-0261-4cee-bb44-138d3ef5d965",  // Microsoft 365 E3
      "c7df2760-2c81-4ef7-b578-5b5392b571df",  // Office 365 E5
      "18181a46-0d4e-45cd-891e-60aabd171b4e"   // Office 365 E1
  };
  std::vector<Product> skus;
  std::vector<bool> taken(catalog.size(), false);
  for (const char* key : kKeySkus) {
    if (skus.size() >= options.skus) break;
    for (size_t i = 0; i < catalog.size(); ++i) {
      if (!taken[i] && catalog[i].sku_id == key && !catalog[i].plans.empty()) {
        taken[i] = true;
        skus.push_back(catalog[i]);
        break;
      }
    }
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < catalog.size(); ++i) {
    if (!taken[i] && !catalog[i].plans.empty()) order.push_back(i);
  }
  for (size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[static_cast<size_t>(rng.Below(i))]);
  }
  for (size_t i = 0; i < order.size() && skus.size() < options.skus; ++i) {
    skus.push_back(catalog[order[i]]);
  }
  catalog.clear();
  const size_t sku_count = skus.size();
  const size_t popular = std::min<size_t>(sku_count, 8);

  // Groups: sizes, member walks, kinds, license templates, a few nested groups.
  double per_user = std::max(0.0, options.memberships_per_user);
  uint64_t target = static_cast<uint64_t>(std::llround(per_user * static_cast<double>(users)));
  std::vector<uint64_t> sizes = GroupSizes(rng, users, group_count, target);
  std::vector<GroupPlan> groups(group_count);
  for (size_t g = 0; g < group_count; ++g) {
    GroupPlan& plan = groups[g];
    plan.size = sizes[g];
    if (users > 0) {
      plan.start = rng.Below(users);
      plan.stride = users > 1 ? 1 + rng.Below(users - 1) : 1;
      while (Gcd(plan.stride, users) != 1) plan.stride = plan.stride % users + 1;
    }
  }
  size_t licensed_target = static_cast<size_t>(std::llround(
      std::clamp(options.licensed_group_fraction, 0.0, 1.0) * static_cast<double>(group_count)));
  if (sku_count > 0 && group_count > 0) {
    licensed_target = std::max<size_t>(1, licensed_target);
    std::vector<size_t> candidates;
    for (size_t g = 1; g < group_count; ++g) candidates.push_back(g);
    std::vector<size_t> licensed = {0};
    for (size_t i = 0; i + 1 < licensed_target && i < candidates.size(); ++i) {
      size_t j = i + static_cast<size_t>(rng.Below(candidates.size() - i));
      std::swap(candidates[i], candidates[j]);
      licensed.push_back(candidates[i]);
    }
    for (size_t g : licensed) {
      size_t count = std::min(sku_count, static_cast<size_t>(1 + rng.Below(3)));
      auto& licenses = groups[g].licenses;
      while (licenses.size() < count) {
        uint32_t s = PickSku(rng, sku_count, popular);
        bool dup = std::any_of(licenses.begin(), licenses.end(),
                               [&](const License& l) { return l.sku == s; });
        if (dup) continue;
        License lic;
        lic.sku = s;
        if (rng.Chance(0.3)) lic.disabled = PickDisabled(rng, skus[s].plans.size());
        licenses.push_back(std::move(lic));
      }
      std::sort(licenses.begin(), licenses.end(),
                [](const License& a, const License& b) { return a.sku < b.sku; });
    }
  }
  for (size_t g = 0; g < group_count; ++g) {
    GroupPlan& plan = groups[g];
    if (plan.licenses.empty()) {
      double k = rng.Unit();
      plan.kind = k < 0.80 ? 0 : (k < 0.95 ? 1 : 2);
    }
    if (g > 0 && g + 1 < group_count && rng.Chance(0.01)) {
      plan.nested.push_back(
          static_cast<uint32_t>(g + 1 + static_cast<size_t>(rng.Below(group_count - g - 1))));
    }
  }

  // Direct assignments: one product each for a fraction of the users, drawn per user index.
  const double direct_fraction = std::clamp(options.direct_fraction, 0.0, 1.0);
  auto direct_of = [&](uint64_t u, License* out) {
    if (sku_count == 0) return false;
    SplitMix64 r(SplitMix64::Mix(seed ^ 0xD1EC7ULL) ^ SplitMix64::Mix(u + 1));
    if (!r.Chance(direct_fraction)) return false;
    out->sku = PickSku(r, sku_count, popular);
    out->disabled.clear();
    if (r.Chance(0.1)) out->disabled = PickDisabled(r, skus[out->sku].plans.size());
    return true;
  };

  // Seats: distinct users who could hold each product (any licensed group or direct), times
  // the seat ratio. One bit per (user, product).
  const size_t words = (sku_count + 63) / 64;
  std::vector<uint64_t> need(sku_count, 0);
  if (words > 0 && users > 0) {
    std::vector<uint64_t> bits(static_cast<size_t>(users) * words, 0);
    std::vector<uint64_t> mask(words);
    for (const GroupPlan& plan : groups) {
      if (plan.licenses.empty()) continue;
      std::fill(mask.begin(), mask.end(), 0);
      for (const License& l : plan.licenses) mask[l.sku / 64] |= 1ULL << (l.sku % 64);
      uint64_t u = plan.start;
      for (uint64_t i = 0; i < plan.size; ++i) {
        uint64_t* row = &bits[static_cast<size_t>(u) * words];
        for (size_t w = 0; w < words; ++w) row[w] |= mask[w];
        u += plan.stride;
        if (u >= users) u -= users;
      }
    }
    License lic;
    for (uint64_t u = 0; u < users; ++u) {
      uint64_t* row = &bits[static_cast<size_t>(u) * words];
      if (direct_of(u, &lic)) row[lic.sku / 64] |= 1ULL << (lic.sku % 64);
      for (size_t w = 0; w < words; ++w) {
        uint64_t word = row[w];
        while (word != 0) {
          int b = __builtin_ctzll(word);
          ++need[w * 64 + static_cast<size_t>(b)];
          word &= word - 1;
        }
      }
    }
  }

  uint64_t memberships = 0;
  for (uint64_t s : sizes) memberships += s;
  std::string doc;
  doc.reserve(EstimateBytes(users, memberships, group_count, sku_count));
  JsonOut out(&doc);

  // organization
  const GuidText tenant_id = MakeGuid(seed, 0, 0);
  const std::string domain = "synthetic" + std::to_string(seed) + ".example.com";
  out.Raw("{\"organization\":[{\"id\":");
  out.Guid(tenant_id);
  out.Raw(",\"displayName\":");
  out.Str("Synthetic tenant " + std::to_string(seed));
  out.Raw(",\"countryLetterCode\":\"US\",\"verifiedDomains\":[{\"name\":");
  out.Str(domain);
  out.Raw(",\"isDefault\":true,\"isInitial\":false}]}],\n");

  // subscribedSkus
  out.Raw("\"subscribedSkus\":[");
  for (size_t s = 0; s < sku_count; ++s) {
    const Product& p = skus[s];
    double ratio = std::max(0.0, options.seat_ratio);
    auto total = static_cast<uint64_t>(std::ceil(static_cast<double>(need[s]) * ratio));
    if (need[s] == 0) total = 10;
    uint64_t warning = rng.Chance(0.15) ? total / 20 : 0;
    if (s > 0) out.Char(',');
    out.Raw("\n{\"id\":\"");
    out.Raw(std::string_view(tenant_id.data(), tenant_id.size()));
    out.Char('_');
    out.Raw(p.sku_id);
    out.Raw("\",\"skuId\":");
    out.Str(p.sku_id);
    out.Raw(",\"skuPartNumber\":");
    out.Str(p.part_number);
    out.Raw(
        ",\"appliesTo\":\"User\",\"capabilityStatus\":\"Enabled\",\"prepaidUnits\":{\"enabled\":");
    out.Uint(total - warning);
    out.Raw(",\"warning\":");
    out.Uint(warning);
    out.Raw(",\"suspended\":0,\"lockedOut\":0},\"servicePlans\":[");
    for (size_t i = 0; i < p.plans.size(); ++i) {
      if (i > 0) out.Char(',');
      out.Raw("{\"servicePlanId\":");
      out.Str(p.plans[i].first);
      out.Raw(",\"servicePlanName\":");
      out.Str(p.plans[i].second);
      out.Raw(",\"appliesTo\":\"User\",\"provisioningStatus\":\"Success\"}");
    }
    out.Raw("]}");
  }
  out.Raw("],\n");

  auto write_license = [&](const License& l) {
    const Product& p = skus[l.sku];
    out.Raw("{\"skuId\":");
    out.Str(p.sku_id);
    out.Raw(",\"disabledPlans\":[");
    for (size_t i = 0; i < l.disabled.size(); ++i) {
      if (i > 0) out.Char(',');
      out.Str(p.plans[l.disabled[i]].first);
    }
    out.Raw("]}");
  };

  // users
  std::vector<GuidText> user_ids(static_cast<size_t>(users));
  for (uint64_t u = 0; u < users; ++u) user_ids[static_cast<size_t>(u)] = MakeGuid(seed, 1, u);
  constexpr size_t kFirstCount = sizeof(kFirstNames) / sizeof(kFirstNames[0]);
  constexpr size_t kLastCount = sizeof(kLastNames) / sizeof(kLastNames[0]);
  std::vector<std::string> first_upn(kFirstCount);
  std::vector<std::string> last_upn(kLastCount);
  for (size_t i = 0; i < kFirstCount; ++i) first_upn[i] = UpnPart(kFirstNames[i]);
  for (size_t i = 0; i < kLastCount; ++i) last_upn[i] = UpnPart(kLastNames[i]);
  // The dynamic licensing group's users (SyntheticOptions::dynamic_members): exactly N, evenly.
  const uint64_t dynamic_members =
      options.real_shaped ? 0 : std::min<uint64_t>(options.dynamic_members, users);
  auto InSales = [&](uint64_t u) {
    return (u * dynamic_members) / users != ((u + 1) * dynamic_members) / users;
  };
  static constexpr const char* kOtherDepartments[] = {"Finance",    "HR",          "Legal",
                                                      "Marketing",  "Engineering", "Support",
                                                      "Operations", "Research",    "Retail"};
  out.Raw("\"users\":[");
  std::string upn;
  std::string name;
  License lic;
  // What a real beta GET /users returns beside the licensing properties, the same for every user
  // (the loader skips all of it): contact and on-premises properties, identities, and the
  // assignedPlans / provisionedPlans of an E3 + EMS user.
  std::string real_shaped_tail;
  if (options.real_shaped) {
    JsonOut tail(&real_shaped_tail);
    tail.Raw(
        ",\"businessPhones\":[\"+1 425 555 0109\"],\"jobTitle\":\"Retail Manager\","
        "\"mobilePhone\":null,\"officeLocation\":\"18/2111\",\"preferredLanguage\":\"en-US\","
        "\"department\":\"Retail\",\"companyName\":null,\"city\":\"Redmond\",\"country\":"
        "\"United States\",\"state\":\"WA\",\"streetAddress\":\"1 Microsoft Way\","
        "\"postalCode\":\"98052\",\"createdDateTime\":\"2021-03-04T17:45:12Z\","
        "\"creationType\":null,\"deletedDateTime\":null,\"employeeId\":null,"
        "\"externalUserState\":null,\"isResourceAccount\":null,\"onPremisesDistinguishedName\":"
        "null,\"onPremisesDomainName\":null,\"onPremisesImmutableId\":null,"
        "\"onPremisesLastSyncDateTime\":null,\"onPremisesSamAccountName\":null,"
        "\"onPremisesSecurityIdentifier\":null,\"onPremisesSyncEnabled\":null,"
        "\"onPremisesUserPrincipalName\":null,\"passwordPolicies\":null,"
        "\"refreshTokensValidFromDateTime\":\"2021-03-04T17:45:12Z\",\"securityIdentifier\":"
        "\"S-1-12-1-1234567890-1234567890-1234567890-1234567890\",\"showInAddressList\":null,"
        "\"signInSessionsValidFromDateTime\":\"2021-03-04T17:45:12Z\",\"userType\":\"Member\","
        "\"onPremisesExtensionAttributes\":{");
    for (int k = 1; k <= 15; ++k) {
      tail.Raw(k > 1 ? ",\"extensionAttribute" : "\"extensionAttribute");
      tail.Uint(static_cast<uint64_t>(k));
      tail.Raw("\":null");
    }
    tail.Raw("},\"identities\":[{\"signInType\":\"userPrincipalName\",\"issuer\":");
    tail.Str(domain);
    tail.Raw(",\"issuerAssignedId\":null}],\"assignedPlans\":[");
    static constexpr const char* kServices[] = {"exchange",
                                                "SharePoint",
                                                "MicrosoftOffice",
                                                "TeamspaceAPI",
                                                "ProjectWorkManagement",
                                                "Sway",
                                                "YammerEnterprise",
                                                "RMSOnline",
                                                "SCO",
                                                "AADPremiumService",
                                                "MicrosoftStream",
                                                "MicrosoftCommunicationsOnline",
                                                "Adallom",
                                                "To-Do",
                                                "Bing"};
    constexpr size_t kServiceCount = sizeof(kServices) / sizeof(kServices[0]);
    for (size_t k = 0; k < 12; ++k) {
      if (k > 0) tail.Char(',');
      tail.Raw(
          "{\"assignedDateTime\":\"2023-06-01T08:00:00Z\",\"capabilityStatus\":\"Enabled\","
          "\"service\":");
      tail.Str(kServices[k % kServiceCount]);
      tail.Raw(",\"servicePlanId\":");
      tail.Guid(MakeGuid(seed, 9, k));
      tail.Char('}');
    }
    tail.Raw("],\"provisionedPlans\":[");
    for (size_t k = 0; k < 10; ++k) {
      if (k > 0) tail.Char(',');
      tail.Raw("{\"capabilityStatus\":\"Enabled\",\"provisioningStatus\":\"Success\",\"service\":");
      tail.Str(kServices[k % kServiceCount]);
      tail.Char('}');
    }
    tail.Raw("],\"deviceKeys\":[],\"imAddresses\":[],\"otherMails\":[],\"infoCatalogs\":[]");
  }
  for (uint64_t u = 0; u < users; ++u) {
    SplitMix64 r(SplitMix64::Mix(seed ^ 0x05E25ULL) ^ SplitMix64::Mix(u + 1));
    size_t f = static_cast<size_t>(r.Below(kFirstCount));
    size_t l = static_cast<size_t>(r.Below(kLastCount));
    name.assign(kFirstNames[f]).append(" ").append(kLastNames[l]);
    upn.assign(first_upn[f])
        .append(".")
        .append(last_upn[l])
        .append(".")
        .append(std::to_string(u))
        .append("@")
        .append(domain);
    int roll = static_cast<int>(r.Below(1000));
    const char* location = "";
    for (const auto& entry : kLocations) {
      if (roll < entry.second) {
        location = entry.first;
        break;
      }
    }
    bool enabled = !r.Chance(0.01);
    if (u > 0) out.Char(',');
    out.Raw("\n{\"id\":");
    out.Guid(user_ids[static_cast<size_t>(u)]);
    out.Raw(",\"displayName\":");
    out.Str(name);
    out.Raw(",\"userPrincipalName\":");
    out.Str(upn);
    out.Raw(",\"usageLocation\":");
    if (location[0] == '\0') {
      out.Raw("null");
    } else {
      out.Char('"');
      out.Raw(location);
      out.Char('"');
    }
    out.Raw(enabled ? ",\"accountEnabled\":true" : ",\"accountEnabled\":false");
    out.Raw(",\"proxyAddresses\":[\"SMTP:");
    out.Raw(upn);  // letters, digits, dots and '@' only: nothing to escape
    out.Raw("\"],\"assignedLicenses\":[");
    if (direct_of(u, &lic)) write_license(lic);
    out.Raw("]");
    if (dynamic_members > 0) {
      out.Raw(",\"department\":\"");
      out.Raw(InSales(u) ? "Sales"
                         : kOtherDepartments[SplitMix64::Mix(seed ^ (u + 0xDE9A)) %
                                             (sizeof(kOtherDepartments) / sizeof(char*))]);
      out.Char('"');
    }
    if (options.real_shaped) {
      out.Raw(",\"givenName\":");
      out.Str(kFirstNames[f]);
      out.Raw(",\"surname\":");
      out.Str(kLastNames[l]);
      out.Raw(",\"mail\":");
      out.Str(upn);
      out.Raw(",\"mailNickname\":");
      out.Str(std::string(first_upn[f]) + "." + last_upn[l] + std::to_string(u));
      out.Raw(real_shaped_tail);
    }
    out.Char('}');
  }
  out.Raw("],\n");

  // groups
  out.Raw("\"groups\":[");
  constexpr size_t kWordCount = sizeof(kGroupWords) / sizeof(kGroupWords[0]);
  constexpr size_t kRegionCount = sizeof(kRegions) / sizeof(kRegions[0]);
  for (size_t g = 0; g < group_count; ++g) {
    const GroupPlan& plan = groups[g];
    if (g > 0) out.Char(',');
    out.Raw("\n{\"id\":");
    out.Guid(MakeGuid(seed, 2, g));
    out.Raw(",\"displayName\":");
    if (g == 0) {
      name = "All Staff";
    } else {
      name.assign(kGroupWords[g % kWordCount])
          .append(" ")
          .append(kRegions[(g / kWordCount) % kRegionCount])
          .append(" ")
          .append(std::to_string(g));
    }
    out.Str(name);
    switch (plan.kind) {
      case 1:
        out.Raw(",\"securityEnabled\":false,\"mailEnabled\":true,\"groupTypes\":[\"Unified\"]");
        break;
      case 2:
        out.Raw(",\"securityEnabled\":true,\"mailEnabled\":true,\"groupTypes\":[]");
        break;
      default:
        out.Raw(",\"securityEnabled\":true,\"mailEnabled\":false,\"groupTypes\":[]");
    }
    out.Raw(",\"assignedLicenses\":[");
    for (size_t i = 0; i < plan.licenses.size(); ++i) {
      if (i > 0) out.Char(',');
      write_license(plan.licenses[i]);
    }
    out.Raw("],\"members\":[");
    uint64_t u = plan.start;
    for (uint64_t i = 0; i < plan.size; ++i) {
      if (i > 0) out.Char(',');
      out.Guid(user_ids[static_cast<size_t>(u)]);
      u += plan.stride;
      if (u >= users) u -= users;
    }
    for (size_t i = 0; i < plan.nested.size(); ++i) {
      if (plan.size > 0 || i > 0) out.Char(',');
      out.Raw("{\"@odata.type\":\"#microsoft.graph.group\",\"id\":");
      out.Guid(MakeGuid(seed, 2, plan.nested[i]));
      out.Char('}');
    }
    out.Raw("]}");
  }
  if (dynamic_members > 0 && !skus.empty()) {
    out.Raw(group_count > 0 ? ",\n{\"id\":" : "\n{\"id\":");
    out.Guid(MakeGuid(seed, 11, 0));
    out.Raw(
        ",\"displayName\":\"Sales (dynamic licensing)\",\"securityEnabled\":true,"
        "\"mailEnabled\":false,\"groupTypes\":[\"DynamicMembership\"],"
        "\"membershipRule\":\"user.department -eq \\\"Sales\\\"\","
        "\"membershipRuleProcessingState\":\"On\",\"assignedLicenses\":[");
    write_license(License{});
    out.Raw("],\"members\":[");
    bool first_member = true;
    for (uint64_t u = 0; u < users; ++u) {
      if (!InSales(u)) continue;
      if (!first_member) out.Char(',');
      first_member = false;
      out.Guid(user_ids[static_cast<size_t>(u)]);
    }
    out.Raw("]}");
  }
  out.Raw("]}\n");
  return doc;
}

}  // namespace gbl
