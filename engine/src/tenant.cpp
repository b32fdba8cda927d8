// Tenant model helpers: names of states, interning, time, audit records, catalogue defaults.
#include "tenant.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "generators.h"
#include "read_ahead.h"
#include "rules.h"

namespace gbl {

const char* StateName(StateKind s) {
  switch (s) {
    case StateKind::kActive:
      return "Active";
    case StateKind::kActiveWithError:
      return "ActiveWithError";
    case StateKind::kDisabled:
      return "Disabled";
    case StateKind::kError:
      return "Error";
  }
  return "Error";
}

namespace {

/// One row of error_kinds.def.
struct ErrorKindRow {
  const char* name;
  const char* text;
};

constexpr ErrorKindRow kErrorKinds[] = {
#define GBL_ERROR_KIND(kind, name, text) {name, text},
#include "error_kinds.def"
#undef GBL_ERROR_KIND
};
static_assert(sizeof(kErrorKinds) / sizeof(kErrorKinds[0]) == kErrorKindCount);

/// Names read from documents besides the table's own: an empty error, and "Others".
constexpr std::pair<const char*, ErrorKind> kErrorAliases[] = {{"", ErrorKind::kNone},
                                                               {"Others", ErrorKind::kOther}};

}  // namespace

const char* ErrorName(ErrorKind e) {
  size_t i = static_cast<size_t>(e);
  return i < kErrorKindCount ? kErrorKinds[i].name : "Other";
}

const char* ErrorText(ErrorKind e) {
  size_t i = static_cast<size_t>(e);
  return i < kErrorKindCount ? kErrorKinds[i].text : "Other";
}

const char* ProcessingStateName(ProcessingState s) {
  switch (s) {
    case ProcessingState::kComplete:
      return "ProcessingComplete";
    case ProcessingState::kQueued:
      return "QueuedForProcessing";
    case ProcessingState::kInProgress:
      return "ProcessingInProgress";
  }
  return "ProcessingComplete";
}

bool ParseStateName(std::string_view text, StateKind* out) {
  static const std::pair<const char*, StateKind> kNames[] = {
      {"Active", StateKind::kActive},
      {"ActiveWithError", StateKind::kActiveWithError},
      {"Disabled", StateKind::kDisabled},
      {"Error", StateKind::kError}};
  for (auto& [name, kind] : kNames) {
    if (text == name) {
      *out = kind;
      return true;
    }
  }
  return false;
}

bool ParseErrorName(std::string_view text, ErrorKind* out) {
  for (size_t i = 0; i < kErrorKindCount; ++i) {
    if (text == kErrorKinds[i].name) {
      *out = static_cast<ErrorKind>(i);
      return true;
    }
  }
  for (auto& [name, kind] : kErrorAliases) {
    if (text == name) {
      *out = kind;
      return true;
    }
  }
  return false;
}

Id Tenant::InternAssignment(Id sku, std::vector<Id> disabled) {
  std::string key = std::to_string(sku);
  for (Id d : disabled) {
    key.push_back(',');
    key += std::to_string(d);
  }
  auto it = assignment_index_.find(key);
  if (it != assignment_index_.end()) return it->second;
  Assignment a;
  a.sku = sku;
  a.disabled = std::move(disabled);
  for (Id p : skus_[sku].plans) {
    if (!std::binary_search(a.disabled.begin(), a.disabled.end(), p)) a.enabled.push_back(p);
  }
  std::sort(a.enabled.begin(), a.enabled.end());
  a.enabled.erase(std::unique(a.enabled.begin(), a.enabled.end()), a.enabled.end());
  DeriveAssignment(&a);
  Id id = static_cast<Id>(assignments_.size());
  assignments_.push_back(std::move(a));
  if (journal_) journal_->interned_keys.push_back(key);
  assignment_index_.emplace(std::move(key), id);
  return id;
}

void Tenant::DeriveAssignment(Assignment* a) const {
  a->exclusive.clear();
  a->families = 0;
  a->restricted.clear();
  a->exchange = false;
  a->dependent = false;
  for (Id p : a->enabled) {
    a->dependent =
        a->dependent || !plans_[p].requires_any_of.empty() || !plans_[p].requires_unowned.empty();
    if (plans_[p].family >= 0) {
      a->exclusive.emplace_back(p, plans_[p].family);
      a->families |= FamilyBit(plans_[p].family);
    }
    if (!plans_[p].prohibited_in.empty()) a->restricted.push_back(p);
    a->exchange = a->exchange || plans_[p].exchange;
  }
}

Id Tenant::FindPlan(std::string_view id) const {
  auto it = plan_index_.find(Lower(id));
  return it == plan_index_.end() ? kNoId : it->second;
}

const std::string& Tenant::LocationOf(const User& user) const {
  return user.usage_location.empty() ? country : user.usage_location;
}

bool NormalizeUsageLocation(std::string* location) {
  if (location->empty()) return true;
  bool ok = location->size() == 2;
  for (char& c : *location) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    ok = ok && c >= 'A' && c <= 'Z';
  }
  return ok;
}

namespace {

/// The eight bytes of `w` with ASCII capitals made small (bytes of 0x80 and above as they are).
uint64_t LowerWord(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = kOnes * 0x80;
  const uint64_t seven = w & ~kHigh;  // per byte below 0x80: adding below 0x81 carries nowhere
  const uint64_t upper =
      (seven + kOnes * (0x80 - 'A')) & ~(seven + kOnes * (0x80 - 'Z' - 1)) & ~w & kHigh;
  return w | (upper >> 2);  // 0x80 >> 2 = 0x20, the case bit
}

uint64_t MixWord(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

}  // namespace

uint64_t HashLower(std::string_view s) {
  // Eight bytes at a time: member names and proxy addresses of every user come through here.
  uint64_t h = 0xcbf29ce484222325ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ LowerWord(w)) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
  }
  if (i < s.size()) {
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = (h ^ LowerWord(w)) * 0x9e3779b97f4a7c15ULL;
  }
  return MixWord(h);
}

namespace {

/// Eight hex digits (either case) as one 32-bit number, the first digit highest; any byte of
/// the eight that is not a hex digit sets a high bit of *bad (checked once for the whole GUID:
/// every user and member id goes through here).
__attribute__((always_inline)) inline uint32_t HexWord(uint64_t x, uint64_t* bad) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = kOnes * 0x80;
  // Per byte (all below 0x80, else *bad says so; no carry crosses bytes then): the high bit of
  // x + (0x80 - lo) is set when the byte is >= lo.
  auto at_least = [](uint64_t v, unsigned lo) { return (v + kOnes * (0x80 - lo)) & kHigh; };
  const uint64_t digit = at_least(x, '0') & ~at_least(x, '9' + 1);
  const uint64_t lower = x | (kOnes * 0x20);
  const uint64_t letter = at_least(lower, 'a') & ~at_least(lower, 'f' + 1);
  *bad |= (x & kHigh) | (~(digit | letter) & kHigh);
  // '0'-'9' -> 0-9; 'a'-'f' and 'A'-'F' (bit 6 set) -> 1-6 + 9. Byte i holds digit i.
  uint64_t v = (x & (kOnes * 0x0F)) + 9 * ((x >> 6) & kOnes);
  v = ((v << 4) | (v >> 8)) & 0x00FF00FF00FF00FFULL;    // digits 2k, 2k+1 in 16-bit lane k
  v = ((v << 8) | (v >> 16)) & 0x0000FFFF0000FFFFULL;   // four digits in each 32-bit lane
  return static_cast<uint32_t>((v << 16) | (v >> 32));  // all eight, the first highest
}

uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

/// Two runs of four bytes as one word (the GUID's groups around a hyphen).
uint64_t Load4And4(const char* a, const char* b) {
  uint32_t lo, hi;
  std::memcpy(&lo, a, 4);
  std::memcpy(&hi, b, 4);
  return static_cast<uint64_t>(lo) | (static_cast<uint64_t>(hi) << 32);
}

}  // namespace

bool IdIndex::ParseGuid(std::string_view id, uint64_t* hi, uint64_t* lo) {
  // Hex digits in either case: GUIDs compare case-insensitively (some exports and hand edits
  // write them in capitals); any other text is kept exactly by the string map.
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-') {
    return false;
  }
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "HexWord reads bytes little-endian");
  const char* p = id.data();
  uint64_t bad = 0;
  const uint32_t w0 = HexWord(Load8(p), &bad), w1 = HexWord(Load4And4(p + 9, p + 14), &bad),
                 w2 = HexWord(Load4And4(p + 19, p + 24), &bad), w3 = HexWord(Load8(p + 28), &bad);
  if (bad) return false;
  *hi = (static_cast<uint64_t>(w0) << 32) | w1;
  *lo = (static_cast<uint64_t>(w2) << 32) | w3;
  return true;
}

size_t IdIndex::Home(uint64_t hi, uint64_t lo, size_t mask) {
  uint64_t h = hi ^ (lo * 0x9e3779b97f4a7c15ULL);
  h ^= h >> 29;
  return static_cast<size_t>(h) & mask;
}

size_t IdIndex::Probe(uint64_t hi, uint64_t lo) const {
  size_t mask = slots_.size() - 1;
  size_t i = Home(hi, lo, mask);
  size_t first_tomb = SIZE_MAX;
  for (;;) {
    const Slot& s = slots_[i];
    if (s.value == kNoId) return first_tomb != SIZE_MAX ? first_tomb : i;
    if (s.value == kTombstone) {
      if (first_tomb == SIZE_MAX) first_tomb = i;
    } else if (s.hi == hi && s.lo == lo) {
      return i;
    }
    i = (i + 1) & mask;
  }
}

Id IdIndex::Find(std::string_view id) const {
  uint64_t hi, lo;
  if (!ParseGuid(id, &hi, &lo)) {
    auto it = other_.find(std::string(id));
    return it == other_.end() ? kNoId : it->second;
  }
  return FindGuid(hi, lo);
}

std::string IdIndex::FormatGuid(uint64_t hi, uint64_t lo) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  const uint64_t words[2] = {hi, lo};
  size_t at = 0;
  for (int bit = 0; bit < 128; bit += 4) {
    if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
    const uint64_t w = words[bit / 64];
    out[at++] = kHex[(w >> (60 - bit % 64)) & 0xF];
  }
  return out;
}

Id IdIndex::FindGuid(uint64_t hi, uint64_t lo) const {
  if (slots_.empty()) return kNoId;
  size_t mask = slots_.size() - 1;
  for (size_t i = Home(hi, lo, mask);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.value == kNoId) return kNoId;
    if (s.value != kTombstone && s.hi == hi && s.lo == lo) return s.value;
  }
}

void IdIndex::FindMany(const std::string_view* ids, size_t n, Id* out) const {
  constexpr size_t kBatch = 16;
  for (size_t first = 0; first < n; first += kBatch) {
    const size_t count = std::min(kBatch, n - first);
    uint64_t hi[kBatch], lo[kBatch];
    bool guid[kBatch];
    for (size_t k = 0; k < count; ++k) guid[k] = ParseGuid(ids[first + k], &hi[k], &lo[k]);
    FindParsed(ids + first, hi, lo, guid, count, out + first);
  }
}

void IdIndex::FindParsed(const std::string_view* ids, const uint64_t* hi, const uint64_t* lo,
                         const bool* guid, size_t count, Id* out) const {
  if (slots_.empty()) {  // no GUID id yet: only the other ids can hold any
    for (size_t k = 0; k < count; ++k) out[k] = Find(ids[k]);
    return;
  }
  constexpr size_t kBatch = 16;
  size_t slot[kBatch];
  const size_t mask = slots_.size() - 1;
  for (size_t k = 0; k < count; ++k) slot[k] = Home(hi[k], lo[k], mask);
  // Independent reads first (one cache miss each, in flight together), then the probing. The
  // whole home slot is read: a slot may straddle two cache lines (24 bytes), and its key read
  // later would be a second miss, one at a time.
  Id seen[kBatch];
  uint64_t seen_hi[kBatch], seen_lo[kBatch];
  for (size_t k = 0; k < count; ++k) {
    const Slot& s = slots_[slot[k]];
    seen[k] = s.value, seen_hi[k] = s.hi, seen_lo[k] = s.lo;
  }
  for (size_t k = 0; k < count; ++k) {
    if (!guid[k]) {
      out[k] = Find(ids[k]);
    } else if (seen[k] == kNoId) {
      out[k] = kNoId;
    } else if (seen[k] != kTombstone && seen_hi[k] == hi[k] && seen_lo[k] == lo[k]) {
      out[k] = seen[k];
    } else {
      out[k] = FindGuid(hi[k], lo[k]);  // probes on from the home slot, in cache by now
    }
  }
}

bool IdIndex::Insert(std::string_view id, Id value) {
  uint64_t hi, lo;
  if (!ParseGuid(id, &hi, &lo)) return other_.emplace(std::string(id), value).second;
  if (FindGuid(hi, lo) != kNoId) return false;
  if ((used_ + 1) * 4 >= slots_.size() * 3) Grow();
  size_t i = Probe(hi, lo);
  if (slots_[i].value == kNoId) ++used_;
  slots_[i] = Slot{hi, lo, value};
  return true;
}

size_t IdIndex::InsertParsed(const uint64_t* hi, const uint64_t* lo, const Id* values, size_t n) {
  constexpr size_t kBatch = 16;
  for (size_t first = 0; first < n; first += kBatch) {
    const size_t count = std::min(kBatch, n - first);
    while ((used_ + count) * 4 >= slots_.size() * 3) Grow();  // no move during the batch
    const size_t mask = slots_.size() - 1;
    size_t slot[kBatch];
    for (size_t k = 0; k < count; ++k) slot[k] = Home(hi[first + k], lo[first + k], mask);
    // Independent reads first (one cache miss each, in flight together), then the inserts.
    Id seen[kBatch];
    for (size_t k = 0; k < count; ++k) seen[k] = slots_[slot[k]].value;
    for (size_t k = 0; k < count; ++k) {
      const uint64_t h = hi[first + k], l = lo[first + k];
      size_t i = slot[k];
      // An empty home slot (still empty: an earlier id of the batch may have taken it) means
      // the id is absent; otherwise the probe decides.
      if (seen[k] != kNoId || slots_[i].value != kNoId) {
        if (FindGuid(h, l) != kNoId) return first + k;
        i = Probe(h, l);
      }
      if (slots_[i].value == kNoId) ++used_;
      slots_[i] = Slot{h, l, values[first + k]};
    }
  }
  return n;
}

void IdIndex::Erase(std::string_view id) {
  uint64_t hi, lo;
  if (!ParseGuid(id, &hi, &lo)) {
    other_.erase(std::string(id));
    return;
  }
  if (slots_.empty()) return;
  size_t i = Probe(hi, lo);
  if (slots_[i].value != kNoId && slots_[i].value != kTombstone && slots_[i].hi == hi &&
      slots_[i].lo == lo) {
    slots_[i].value = kTombstone;
  }
}

void IdIndex::Reserve(size_t n) {
  size_t want = 16;
  while (want * 3 < n * 4 + 4) want <<= 1;
  if (want <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(want, Slot{});
  used_ = 0;
  for (const Slot& s : old) {
    if (s.value == kNoId || s.value == kTombstone) continue;
    size_t i = Probe(s.hi, s.lo);
    slots_[i] = s;
    ++used_;
  }
}

void IdIndex::Grow() { Reserve(std::max<size_t>(16, slots_.size())); }

static_assert(sizeof(AssignmentState) == 24, "evidence must fit in the state's padding");

const Violation* Tenant::EvidenceOf(Id user, const AssignmentState& s) const {
  if (s.error == ErrorKind::kNone || s.evidence == 0) return nullptr;
  if (s.evidence != kEvidenceOverflow) return &violations_[s.evidence];
  auto it = evidence_.find(StateKey{user, s.source, s.sku});
  return it != evidence_.end() && it->second.kind == s.error ? &it->second : nullptr;
}

uint16_t Tenant::InternViolation(const Violation& v) {
  if (last_violation_ != 0 && last_violation_ < violations_.size() &&
      violations_[last_violation_] == v) {
    return last_violation_;
  }
  auto it = violation_index_.find(v);
  if (it != violation_index_.end()) return last_violation_ = it->second;
  if (violations_.size() >= kEvidenceOverflow) return kEvidenceOverflow;
  uint16_t id = static_cast<uint16_t>(violations_.size());
  violations_.push_back(v);
  violation_index_.emplace(v, id);
  return last_violation_ = id;
}

size_t CountTable::Home(uint64_t key) const {
  uint64_t h = key * 0x9e3779b97f4a7c15ULL;
  return static_cast<size_t>(h ^ (h >> 32)) & (slots_.size() - 1);
}

size_t CountTable::Locate(uint64_t key) const {
  const size_t mask = slots_.size() - 1;
  size_t i = Home(key);
  while (slots_[i].count != 0 && slots_[i].key != key) i = (i + 1) & mask;
  return i;
}

uint32_t CountTable::Get(uint64_t key) const {
  if (slots_.empty()) return 0;
  const Slot& s = slots_[Locate(key)];
  return s.count != 0 ? s.count : 0;
}

void CountTable::Set(uint64_t key, uint32_t count) {
  if (count != 0 && (used_ + 1) * 4 >= slots_.size() * 3) Reserve(std::max<size_t>(16, used_ * 2));
  if (slots_.empty()) return;
  const size_t mask = slots_.size() - 1;
  size_t i = Locate(key);
  if (count != 0) {
    if (slots_[i].count == 0) ++used_;
    slots_[i] = Slot{key, count};
    return;
  }
  if (slots_[i].count == 0) return;
  // Removal with backward shift (no tombstones): later keys of the run move into the hole when
  // their home slot does not lie between the hole and where they are.
  --used_;
  for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
    if (slots_[j].count == 0) break;
    const size_t home = Home(slots_[j].key);
    const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    slots_[i] = slots_[j];
    i = j;
  }
  slots_[i] = Slot{};
}

void CountTable::Reserve(size_t n) {
  size_t want = 16;
  while (want * 3 < n * 4 + 4) want <<= 1;
  if (want <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(want, Slot{});
  for (const Slot& s : old) {
    if (s.count != 0) slots_[Locate(s.key)] = s;
  }
}

size_t CountTable::AddOneEach(const std::vector<uint64_t>& keys) {
  if (keys.empty()) return 0;
  Reserve(used_ + keys.size());
  // A counting sort of the keys by the top bits of their home slot (at most 4,096 buckets, so
  // the bucket cursors stay in cache), then the counts in that order: consecutive keys land in
  // the same few cache lines of the table.
  const size_t buckets = std::min<size_t>(slots_.size(), 4096);
  int shift = 0;
  while ((slots_.size() >> shift) > buckets) ++shift;
  std::vector<uint32_t> start(buckets + 1, 0);
  for (uint64_t k : keys) ++start[(Home(k) >> shift) + 1];
  for (size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  std::vector<uint64_t> ordered(keys.size());
  for (uint64_t k : keys) ordered[start[Home(k) >> shift]++] = k;
  size_t shared = 0;
  for (uint64_t k : ordered) {
    Slot& s = slots_[Locate(k)];
    if (s.count == 0) {
      s = Slot{k, 1};
      ++used_;
    } else if (++s.count == 2) {
      ++shared;
    }
  }
  return shared;
}

Id Tenant::FindUpn(std::string_view upn, bool include_deleted) const {
  if (upn_indexed_ > users_.size()) upn_indexed_ = users_.size();  // users rolled back
  if (upn_index_.empty()) upn_index_.reserve(users_.size() + 16);
  for (; upn_indexed_ < users_.size(); ++upn_indexed_) {
    upn_index_.emplace(HashLower(users_[upn_indexed_].upn), static_cast<Id>(upn_indexed_));
  }
  auto [it, end] = upn_index_.equal_range(HashLower(upn));
  for (; it != end; ++it) {
    const Id id = it->second;
    if (id >= users_.size()) continue;
    const User& u = users_[id];
    if (u.deleted && !include_deleted) continue;
    if (u.upn.size() == upn.size() && Lower(u.upn) == Lower(upn)) return id;
  }
  return kNoId;
}

bool Tenant::HasDuplicateProxy(const User& user) const {
  if (shared_proxies_ == 0) return false;
  for (const auto& address : user.proxy_addresses) {
    if (proxy_count_.Get(HashLower(address)) > 1) return true;
  }
  return false;
}

void Tenant::IndexProxies(const User& user, int delta) {
  const auto& addresses = user.proxy_addresses;
  for (size_t i = 0; i < addresses.size(); ++i) {
    const uint64_t key = HashLower(addresses[i]);
    // The table counts holders: a user listing an address twice (SMTP: and smtp:) holds it once.
    bool listed_before = false;
    for (size_t k = 0; k < i && !listed_before; ++k) listed_before = HashLower(addresses[k]) == key;
    if (listed_before) continue;
    const uint32_t count = proxy_count_.Get(key);
    if (journal_) journal_->proxy_counts.emplace(key, count);
    if (delta > 0) {
      proxy_count_.Set(key, count + 1);
      if (count + 1 == 2) ++shared_proxies_;
    } else if (count != 0) {
      proxy_count_.Set(key, count - 1);
      if (count == 2) --shared_proxies_;
    }
  }
}

uint32_t Tenant::AuditText(std::string text) {
  audit_text_.push_back(std::move(text));
  return static_cast<uint32_t>(audit_text_.size() - 1);
}

void Tenant::Audit(Activity activity, bool by_system, Id user, Id group, uint32_t text) {
  AuditEvent e;
  e.time_ms = now_ms;
  e.activity = activity;
  e.by_system = by_system;
  e.user = user;
  e.group = group;
  e.text = text;
  if (!by_system) {
    if (audit_actor_index == kNoId || audit_actor_cache != actor) {
      audit_actor_index = AuditText(actor);
      audit_actor_cache = actor;
    }
    e.actor = audit_actor_index;
  }
  audit_.push_back(e);
}

void Tenant::AppendAudit(AuditEvent e) { audit_.push_back(e); }

void Tenant::AuditLicenseFailure(Id user, Id group, uint16_t evidence, const Violation& why) {
  // Most reasons depend on the violation alone (not on the user): one text per interned one.
  const bool per_user = why.kind == ErrorKind::kProhibitedInUsageLocationViolation ||
                        why.kind == ErrorKind::kUniquenessViolation;
  const bool cacheable = !per_user && evidence != 0 && evidence != kEvidenceOverflow;
  if (cacheable && evidence < violation_text_.size() && violation_text_[evidence] != kNoId) {
    Audit(Activity::kChangeUserLicense, true, user, group, violation_text_[evidence]);
    audit_.back().failed = 1;
    return;
  }
  // The reason as the service words it at the time; identical texts are stored once.
  std::string reason;
  if (why.kind == ErrorKind::kCountViolation && why.sku < skus_.size()) {
    reason = "There are not enough licenses of " + skus_[why.sku].part_number + " to assign.";
  } else {
    reason = DescribeViolation(*this, &users_[user], why);
  }
  if (why.kind != ErrorKind::kMutuallyExclusiveViolation && why.sku < skus_.size()) {
    reason += " Licenses being added: [" + skus_[why.sku].id + "]";
  }
  uint32_t text;
  auto it = failure_text_.find(reason);
  if (it != failure_text_.end() && it->second < audit_text_.size() &&
      audit_text_[it->second] == reason) {
    text = it->second;
  } else {
    text = AuditText(reason);
    failure_text_[std::move(reason)] = text;
  }
  if (cacheable) {
    if (violation_text_.size() <= evidence) violation_text_.resize(evidence + 1u, kNoId);
    violation_text_[evidence] = text;
  }
  Audit(Activity::kChangeUserLicense, true, user, group, text);
  audit_.back().failed = 1;
}

namespace {

/// Saves a copy of `items[id]` in `saved` the first time it is touched in the journal (objects
/// added since the journal began are dropped on rollback instead).
template <typename T>
void SaveOnce(std::vector<T>& items, Id id, size_t base, std::vector<bool>* marks,
              std::vector<std::pair<Id, T>>* saved) {
  if (id >= base) return;
  if (marks->size() < base) marks->resize(base, false);
  if ((*marks)[id]) return;
  (*marks)[id] = true;
  saved->emplace_back(id, items[id]);
}

}  // namespace

User& Tenant::MutableUser(Id u) {
  if (!journal_ || u >= journal_->users) return users_[u];
  Journal& j = *journal_;
  if (j.user_saved.size() < j.users) j.user_saved.resize(j.users, false);
  if (j.user_saved[u]) return users_[u];
  j.user_saved[u] = true;
  j.saved_users.emplace_back(u, users_[u]);
  // States saved earlier are the ones from before the journal: the whole copy takes them.
  if (u < j.states_slot.size() && j.states_slot[u] != kNoId) {
    const StateSpan was = j.StatesOf(j.saved_states[j.states_slot[u]]);
    j.saved_users.back().second.states.assign(was.begin(), was.end());
  }
  return users_[u];
}

User& Tenant::MutableUserStates(Id u) {
  if (!journal_ || u >= journal_->users) return users_[u];
  Journal& j = *journal_;
  if (j.user_saved.size() < j.users) j.user_saved.resize(j.users, false);
  if (j.states_slot.size() < j.users) j.states_slot.resize(j.users, kNoId);
  if (j.user_saved[u] || j.states_slot[u] != kNoId) return users_[u];
  j.states_slot[u] = static_cast<uint32_t>(j.saved_states.size());
  // One pool for every user's copy: no allocation per user (a template change saves 100K).
  const auto& states = users_[u].states;
  j.saved_states.push_back({u, j.saved_state_pool.size(), states.size()});
  j.saved_state_pool.insert(j.saved_state_pool.end(), states.begin(), states.end());
  return users_[u];
}

Group& Tenant::MutableGroup(Id g) {
  if (journal_) {
    SaveOnce(groups_, g, journal_->groups, &journal_->group_saved, &journal_->saved_groups);
  }
  return groups_[g];
}

Sku& Tenant::MutableSku(Id s) {
  if (journal_) SaveOnce(skus_, s, journal_->skus, &journal_->sku_saved, &journal_->saved_skus);
  return skus_[s];
}

std::deque<Id>& Tenant::MutableQueue() {
  if (journal_ && !journal_->queue_saved) {
    journal_->queue_saved = true;
    journal_->queue = queue_;
  }
  return queue_;
}

GroupRun& Tenant::MutableRun() {
  if (journal_ && !journal_->run_saved) {
    journal_->run_saved = true;
    journal_->run = run_;
  }
  return run_;
}

Id Tenant::AddUser(User user) {
  Id id = static_cast<Id>(users_.size());
  user_index_.Insert(user.id, id);
  users_.push_back(std::move(user));
  return id;
}

Id Tenant::AddGroup(Group group) {
  Id id = static_cast<Id>(groups_.size());
  group_index_.Insert(group.id, id);
  groups_.push_back(std::move(group));
  return id;
}

void Tenant::UnindexGroup(Id g) {
  const std::string& id = groups_[g].id;
  if (group_index_.Find(id) != g) return;
  if (journal_ && g < journal_->groups) journal_->unindexed_groups.emplace_back(id, g);
  group_index_.Erase(id);
}

void Tenant::SetEvidence(const StateKey& key, const Violation& v) {
  auto it = evidence_.find(key);
  if (journal_) {
    journal_->evidence.emplace(key, it == evidence_.end() ? std::make_pair(false, Violation{})
                                                          : std::make_pair(true, it->second));
  }
  if (it == evidence_.end()) {
    evidence_.emplace(key, v);
  } else {
    it->second = v;
  }
}

void Tenant::EraseEvidence(const StateKey& key) {
  auto it = evidence_.find(key);
  if (it == evidence_.end()) return;
  if (journal_) journal_->evidence.emplace(key, std::make_pair(true, it->second));
  evidence_.erase(it);
}

uint32_t Tenant::InternAttribute(std::string_view text) {
  if (text.empty()) return 0;
  auto it = attribute_index_.find(text);
  if (it != attribute_index_.end()) return it->second;
  const auto index = static_cast<uint32_t>(attribute_text_.size());
  attribute_text_.emplace_back(text);
  attribute_index_.emplace(std::string_view(attribute_text_.back()), index);
  return index;
}

uint32_t Tenant::StoreUserFields(std::vector<UserField> fields) {
  if (fields.empty()) return kNoId;
  // Canonical order (the export's): by property, extensions by name, items as given.
  std::stable_sort(fields.begin(), fields.end(), [&](const UserField& a, const UserField& b) {
    if (a.property != b.property) return a.property < b.property;
    return a.name != b.name && attribute_text_[a.name] < attribute_text_[b.name];
  });
  UserFieldRange range{static_cast<uint32_t>(user_fields_.size()),
                       static_cast<uint32_t>(fields.size())};
  user_fields_.insert(user_fields_.end(), fields.begin(), fields.end());
  user_details_.push_back(range);
  return static_cast<uint32_t>(user_details_.size() - 1);
}

void Tenant::BeginJournal() {
  journal_ = std::make_unique<Journal>();
  Journal& j = *journal_;
  j.saved_states = std::move(journal_room_.saved_states);
  j.saved_state_pool = std::move(journal_room_.saved_state_pool);
  j.states_slot = std::move(journal_room_.states_slot);
  j.users = users_.size();
  j.groups = groups_.size();
  j.skus = skus_.size();
  j.assignments = assignments_.size();
  j.audit = audit_.size();
  j.audit_text = audit_text_.size();
  j.violations = violations_.size();
  j.user_details = user_details_.size();
  j.user_fields = user_fields_.size();
  j.attribute_text = attribute_text_.size();
  j.shared_proxies = shared_proxies_;
  j.now_ms = now_ms;
  j.actor = actor;
  j.audit_actor_cache = audit_actor_cache;
  j.audit_actor_index = audit_actor_index;
  j.id_counter = id_counter;
}

const std::vector<Id>& Tenant::GroupsWithRules() const {
  if (ruled_at_ != rules_changed_ || ruled_group_count_ != groups_.size()) {
    ruled_groups_.clear();
    for (Id g = 0; g < groups_.size(); ++g) {
      if (groups_[g].rule != nullptr) ruled_groups_.push_back(g);
    }
    ruled_at_ = rules_changed_;
    ruled_group_count_ = groups_.size();
  }
  return ruled_groups_;
}

bool Tenant::RollbackJournal() {
  if (!journal_) return false;
  ++rules_changed_;  // the groups' rules are as they were: GroupsWithRules is built again
  std::unique_ptr<Journal> j = std::move(journal_);  // nothing below is journaled
  // Objects created since: out of the indices, then dropped.
  for (size_t u = j->users; u < users_.size(); ++u) {
    if (user_index_.Find(users_[u].id) == u) user_index_.Erase(users_[u].id);
  }
  for (size_t g = j->groups; g < groups_.size(); ++g) {
    if (group_index_.Find(groups_[g].id) == g) group_index_.Erase(groups_[g].id);
  }
  users_.resize(j->users);
  upn_indexed_ = std::min(upn_indexed_, users_.size());  // FindUpn re-reads the users added again
  groups_.resize(j->groups);
  skus_.resize(j->skus);
  // States-only copies first: a whole copy of the same user, when there is one, wins.
  // (Into the users' own vectors: their room stays, nothing is allocated.)
  ReadAhead ahead;  // the users are scattered: ask for them a batch ahead
  const auto& saved_states = j->saved_states;
  for (size_t n = 0; n < saved_states.size(); ++n) {
    ahead.Batch(
        n, saved_states.size(),
        [&](size_t k) { ahead.Touch(users_[saved_states[k].user].states.data()); },
        [&](size_t k) { ahead.Touch(&users_[saved_states[k].user].states); });
    const StateSpan was = j->StatesOf(saved_states[n]);
    users_[saved_states[n].user].states.assign(was.begin(), was.end());
  }
  for (auto it = j->saved_users.rbegin(); it != j->saved_users.rend(); ++it) {
    users_[it->first] = std::move(it->second);
  }
  for (auto it = j->saved_groups.rbegin(); it != j->saved_groups.rend(); ++it) {
    groups_[it->first] = std::move(it->second);
  }
  for (auto it = j->saved_skus.rbegin(); it != j->saved_skus.rend(); ++it) {
    skus_[it->first] = std::move(it->second);
  }
  for (const auto& [id, g] : j->unindexed_groups) group_index_.Insert(id, g);
  for (const auto& key : j->interned_keys) assignment_index_.erase(key);
  for (auto it = j->deleted_before.rbegin(); it != j->deleted_before.rend(); ++it) {
    if (it->second)
      deleted_users_[it->first] = std::move(*it->second);
    else
      deleted_users_.erase(it->first);
  }
  assignments_.resize(j->assignments);
  if (j->rules_saved) {
    plans_ = std::move(j->plans);
    family_names_ = std::move(j->family_names);
    j->assignments_before.resize(j->assignments);
    assignments_ = std::move(j->assignments_before);
    rules_profile = std::move(j->rules_profile);
    rules_from_document = j->rules_from_document;
  }
  audit_.resize(j->audit);
  audit_text_.resize(j->audit_text);
  for (size_t i = j->violations; i < violations_.size(); ++i)
    violation_index_.erase(violations_[i]);
  violations_.resize(j->violations);
  user_details_.resize(j->user_details);
  user_fields_.resize(j->user_fields);
  for (size_t i = j->attribute_text; i < attribute_text_.size(); ++i)
    attribute_index_.erase(attribute_text_[i]);
  attribute_text_.resize(j->attribute_text);
  last_violation_ = 0;
  failure_text_.clear();  // derived; texts past the rolled-back audit_text_ are gone
  violation_text_.clear();
  if (j->queue_saved) queue_ = std::move(j->queue);
  if (j->run_saved) run_ = std::move(j->run);
  for (auto& [key, was] : j->evidence) {
    if (was.first) {
      evidence_[key] = was.second;
    } else {
      evidence_.erase(key);
    }
  }
  for (const auto& [key, count] : j->proxy_counts) proxy_count_.Set(key, count);
  shared_proxies_ = j->shared_proxies;
  now_ms = j->now_ms;
  actor = j->actor;
  audit_actor_cache = j->audit_actor_cache;
  audit_actor_index = j->audit_actor_index;
  id_counter = j->id_counter;
  CloseJournal(std::move(j));
  return true;
}

void Tenant::CloseJournal(std::unique_ptr<Journal> j) {
  for (const auto& saved : j->saved_states) j->states_slot[saved.user] = kNoId;
  j->saved_states.clear();
  j->saved_state_pool.clear();
  journal_room_.saved_states = std::move(j->saved_states);
  journal_room_.saved_state_pool = std::move(j->saved_state_pool);
  journal_room_.states_slot = std::move(j->states_slot);
}

void Tenant::SetDeletedUser(Id u, std::optional<DeletedUser> entry) {
  auto it = deleted_users_.find(u);
  if (journal_) {
    journal_->deleted_before.emplace_back(
        u, it == deleted_users_.end() ? std::nullopt : std::optional<DeletedUser>(it->second));
  }
  if (entry)
    deleted_users_[u] = std::move(*entry);
  else if (it != deleted_users_.end())
    deleted_users_.erase(it);
}

bool Tenant::SetRulesProfile(std::string_view name) {
  if (!IsRulesProfile(name)) return false;
  if (journal_ && !journal_->rules_saved) {
    Journal& j = *journal_;
    j.rules_saved = true;
    j.plans = plans_;
    j.family_names = family_names_;
    j.assignments_before = assignments_;
    j.rules_profile = rules_profile;
    j.rules_from_document = rules_from_document;
  }
  rules_profile = std::string(name);
  rules_from_document = false;
  family_names_.clear();
  for (auto& plan : plans_) plan.family = -1;
  AddProfileFamilies();
  for (auto& a : assignments_) DeriveAssignment(&a);
  return true;
}

void Tenant::AddProfileFamilies() {
  for (const auto& [family_name, ids] : ProfileExclusionFamilies(rules_profile)) {
    int32_t family = static_cast<int32_t>(family_names_.size());
    family_names_.push_back(family_name);
    for (const auto& id : ids) {
      Id p = FindPlan(id);
      if (p != kNoId) plans_[p].family = family;
    }
  }
}

void Tenant::AddDefaultDependencies() {
  for (const DefaultDependency& row : DefaultDependencies()) {
    std::vector<Id> owned;
    for (const auto& id : row.requires_any_of) {
      Id q = FindPlan(id);
      if (q != kNoId) owned.push_back(q);
    }
    for (const auto& id : row.plans) {
      Id p = FindPlan(id);
      if (p == kNoId || !plans_[p].requires_any_of.empty() || !plans_[p].requires_unowned.empty())
        continue;
      plans_[p].requires_any_of = owned;
      if (owned.empty()) {
        for (size_t i = 0; i < row.named && i < row.requires_any_of.size(); ++i)
          plans_[p].requires_unowned.push_back(row.requires_any_of[i]);
      }
    }
  }
}

bool Tenant::CommitJournal() {
  if (!journal_) return false;
  CloseJournal(std::move(journal_));
  return true;
}

namespace {
// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm, public domain description).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}
}  // namespace

size_t Tenant::FormatTimeTo(int64_t ms, char* out) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) {  // outside what four digits hold: the general form
    int n = std::snprintf(out, kTimeTextMax, "%04lld-%02u-%02uT%02d:%02d:%02dZ",
                          static_cast<long long>(y), m, d, static_cast<int>(rem / 3600),
                          static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
    return n < 0 ? 0 : std::min(static_cast<size_t>(n), kTimeTextMax - 1);
  }
  // Written digit by digit: the export formats one time per state (millions of them).
  std::memcpy(out, "0000-00-00T00:00:00Z", 20);
  auto put = [&](int at, unsigned value, int digits) {
    for (int k = digits - 1; k >= 0; --k, value /= 10)
      out[at + k] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(y), 4);
  put(5, m, 2);
  put(8, d, 2);
  put(11, static_cast<unsigned>(rem / 3600), 2);
  put(14, static_cast<unsigned>(rem / 60 % 60), 2);
  put(17, static_cast<unsigned>(rem % 60), 2);
  return 20;
}

std::string Tenant::FormatTime(int64_t ms) {
  char out[kTimeTextMax];
  return std::string(out, FormatTimeTo(ms, out));
}

bool Tenant::ParseTime(std::string_view t, int64_t* ms) {
  // Windows PowerShell's ConvertTo-Json writes dates as "\/Date(1666300529000)\/" (JSON for
  // "/Date(ms)/"), optionally with an offset ("/Date(ms+0100)/", the instant is still ms).
  if (t.rfind("/Date(", 0) == 0 && t.size() > 8 && t.substr(t.size() - 2) == ")/") {
    std::string_view body = t.substr(6, t.size() - 8);
    size_t i = body[0] == '-' ? 1 : 0;
    int64_t v = 0;
    size_t start = i;
    for (; i < body.size() && body[i] >= '0' && body[i] <= '9' && i - start < 17; ++i)
      v = v * 10 + (body[i] - '0');
    if (i == start) return false;
    if (i < body.size()) {
      if ((body[i] != '+' && body[i] != '-') || body.size() - i != 5) return false;
      for (size_t k = i + 1; k < body.size(); ++k)
        if (body[k] < '0' || body[k] > '9') return false;
    }
    *ms = body[0] == '-' ? -v : v;
    return true;
  }
  // YYYY-MM-DDTHH:MM:SS[.fff...][Z|+00:00]; a bare date is midnight UTC.
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (pos + n > t.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h = 0, mi = 0, s = 0, frac = 0;
  if (!digits(0, 4, &y) || t.size() < 10 || t[4] != '-' || !digits(5, 2, &mo) || t[7] != '-' ||
      !digits(8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return false;
  }
  size_t pos = 10;
  if (pos < t.size() && (t[pos] == 'T' || t[pos] == ' ')) {
    if (!digits(pos + 1, 2, &h) || t.size() < pos + 9 || t[pos + 3] != ':' ||
        !digits(pos + 4, 2, &mi) || t[pos + 6] != ':' || !digits(pos + 7, 2, &s)) {
      return false;
    }
    pos += 9;
    if (pos < t.size() && t[pos] == '.') {
      ++pos;
      int scale = 100;
      while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
        frac += (t[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
    }
    if (pos < t.size() && t[pos] == 'Z') {
      ++pos;
    } else if (t.substr(pos) == "+00:00") {
      pos += 6;
    }
  }
  if (pos != t.size()) return false;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  *ms = ((days * 24 + h) * 60 + mi) * 60000 + static_cast<int64_t>(s) * 1000 + frac;
  return true;
}

std::string Tenant::NewObjectId() {
  // Deterministic GUID-shaped ids: splitmix64 of the tenant's counter.
  auto mix = [](uint64_t z) { return SplitMix64::Mix(z + 0x9e3779b97f4a7c15ULL); };
  for (;;) {
    uint64_t a = mix(++id_counter * 2 + 0x51ed);
    uint64_t b = mix(id_counter * 2 + 0x51ee);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    std::string id = buf;
    if (!user_index_.Contains(id) && !group_index_.Contains(id)) return id;
  }
}

void Tenant::ApplyCatalogue() {
  for (auto& sku : skus_) {
    if (const CatalogProduct* p = FindCatalogProduct(sku.id)) {
      if (sku.display_name.empty()) sku.display_name = p->display_name;
      if (sku.part_number.empty()) sku.part_number = p->part_number;
      // Friendly names as this product lists them.
      for (size_t i = 0; i < p->plans.size(); ++i) {
        Id plan = FindPlan(p->plans[i].first);
        if (plan != kNoId && plans_[plan].friendly.empty()) plans_[plan].friendly = p->friendly[i];
      }
    }
    if (sku.display_name.empty()) sku.display_name = sku.part_number;
  }
  for (auto& plan : plans_) {
    if (plan.friendly.empty()) plan.friendly = CatalogPlanFriendlyName(plan.id);
    if (plan.name.empty()) plan.name = CatalogPlanName(plan.id);
    if (plan.friendly.empty()) plan.friendly = plan.name;
    plan.exchange = plan.name.rfind("EXCHANGE_S_", 0) == 0 && plan.name != "EXCHANGE_S_FOUNDATION";
  }
  if (!rules_from_document) AddProfileFamilies();
  if (!dependencies_from_document) AddDefaultDependencies();
  // Rules are final now: refresh what assignments_ interned during the load derived from them.
  for (auto& a : assignments_) DeriveAssignment(&a);
}

void SortUniqueIds(std::vector<Id>* ids, std::vector<Id>* scratch) {
  std::vector<Id>& v = *ids;
  constexpr size_t kRadixFrom = 512;  // below this std::sort is as fast
  constexpr int kBits = 11;
  constexpr size_t kDigits = size_t{1} << kBits;
  if (v.size() >= kRadixFrom && !std::is_sorted(v.begin(), v.end())) {
    const Id top = *std::max_element(v.begin(), v.end());
    int passes = 0;
    while (passes * kBits < 32 && (uint64_t{top} >> (passes * kBits)) != 0) ++passes;
    std::vector<uint32_t> counts(kDigits * static_cast<size_t>(passes), 0);
    for (Id id : v) {
      for (int p = 0; p < passes; ++p)
        ++counts[p * kDigits + ((id >> (p * kBits)) & (kDigits - 1))];
    }
    scratch->resize(v.size());
    Id* from = v.data();
    Id* to = scratch->data();
    for (int p = 0; p < passes; ++p) {
      uint32_t* c = counts.data() + p * kDigits;
      uint32_t at = 0;
      for (size_t d = 0; d < kDigits; ++d) {
        const uint32_t n = c[d];
        c[d] = at;
        at += n;
      }
      const int shift = p * kBits;
      for (size_t i = 0; i < v.size(); ++i) {
        const Id id = from[i];
        to[c[(id >> shift) & (kDigits - 1)]++] = id;
      }
      std::swap(from, to);
    }
    if (from != v.data()) std::copy(from, from + v.size(), v.data());
  } else {
    std::sort(v.begin(), v.end());
  }
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace gbl
