// Shared pieces of the document generators (sample tenant, synthetic tenants) and object ids.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gbl {

/// splitmix64: small, fast, well-mixed; the engine's only pseudo-random source (deterministic).
class SplitMix64 {
 public:
  /// Starts the stream at `seed`.
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  /// Next 64 pseudo-random bits.
  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    return Mix(state_);
  }
  /// Uniform integer in [0, n); 0 when n is 0.
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  /// Uniform double in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  /// True with probability p.
  bool Chance(double p) { return Unit() < p; }
  /// The splitmix64 finaliser, usable as a stateless hash.
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

/// The embedded Microsoft product and service plan catalogue (CSV text, as published).
const std::string& CatalogCsv();
/// The embedded 2017 list of mutually exclusive service plans (CSV text).
const std::string& ExclusionsCsv();

/// Parses CSV text (RFC 4180 quoting, CRLF or LF, optional BOM) into rows, header row dropped.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text);

/// Calls `visit` with the six fields of each data row of the embedded catalogue CSV.
void ForEachCatalogRow(const std::function<void(const std::vector<std::string>&)>& visit);

namespace tenantgen {
/// A GUID-shaped id derived from (seed, kind, index); the same inputs always give the same id.
std::string DeterministicGuid(uint64_t seed, uint64_t kind, uint64_t index);
}  // namespace tenantgen

}  // namespace gbl
