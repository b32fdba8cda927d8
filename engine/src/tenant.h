// The tenant model: dense integer ids, GUID strings interned at the edge.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "membership_rule.h"

namespace gbl {

/// Dense index of a user, group, SKU, plan or interned assignment.
using Id = uint32_t;
/// No object.
constexpr Id kNoId = std::numeric_limits<Id>::max();
/// Source of a direct assignment (as opposed to a group index).
constexpr Id kDirect = std::numeric_limits<Id>::max() - 1;

/// licenseAssignmentState.state.
enum class StateKind : uint8_t { kActive, kActiveWithError, kDisabled, kError };
/// licenseAssignmentState.error: one enumerator per row of error_kinds.def.
enum class ErrorKind : uint8_t {
#define GBL_ERROR_KIND(kind, name, text) kind,
#include "error_kinds.def"
#undef GBL_ERROR_KIND
};
/// Number of error kinds, kNone included (arrays indexed by ErrorKind have this size).
constexpr size_t kErrorKindCount = 0
#define GBL_ERROR_KIND(kind, name, text) +1
#include "error_kinds.def"
#undef GBL_ERROR_KIND
    ;
/// group.licenseProcessingState.state.
enum class ProcessingState : uint8_t { kComplete, kQueued, kInProgress };

/// Graph spelling of a state.
const char* StateName(StateKind s);
/// Graph spelling of an error ("None" when successful).
const char* ErrorName(ErrorKind e);
/// Portal wording of an error ("Conflicting service plans" ...).
const char* ErrorText(ErrorKind e);
/// Graph spelling of a processing state.
const char* ProcessingStateName(ProcessingState s);
/// Parses a Graph state name; false when unknown.
bool ParseStateName(std::string_view text, StateKind* out);
/// Parses a Graph error name ("None", "Others" and null-like accepted); false when unknown.
bool ParseErrorName(std::string_view text, ErrorKind* out);

/// Object id → dense index. GUID-shaped ids are kept as 128-bit keys in an open-addressing table
/// (no string allocation, one probe in the common case); other ids go to a string map.
class IdIndex {
 public:
  /// The index of `id`, or kNoId.
  Id Find(std::string_view id) const;
  /// True when `id` is present.
  bool Contains(std::string_view id) const { return Find(id) != kNoId; }
  /// Find for n ids at once (out[k] for ids[k]): their table reads overlap in memory.
  void FindMany(const std::string_view* ids, size_t n, Id* out) const;
  /// The same for ids whose GUIDs are parsed already: guid[k] says whether ids[k] is one, as
  /// (hi[k], lo[k]); at most 16 ids.
  void FindParsed(const std::string_view* ids, const uint64_t* hi, const uint64_t* lo,
                  const bool* guid, size_t n, Id* out) const;
  /// Adds `id`; false when it is already present.
  bool Insert(std::string_view id, Id value);
  /// Adds n GUID ids parsed already ((hi[k], lo[k]) as ParseGuid gives them → values[k]), their
  /// slots read together first so that the cache misses overlap; stops at the first id already
  /// present (or given twice) and returns its position, n when all went in.
  size_t InsertParsed(const uint64_t* hi, const uint64_t* lo, const Id* values, size_t n);
  /// Removes `id` if present.
  void Erase(std::string_view id);
  /// Prepares room for n ids.
  void Reserve(size_t n);
  /// The index of the GUID (hi, lo) as ParseGuid gives it, or kNoId.
  Id FindGuid(uint64_t hi, uint64_t lo) const;
  /// A GUID-shaped id (either letter case) as 128 bits; false for any other text.
  static bool ParseGuid(std::string_view id, uint64_t* hi, uint64_t* lo);
  /// The GUID of (hi, lo) in lower case ("8-4-4-4-12").
  static std::string FormatGuid(uint64_t hi, uint64_t lo);

 private:
  struct Slot {
    uint64_t hi = 0;
    uint64_t lo = 0;
    Id value = kNoId;  ///< kNoId: empty; kTombstone: erased
  };
  static constexpr Id kTombstone = kNoId - 2;
  /// The slot where the probe for (hi, lo) starts (`mask`: the table's size - 1).
  static size_t Home(uint64_t hi, uint64_t lo, size_t mask);
  size_t Probe(uint64_t hi, uint64_t lo) const;  // slot holding the key, or an empty one
  void Grow();

  std::vector<Slot> slots_;
  size_t used_ = 0;  // live + tombstones
  std::unordered_map<std::string, Id> other_;
};

/// Sorts `ids` ascending and drops repeats, as std::sort then std::unique would: long lists by
/// radix (11-bit digits, one counting pass for all of them), short ones by std::sort. `scratch`
/// is working room, kept by the caller from one list to the next.
void SortUniqueIds(std::vector<Id>* ids, std::vector<Id>* scratch);

/// Counts by 64-bit key (open addressing, one flat array): how many objects hold each proxy
/// address. A count of 0 is the same as absent.
class CountTable {
 public:
  /// The count of `key` (0 when absent).
  uint32_t Get(uint64_t key) const;
  /// Sets the count of `key`; 0 removes it.
  void Set(uint64_t key, uint32_t count);
  /// Prepares room for n keys.
  void Reserve(size_t n);
  /// Adds one to the count of each key of `keys` (a key listed twice counts twice); returns how
  /// many counts reached 2. Counted in the table's slot order: one pass over the table instead of
  /// a cache miss per key.
  size_t AddOneEach(const std::vector<uint64_t>& keys);

 private:
  struct Slot {
    uint64_t key = 0;
    uint32_t count = 0;  ///< 0: empty
  };
  size_t Home(uint64_t key) const;
  size_t Locate(uint64_t key) const;  // the slot holding key, or the empty slot ending its run

  std::vector<Slot> slots_;
  size_t used_ = 0;
};

/// 64-bit hash of a string compared case-insensitively (ASCII), for proxy addresses.
uint64_t HashLower(std::string_view s);

/// A service plan (servicePlanInfo), shared by every SKU that contains it.
struct Plan {
  std::string id;                   ///< servicePlanId
  std::string name;                 ///< servicePlanName
  std::string friendly;             ///< friendly name from the catalogue
  std::string applies_to;           ///< "User" or "Company"
  int32_t family = -1;              ///< mutual-exclusion family, -1 when none
  bool exchange = false;            ///< an Exchange Online mailbox plan (proxy uniqueness applies)
  std::vector<Id> requires_any_of;  ///< prerequisites: one of these must stay enabled
  /// Prerequisites the rules name that this tenant has no product for (servicePlanIds as given):
  /// with none of requires_any_of present either, the plan can never be assigned.
  std::vector<std::string> requires_unowned;
  std::vector<std::string> prohibited_in;  ///< usage locations where the plan is not available
};

/// The most units of one kind a SKU can have: Graph's licenseUnitsDetail counts are Int32.
constexpr int64_t kMaxUnits = 2147483647;

/// Purchased units of a SKU (licenseUnitsDetail).
struct PrepaidUnits {
  int64_t enabled = 0;     ///< active units
  int64_t warning = 0;     ///< units in the renewal grace period (expiring soon, still assignable)
  int64_t suspended = 0;   ///< cancelled units, not assignable
  int64_t locked_out = 0;  ///< locked out units, not assignable
};

/// A subscribed product (subscribedSku).
struct Sku {
  std::string id;            ///< skuId
  std::string part_number;   ///< skuPartNumber
  std::string display_name;  ///< product name from the catalogue
  std::string applies_to = "User";
  std::string capability_status = "Enabled";
  std::string object_id;                       ///< subscribedSku.id as given (may be empty)
  std::vector<Id> plans;                       ///< plans of the product, in document order
  std::vector<std::string> plan_provisioning;  ///< provisioningStatus per plan
  PrepaidUnits prepaid;                        ///< purchased units
  int64_t consumed = 0;                        ///< users holding the product (computed)

  /// Units that can be held: enabled plus warning.
  int64_t Assignable() const { return prepaid.enabled + prepaid.warning; }
};

/// An interned (SKU, disabled plans) pair: a license template entry or a state's options.
struct Assignment {
  Id sku = kNoId;
  std::vector<Id> disabled;  ///< disabled plan ids, sorted
  std::vector<Id> enabled;   ///< the SKU's plans minus disabled, sorted
  // Derived from the rules (Tenant::DeriveAssignment), so the checks touch only what matters:
  std::vector<std::pair<Id, int32_t>> exclusive;  ///< enabled plans in an exclusion family
  uint64_t families = 0;                          ///< FamilyBit of each family in `exclusive`
  std::vector<Id> restricted;  ///< enabled plans with usage-location restrictions
  bool exchange = false;       ///< enables an Exchange Online mailbox plan
  bool dependent = false;      ///< enables a plan that needs a prerequisite
};

/// The bit of mutual-exclusion family f in Assignment::families (families past 63 share bits:
/// a clear bit rules a family out, a set one says to look).
inline uint64_t FamilyBit(int32_t f) { return uint64_t{1} << (static_cast<uint32_t>(f) % 64); }

/// One licenseAssignmentState of a user (24 bytes: one per (user, source, product)).
struct AssignmentState {
  Id sku = kNoId;         ///< the product
  Id source = kDirect;    ///< group index, or kDirect
  Id assignment = kNoId;  ///< interned options (disabled plans)
  StateKind state = StateKind::kActive;
  ErrorKind error = ErrorKind::kNone;
  uint16_t evidence = 0;   ///< Tenant::violations() index of the error's evidence (0: none)
  int64_t updated_ms = 0;  ///< lastUpdatedDateTime

  /// True when the state holds the product (a seat is consumed).
  bool Holds() const { return state == StateKind::kActive || state == StateKind::kActiveWithError; }
};

/// A user's states read where they lie (the user's own, or a journal's copy of them).
class StateSpan {
 public:
  StateSpan() = default;
  /// The states of a vector (implicit: a user's states are one).
  StateSpan(const std::vector<AssignmentState>& v)  // NOLINT(google-explicit-constructor)
      : first_(v.data()), count_(v.size()) {}
  StateSpan(const AssignmentState* first, size_t count) : first_(first), count_(count) {}
  /// How many states.
  size_t size() const { return count_; }
  /// True without states.
  bool empty() const { return count_ == 0; }
  /// The first state.
  const AssignmentState* begin() const { return first_; }
  /// Past the last state.
  const AssignmentState* end() const { return first_ + count_; }
  /// The k-th state.
  const AssignmentState& operator[](size_t k) const { return first_[k]; }

 private:
  const AssignmentState* first_ = nullptr;
  size_t count_ = 0;
};

/// Why an assignment fails: the evidence the service names in its error (rules.cpp). Kept for the
/// error states the rules set (Tenant::evidence); states read from a document have none.
struct Violation {
  ErrorKind kind = ErrorKind::kNone;
  Id sku = kNoId;           ///< the product that cannot be assigned (or cannot be removed)
  Id plan = kNoId;          ///< its plan at fault (conflicting, restricted, dependent, mailbox)
  Id other_plan = kNoId;    ///< Exclusive: the conflicting plan; Dependency: the prerequisite
  Id other_sku = kNoId;     ///< Exclusive: the product holding other_plan
  Id other_source = kNoId;  ///< Exclusive: its source (a group index, or kDirect)
  bool tenant_location = false;  ///< ProhibitedInUsageLocation: the tenant's country applied
  uint32_t address = kNoId;      ///< Uniqueness: index of the user's shared proxy address

  bool operator==(const Violation& o) const {
    return kind == o.kind && sku == o.sku && plan == o.plan && other_plan == o.other_plan &&
           other_sku == o.other_sku && other_source == o.other_source &&
           tenant_location == o.tenant_location && address == o.address;
  }
};

/// Hash of a Violation (for interning).
struct ViolationHash {
  size_t operator()(const Violation& v) const {
    uint64_t h = static_cast<uint64_t>(v.kind) * 0x9E3779B97F4A7C15ULL;
    for (uint64_t x :
         {uint64_t{v.sku}, uint64_t{v.plan}, uint64_t{v.other_plan}, uint64_t{v.other_sku},
          uint64_t{v.other_source}, uint64_t{v.address}, uint64_t{v.tenant_location}}) {
      h = (h ^ x) * 0xff51afd7ed558ccdULL;
      h ^= h >> 29;
    }
    return static_cast<size_t>(h);
  }
};

/// AssignmentState::evidence when the interned table is full: the evidence is kept by state.
constexpr uint16_t kEvidenceOverflow = 0xFFFF;

/// Identifies one assignment state: (user, source, sku).
struct StateKey {
  Id user = kNoId;
  Id source = kNoId;
  Id sku = kNoId;
  bool operator==(const StateKey& o) const {
    return user == o.user && source == o.source && sku == o.sku;
  }
};

/// Hash of a StateKey.
struct StateKeyHash {
  size_t operator()(const StateKey& k) const {
    uint64_t h =
        (static_cast<uint64_t>(k.user) << 32) ^ (static_cast<uint64_t>(k.source) << 16) ^ k.sku;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return static_cast<size_t>(h);
  }
};

/// UserField::property of the user's manager (`manager.id`; not a UserProperty).
constexpr uint8_t kManagerField = 0xFF;

/// One attribute of a user that membership rules read and the core model does not keep
/// (department, jobTitle, extensionAttribute1, an otherMails item, a directory extension, the
/// manager...): texts interned in Tenant::attribute_text().
struct UserField {
  uint8_t property = 0;  ///< a UserProperty, or kManagerField
  uint32_t name = 0;     ///< kDirectoryExtension: its name as given; else 0
  uint32_t value = 0;    ///< the value ("true" / "false" for a boolean)
};

/// Where a user's fields are in Tenant::user_fields(): [begin, begin + count).
struct UserFieldRange {
  uint32_t begin = 0;
  uint32_t count = 0;
};

/// A user.
struct User {
  std::string id;
  std::string display_name;
  std::string upn;
  std::string usage_location;  ///< empty when not set
  std::string mail;
  bool account_enabled = true;
  bool deleted = false;  ///< in directory/deletedItems (DeletedUser), or deleted for good
  /// Tenant::user_details() index of the user's rule attributes (kNoId: none); fills padding,
  /// so a user without any costs nothing.
  uint32_t details = kNoId;
  std::vector<std::string> proxy_addresses;
  std::vector<Id> groups;               ///< groups the user is a direct member of, sorted
  std::vector<AssignmentState> states;  ///< sorted by (source, sku)
};

/// A deleted user as directory/deletedItems keeps it: what a restore brings back.
struct DeletedUser {
  int64_t deleted_ms = 0;                 ///< deletedDateTime
  std::vector<Id> groups;                 ///< groups the user was a direct member of, sorted
  std::vector<std::pair<Id, Id>> direct;  ///< direct licenses: (sku, assignment)
};

/// How long a deleted user can be restored (Graph: 30 days, then deleted permanently).
inline constexpr int64_t kRestoreWindowMs = 30LL * 24 * 3600 * 1000;

/// A group.
struct Group {
  std::string id;
  std::string display_name;
  std::string description;
  std::string membership_rule;
  /// The parsed membership_rule (null: none, or it does not parse: then rule_error says why).
  std::shared_ptr<const MembershipRule> rule;
  std::string rule_error;    ///< the parse error of membership_rule ("" when it parses)
  bool rule_paused = false;  ///< membershipRuleProcessingState "Paused" (members stay as they are)
  /// At load: the listed members that the rule does not give, and the rule's members that the
  /// document did not list (a stale export); both 0 when they agreed.
  uint32_t stale_listed_only = 0, stale_rule_only = 0;
  bool security_enabled = true;
  bool mail_enabled = false;
  bool deleted = false;
  /// Named by users' states but not in the document (a partial export, or a group deleted while a
  /// dependency kept its license): kept out of lists and the export, its states kept as they stand.
  bool external = false;
  std::vector<std::string> group_types;
  std::vector<Id> members;        ///< user members (first level), sorted ascending
  std::vector<Id> member_groups;  ///< nested group members (not licensed through this group)
  /// Members that are neither users nor groups (devices, contacts, service principals): kept
  /// for the export, never licensed. (id, @odata.type)
  std::vector<std::pair<std::string, std::string>> other_members;
  std::vector<Id> licenses;  ///< license template: assignments, sorted by SKU
  ProcessingState processing = ProcessingState::kComplete;
  uint32_t error_users = 0;  ///< members with an error from this group (computed)
};

/// Audit activities the engine writes.
enum class Activity : uint8_t {
  kSetGroupLicense,
  kStartApplying,
  kFinishApplying,
  kChangeUserLicense,
  kAddMember,
  kRemoveMember,
  kAddUser,
  kAddGroup,
  kDeleteGroup,
  kUpdateUser,
  kDeleteUser,
  kRestoreUser,
  kImported,  ///< an event read from the document, written back as it was
};

/// One audit event (directoryAudit), stored compactly.
struct AuditEvent {
  int64_t time_ms = 0;
  Activity activity = Activity::kImported;
  bool by_system = false;  ///< initiated by the group-based licensing actor
  Id user = kNoId;         ///< target user
  Id group = kNoId;        ///< target group (or the group behind a user license change)
  uint32_t succeeded = 0;  ///< Finish: users successfully assigned
  uint32_t failed = 0;     ///< Finish: users in error; Change user license: 1 for a failure
  uint32_t text = kNoId;   ///< index into Tenant::audit_text (details or raw imported JSON)
  uint32_t actor = kNoId;  ///< index into Tenant::audit_text (initiating admin UPN)
};

/// The background run of one group.
struct GroupRun {
  Id group = kNoId;
  std::vector<Id> members;  ///< snapshot of the members at pick-up
  size_t next = 0;
  uint32_t succeeded = 0;
  uint32_t failed = 0;
};

namespace load_detail {
class Loader;
}  // namespace load_detail
class Tenant;
void RecomputeCounters(Tenant* t);

/// What a journal saved to undo a run of changes (Tenant::BeginJournal / RollbackJournal): the
/// first-touched copy of each entity that changed, the sizes of the append-only tables, and the
/// scalars. Rolling back costs what changed, not the tenant.
struct Journal {
  size_t users = 0, groups = 0, skus = 0, assignments = 0, audit = 0, audit_text = 0;
  size_t violations = 0;
  size_t user_details = 0, user_fields = 0, attribute_text = 0;
  std::vector<std::pair<Id, User>> saved_users;
  /// A user whose states only were saved: they are saved_state_pool[from, from + count).
  struct SavedStates {
    Id user;
    size_t from, count;
  };
  std::vector<SavedStates> saved_states;          ///< states only, in the order saved
  std::vector<AssignmentState> saved_state_pool;  ///< their states, one run each
  /// The states a SavedStates names (valid until the next states are saved).
  StateSpan StatesOf(const SavedStates& s) const {
    return {saved_state_pool.data() + s.from, s.count};
  }
  std::vector<uint32_t> states_slot;  ///< user → index in saved_states (kNoId: not saved)
  std::vector<std::pair<Id, Group>> saved_groups;
  std::vector<std::pair<Id, Sku>> saved_skus;
  std::vector<bool> user_saved, group_saved, sku_saved;
  bool queue_saved = false, run_saved = false;
  std::deque<Id> queue;
  GroupRun run;
  std::unordered_map<StateKey, std::pair<bool, Violation>, StateKeyHash> evidence;  ///< had, was
  std::unordered_map<uint64_t, uint32_t> proxy_counts;       ///< first-seen count (0: absent)
  std::vector<std::pair<std::string, Id>> unindexed_groups;  ///< ids erased from group_index_
  std::vector<std::string> interned_keys;                    ///< assignment_index_ keys added
  std::vector<std::pair<Id, std::optional<DeletedUser>>> deleted_before;  ///< in change order
  bool rules_saved = false;  ///< a profile switch: plans, families, options as they were
  std::vector<Plan> plans;
  std::vector<std::string> family_names;
  std::vector<Assignment> assignments_before;
  std::string rules_profile;
  bool rules_from_document = false;
  // Scalars.
  size_t shared_proxies = 0;
  int64_t now_ms = 0;
  std::string actor, audit_actor_cache;
  uint32_t audit_actor_index = kNoId;
  uint64_t id_counter = 0;
};

/// The whole tenant. Its tables are private: they change only through the methods below, which
/// keep the indices, counters and the journal in step (the loader, which builds a tenant before
/// anyone sees it, is the one friend). Scalars stay public; a journal restores them by value.
class Tenant {
 public:
  std::string org_id;
  std::string org_name;
  std::string country;  ///< countryLetterCode: stands in for users without a usage location
  bool rules_from_document = false;         ///< the document listed its mutuallyExclusive families
  std::vector<std::string> load_warnings;   ///< what the load ignored or changed ("ignored: …")
  bool dependencies_from_document = false;  ///< the document listed licensingRules.dependencies
  std::string rules_profile = "current";    ///< the rule profile in force (RulesProfileNames)

  int64_t now_ms = 1796112000000;  ///< 2026-12-01T00:00:00Z until SetNow
  std::string actor = "admin@contoso.com";
  std::string audit_actor_cache;       ///< actor of the last admin event
  uint32_t audit_actor_index = kNoId;  ///< its audit_text index
  uint64_t id_counter = 0;             ///< for ids of created objects

  // Reading.
  /// Service plans, by dense id.
  const std::vector<Plan>& plans() const { return plans_; }
  /// Lower-cased servicePlanId → plan.
  const std::unordered_map<std::string, Id>& plan_index() const { return plan_index_; }
  /// Names of the mutual-exclusion families.
  const std::vector<std::string>& family_names() const { return family_names_; }
  /// Subscribed SKUs, by dense id.
  const std::vector<Sku>& skus() const { return skus_; }
  /// Lower-cased skuId → SKU.
  const std::unordered_map<std::string, Id>& sku_index() const { return sku_index_; }
  /// Users, by dense id.
  const std::vector<User>& users() const { return users_; }
  /// User object id → user.
  const IdIndex& user_index() const { return user_index_; }
  /// Groups, by dense id (deleted ones stay, flagged).
  const std::vector<Group>& groups() const { return groups_; }
  /// Group object id → group (deleted groups are not found).
  const IdIndex& group_index() const { return group_index_; }
  /// Interned (SKU, disabled plans) pairs.
  const std::vector<Assignment>& assignments() const { return assignments_; }
  /// Holders per proxy address, keyed by HashLower (a 64-bit collision, about 1 in 10^7 for a
  /// million addresses, could only report a duplicate that is not there).
  const CountTable& proxy_count() const { return proxy_count_; }
  /// Addresses held by more than one object (0: no lookups needed).
  size_t shared_proxies() const { return shared_proxies_; }
  /// Groups waiting for background processing, in order.
  const std::deque<Id>& queue() const { return queue_; }
  /// The group being processed (run().group == kNoId when none).
  const GroupRun& run() const { return run_; }
  /// Audit events, oldest first.
  const std::vector<AuditEvent>& audit() const { return audit_; }
  /// Audit texts (details, raw imported events, actors).
  const std::vector<std::string>& audit_text() const { return audit_text_; }
  /// The evidence of a state in error, or nullptr (none recorded, or the state has no error).
  const Violation* EvidenceOf(Id user, const AssignmentState& s) const;

  // Changing (journaled while a journal is open).
  /// The user, to change.
  User& MutableUser(Id u);
  /// The user, to change its license states only (group processing): the journal then saves
  /// just the states, not the whole user. Nothing but `states` may be changed through it.
  User& MutableUserStates(Id u);
  /// The group, to change.
  Group& MutableGroup(Id g);
  /// The groups that have a parsed membership rule (in force or not), ascending: what a user's
  /// change re-evaluates, without reading every group. Rebuilt on use after NoteRulesChanged, a
  /// rollback, or a change in the number of groups.
  const std::vector<Id>& GroupsWithRules() const;
  /// Says a group's rule was set or cleared.
  void NoteRulesChanged() { ++rules_changed_; }
  /// The SKU, to change.
  Sku& MutableSku(Id s);
  /// The processing queue, to change.
  std::deque<Id>& MutableQueue();
  /// The current group run, to change.
  GroupRun& MutableRun();
  /// Adds a user (its id must be new) and indexes its id; returns its dense id.
  Id AddUser(User user);
  /// The user whose userPrincipalName is `upn` in any letter case, or kNoId; deleted users
  /// (directory/deletedItems) count only with `include_deleted`. Indexed on first use, then
  /// users added later are indexed as they are looked for, so a batch of creates stays linear.
  Id FindUpn(std::string_view upn, bool include_deleted) const;
  /// Adds a group (its id must be new) and indexes its id; returns its dense id.
  Id AddGroup(Group group);
  /// Takes a (deleted) group's id out of the index.
  void UnindexGroup(Id g);
  /// Puts (or, with nullopt, takes) a user in directory/deletedItems.
  void SetDeletedUser(Id u, std::optional<DeletedUser> entry);
  /// Users in directory/deletedItems, by dense id.
  const std::unordered_map<Id, DeletedUser>& deleted_users() const { return deleted_users_; }
  /// Appends an audit event as given.
  void AppendAudit(AuditEvent e);
  /// Interns a violation; returns the value for AssignmentState::evidence (kEvidenceOverflow
  /// when the table is full: then SetEvidence keeps it by state).
  uint16_t InternViolation(const Violation& v);
  /// Records the evidence of a state whose `evidence` is kEvidenceOverflow.
  void SetEvidence(const StateKey& key, const Violation& v);
  /// Forgets the evidence kept by state (its error cleared or the state went away).
  void EraseEvidence(const StateKey& key);
  /// Interned violations (index 0: none).
  const std::vector<Violation>& violations() const { return violations_; }

  /// Users' rule attribute ranges (User::details), append-only while a journal is open.
  const std::vector<UserFieldRange>& user_details() const { return user_details_; }
  /// Users' rule attributes, by range.
  const std::vector<UserField>& user_fields() const { return user_fields_; }
  /// Interned attribute texts (index 0: "").
  const std::deque<std::string>& attribute_text() const { return attribute_text_; }
  /// Interns an attribute text.
  uint32_t InternAttribute(std::string_view text);
  /// Stores a user's rule attributes (sorted here into their canonical order) and returns the
  /// User::details value for them (kNoId when there are none).
  uint32_t StoreUserFields(std::vector<UserField> fields);

  /// Starts recording every change so that RollbackJournal can undo them exactly; replaces an
  /// open journal (whose changes are then kept).
  void BeginJournal();
  /// Undoes every change since BeginJournal: the tenant is as it was (the same export, byte for
  /// byte); false when no journal is open.
  bool RollbackJournal();
  /// Keeps the changes and closes the journal; false when none is open.
  bool CommitJournal();
  /// True while a journal records.
  bool JournalOpen() const { return journal_ != nullptr; }
  /// The open journal (what was saved since BeginJournal), or nullptr.
  const Journal* OpenJournal() const { return journal_.get(); }

  /// Interns (sku, disabled plans); disabled must be sorted and unique.
  Id InternAssignment(Id sku, std::vector<Id> disabled);
  /// Recomputes an assignment's rule-derived fields from the plans' current rules.
  void DeriveAssignment(Assignment* a) const;
  /// The plan's index, or kNoId.
  Id FindPlan(std::string_view id) const;
  /// The usage location that applies to a user (the tenant's when the user has none).
  const std::string& LocationOf(const User& user) const;
  /// True when any of the user's proxy addresses is also held by another object.
  bool HasDuplicateProxy(const User& user) const;
  /// Adds or removes a user's proxy addresses from the uniqueness index.
  void IndexProxies(const User& user, int delta);
  /// Stores an audit text and returns its index.
  uint32_t AuditText(std::string text);
  /// Records an audit event at the current time.
  void Audit(Activity activity, bool by_system, Id user, Id group, uint32_t text = kNoId);
  /// Records the service's failed "Change user license" for a user the group could not license,
  /// with the violation's reason as its resultReason.
  void AuditLicenseFailure(Id user, Id group, uint16_t evidence, const Violation& why);
  /// Formats milliseconds since the epoch as an ISO-8601 UTC time ("2026-12-01T00:00:00Z").
  static std::string FormatTime(int64_t ms);
  /// Room FormatTimeTo needs.
  static constexpr size_t kTimeTextMax = 40;
  /// FormatTime into `out` (kTimeTextMax bytes); returns the length.
  static size_t FormatTimeTo(int64_t ms, char* out);
  /// Parses an ISO-8601 UTC time; false when malformed.
  static bool ParseTime(std::string_view text, int64_t* ms);
  /// Fills catalogue names, default rules and plan flags; call after loading SKUs and rules.
  void ApplyCatalogue();
  /// Puts a rule profile's exclusion families in force (replacing the current ones) and
  /// re-derives every license option; the caller re-evaluates the users. False when unknown.
  bool SetRulesProfile(std::string_view name);
  /// Makes a new object id (GUID-shaped, deterministic per tenant).
  std::string NewObjectId();

 private:
  friend class load_detail::Loader;
  friend void RecomputeCounters(Tenant* t);

  /// Adds the exclusion families of rules_profile (after those already there).
  void AddProfileFamilies();
  /// Adds DefaultDependencies() for the plans this tenant has: the prerequisites it owns; when it
  /// owns none, the ones the docs name, as unowned (the rule can then never be met).
  void AddDefaultDependencies();

  std::vector<Plan> plans_;
  std::unordered_map<std::string, Id> plan_index_;
  std::vector<std::string> family_names_;
  std::vector<Sku> skus_;
  std::unordered_map<std::string, Id> sku_index_;
  std::vector<User> users_;
  IdIndex user_index_;
  std::vector<Group> groups_;
  mutable std::vector<Id> ruled_groups_;      ///< GroupsWithRules, as last built
  mutable uint64_t ruled_at_ = ~uint64_t{0};  ///< rules_changed_ when it was built
  mutable size_t ruled_group_count_ = 0;      ///< groups_.size() when it was built
  uint64_t rules_changed_ = 0;                ///< NoteRulesChanged and rollbacks
  IdIndex group_index_;
  std::vector<Assignment> assignments_;
  std::unordered_map<std::string, Id> assignment_index_;
  CountTable proxy_count_;
  // HashLower(upn) -> user, for the users [0, upn_indexed_) (append-only: a rolled-back user's
  // entry is told apart by its id beyond the end or its different UPN).
  mutable std::unordered_multimap<uint64_t, Id> upn_index_;
  mutable size_t upn_indexed_ = 0;
  size_t shared_proxies_ = 0;
  std::deque<Id> queue_;
  GroupRun run_;
  std::vector<AuditEvent> audit_;
  std::vector<std::string> audit_text_;
  std::vector<Violation> violations_ = std::vector<Violation>(1);
  std::unordered_map<Violation, uint16_t, ViolationHash> violation_index_;
  uint16_t last_violation_ = 0;  ///< the last one interned (consecutive users often share it)
  std::unordered_map<std::string, uint32_t> failure_text_;  ///< reason → audit text (derived)
  std::vector<uint32_t> violation_text_;  ///< interned violation → its audit text (derived)
  std::unordered_map<StateKey, Violation, StateKeyHash> evidence_;  ///< overflow only
  std::vector<UserFieldRange> user_details_;
  std::vector<UserField> user_fields_;
  std::deque<std::string> attribute_text_ = std::deque<std::string>(1);  // stable addresses
  std::unordered_map<std::string_view, uint32_t> attribute_index_;       // views of attribute_text_
  std::unordered_map<Id, DeletedUser> deleted_users_;
  std::unique_ptr<Journal> journal_;
  /// The states-only tables of the last journal, emptied and kept for the next one: a preview
  /// saves 100K users' states, and growing these again each time costs more than the copies.
  struct JournalRoom {
    std::vector<Journal::SavedStates> saved_states;
    std::vector<AssignmentState> saved_state_pool;
    std::vector<uint32_t> states_slot;  ///< every entry kNoId
  } journal_room_;
  /// Ends the open journal (rolled back or committed), keeping its room.
  void CloseJournal(std::unique_ptr<Journal> j);
};

/// Catalogue lookups (embedded Microsoft product and service plan catalogue).
struct CatalogProduct {
  std::string part_number;
  std::string display_name;
  std::vector<std::pair<std::string, std::string>> plans;  ///< (servicePlanId, servicePlanName)
  std::vector<std::string> friendly;  ///< friendly name of each plan, as listed for this product
};
/// The catalogue product with this skuId, or nullptr.
const CatalogProduct* FindCatalogProduct(std::string_view sku_id);
/// The catalogue friendly name of a plan id, or "".
std::string CatalogPlanFriendlyName(std::string_view plan_id);
/// The catalogue plan name of a plan id, or "".
std::string CatalogPlanName(std::string_view plan_id);
/// The 2017 exclusion families: (family, [plan ids]).
const std::vector<std::pair<std::string, std::vector<std::string>>>& CatalogExclusionFamilies();
/// A documented add-on prerequisite, used when a document gives no `licensingRules.dependencies`.
struct DefaultDependency {
  std::vector<std::string> plans;            ///< dependent servicePlanIds
  std::vector<std::string> requires_any_of;  ///< prerequisite servicePlanIds (one suffices)
  size_t named = 0;    ///< the first `named` prerequisites are the ones the docs name in words
  const char* source;  ///< where Microsoft documents it
};
/// The default add-on prerequisites (Workplace Analytics, Audio Conferencing).
const std::vector<DefaultDependency>& DefaultDependencies();
/// True when `name` is a rule profile ("current", "2017").
bool IsRulesProfile(std::string_view name);
/// The rule profiles' names, the default first.
std::vector<std::string> RulesProfileNames();
/// A profile's description in words ("" when unknown).
std::string RulesProfileDescription(std::string_view name);
/// The exclusion families of a profile (the 2017 list minus what it lifts).
std::vector<std::pair<std::string, std::vector<std::string>>> ProfileExclusionFamilies(
    std::string_view name);
/// Lower-cases ASCII.
std::string Lower(std::string_view s);
/// Upper-cases a usage location as Graph stores it; false unless it is empty or two ASCII letters
/// (an ISO 3166 alpha-2 code): the one check of the document, PATCH /users and POST /users.
bool NormalizeUsageLocation(std::string* location);
/// The items joined by ", ".
std::string JoinWords(const std::vector<std::string>& items);

}  // namespace gbl
