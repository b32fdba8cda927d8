// Public API of the group-based licensing engine. Plain C++17; strings in, strings out, no throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gbl/result.h"

namespace gbl {

class Tenant;
class DocumentLoad;
class ExportAssembler;
class DocumentWriter;

/// Counts describing a loaded tenant.
struct LoadSummary {
  /// Number of users read.
  size_t users = 0;
  /// Number of groups read.
  size_t groups = 0;
  /// Number of subscribed SKUs read.
  size_t skus = 0;
  /// Number of user-in-group memberships read.
  size_t memberships = 0;
  /// Number of groups queued for background processing after the load.
  size_t queued_groups = 0;
  /// Group members that are neither users nor groups (devices, contacts, service principals):
  /// kept as members, never licensed.
  size_t other_members = 0;
  /// What the load ignored or changed, in words (e.g. "ignored: Foo, Bar"); empty when nothing.
  std::vector<std::string> warnings;
};

/// One file of an export given as many files (an EntraExporter folder tree, or section files).
struct ExportFile {
  /// Its path, '/' or '\\' separated, from anywhere above the export's root
  /// ("EntraBackup/Users/<id>/<id>.json", or "users.json").
  std::string path;
  /// Its bytes (any encoding LoadDocument reads); the caller keeps them alive during the call.
  std::string_view bytes;
};

/// Where background processing stands.
struct ProcessProgress {
  /// Object id of the group being processed, empty when idle.
  std::string group_id;
  /// Display name of that group.
  std::string group_name;
  /// Members of that group processed so far in this run.
  size_t processed = 0;
  /// Members of that group to process in this run.
  size_t total = 0;
  /// Groups still waiting in the queue (the current one excluded).
  size_t queued_groups = 0;
  /// Groups finished by this call.
  size_t groups_completed = 0;
  /// True when nothing is left to process.
  bool done = true;
  /// True when a progress callback asked to stop.
  bool cancelled = false;
};

/// What an export writes beyond the tenant itself (both are large on big tenants).
struct ExportOptions {
  /// Users' computed `assignedPlans` (one entry per enabled plan: ~12 kB for an E3 + EMS user).
  bool assigned_plans = true;
  /// The `directoryAudits` section.
  bool audit = true;
};

/// Holds one tenant and reproduces Entra ID group-based licensing on it.
class Engine {
 public:
  /// Starts with an empty tenant (no users, groups or SKUs).
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Replaces the tenant with a Graph-shaped tenant document; on failure the current tenant stays.
  Result<LoadSummary> LoadDocument(std::string_view json_text);
  /// Starts reading a tenant document in pieces (drops one under way): FeedLoad each piece, then
  /// FinishLoad. `size_hint`: the document's size when known (0 when not). Only the model and
  /// the value being read are held, never the whole document. The tenant stays until FinishLoad.
  void BeginLoad(size_t size_hint = 0);
  /// Reads the next piece of any size (it may end inside a token); BadRequest without BeginLoad.
  /// After the first failure the load is over and the call returns that error.
  Result<Unit> FeedLoad(std::string_view piece);
  /// Ends the document: the same tenant, or the same error, as LoadDocument on the whole text;
  /// on failure the current tenant stays.
  Result<LoadSummary> FinishLoad();
  /// Drops the load under way (if any); the tenant stays.
  void CancelLoad();
  /// Bytes fed to the load under way (0 when none).
  size_t LoadedBytes() const;
  /// Replaces the tenant with an export given as many files: EntraExporter's tree (Organization,
  /// SubscribedSkus, Users, Groups with their Members) or section files (users.json, groups.json,
  /// subscribedSkus.json, organization.json). Errors name the file; on failure the tenant stays.
  Result<LoadSummary> LoadExportFiles(const std::vector<ExportFile>& files);
  /// Starts reading an export given as many files, one file at a time (LoadExportFiles without
  /// holding them all): from the paths alone, the indices of the files to read, in the order to
  /// feed them to FeedExportFile; then FinishExportFiles. CancelLoad drops it.
  Result<std::vector<size_t>> BeginExportFiles(std::vector<std::string> paths);
  /// Reads the next file of that order (its bytes, in any encoding LoadDocument reads).
  Result<Unit> FeedExportFile(std::string_view bytes);
  /// After the last file: replaces the tenant on success; on failure the tenant stays.
  Result<LoadSummary> FinishExportFiles();
  /// Replaces the tenant with the built-in sample (the seed's Contoso scenario).
  Result<LoadSummary> LoadSample();
  /// Writes the tenant with its computed fields as a Graph-shaped JSON document.
  std::string ExportDocument() const;
  /// Same, leaving out what the options turn off.
  std::string ExportDocument(const ExportOptions& options) const;
  /// Streams the document to `sink` in pieces of about 1 MiB (the whole text is never held);
  /// `sink` may return false to stop. Returns false when stopped.
  bool ExportDocument(const ExportOptions& options,
                      const std::function<bool(std::string_view)>& sink) const;

  /// Starts writing the document in parts (drops one under way): ExportNext until it says done.
  /// Between parts the caller may do other work (read messages, show progress); any change to
  /// the tenant (a load, a batch, processing, a rollback) drops the export.
  void BeginExport(const ExportOptions& options);
  /// Writes the next part of the document to `sink` in pieces of about 1 MiB (or `min_bytes`
  /// when smaller), at least
  /// `min_bytes` unless the document ends first: true when it is complete. BadRequest without
  /// BeginExport or when the tenant changed since; Cancelled when `sink` returned false.
  Result<bool> ExportNext(size_t min_bytes, const std::function<bool(std::string_view)>& sink);
  /// Drops the export under way (if any).
  void CancelExport();

  /// Applies a Graph JSON batch; returns the batch response `{"responses":[...]}` as JSON text.
  /// Fails only when the batch itself is not a batch; each request gets its own status.
  Result<std::string> ApplyBatch(std::string_view batch_json);

  /// The planner's preview: applies the batch, runs the processing that follows, and returns
  /// the effect (`{"users":[...],"skus":[...],"groups":[...],"requests":[...]}`, README: plan),
  /// then undoes it all: the tenant is left exactly as it was. BadRequest while a journal is open;
  /// a batch that is not a batch fails as in ApplyBatch.
  Result<std::string> PlanChanges(std::string_view batch_json);
  /// The same for several batches applied in order (a plan longer than Graph's 20 requests a
  /// batch); `requests` lists every batch's responses in order. The users listed are a page:
  /// by id, from `user_offset`, at most `user_limit` (`summary` counts them all: a change may
  /// touch 1M users).
  Result<std::string> PlanChanges(const std::vector<std::string>& batches,
                                  size_t user_limit = SIZE_MAX, size_t user_offset = 0);

  /// Processes queued groups for at most `max_users` user evaluations; call again until done.
  ProcessProgress ProcessChunk(size_t max_users);
  /// Processes until the queue is empty; `on_progress` is called between chunks and may return
  /// false to stop cooperatively (the queue keeps what is left).
  ProcessProgress ProcessAll(const std::function<bool(const ProcessProgress&)>& on_progress = {},
                             size_t chunk_users = 2048);
  /// True while groups wait for (or are in) background processing.
  bool HasPendingWork() const;

  /// Answers a console query given as JSON (`{"query":"products"}` ...); returns JSON text.
  Result<std::string> Query(std::string_view query_json) const;

  /// Sets the clock for audit events and state timestamps (milliseconds since the Unix epoch).
  void SetNow(int64_t unix_ms);
  /// Sets the name recorded as initiator of admin changes (default "admin@contoso.com").
  void SetActor(std::string_view user_principal_name);

  /// Starts a journal: every change from now on (batches, processing, the clock) can be undone
  /// exactly by RollBack, or kept by Commit. The planner previews a change this way. Loading a
  /// document drops an open journal (the loaded tenant replaces everything).
  void BeginJournal();
  /// Undoes every change since BeginJournal, in time proportional to what changed; the tenant
  /// exports byte for byte as before. A BadRequest error when no journal is open.
  Result<Unit> RollBack();
  /// Keeps the changes since BeginJournal and closes the journal; BadRequest when none is open.
  Result<Unit> Commit();
  /// True while a journal is open.
  bool JournalOpen() const;

  /// Read access to the tenant model (for tests and benchmarks).
  const Tenant& GetTenant() const;

 private:
  /// Makes `next` the tenant (keeping the clock and actor) and describes it.
  LoadSummary Replace(std::unique_ptr<Tenant> next);

  std::unique_ptr<Tenant> tenant_;
  std::unique_ptr<DocumentLoad> load_;
  std::unique_ptr<Error> load_error_;
  /// Drops the export under way because the tenant changes (ExportNext then says so).
  void InterruptExport();

  std::unique_ptr<DocumentWriter> export_;  ///< the export under way, written part by part
  bool export_interrupted_ = false;         ///< the tenant changed during the last export
  std::unique_ptr<ExportAssembler> files_;  ///< an export read file by file  ///< why the load
                                            ///< under way failed (its model is freed)
};

/// The built-in sample tenant document (the seed's Contoso), as JSON text.
std::string SampleTenantDocument();

/// Shape of a synthetic tenant for benchmarks and property tests.
struct SyntheticOptions {
  /// Number of users.
  size_t users = 1000;
  /// Number of groups.
  size_t groups = 10;
  /// Number of subscribed SKUs (drawn from the catalogue).
  size_t skus = 5;
  /// Average number of group memberships per user.
  double memberships_per_user = 5.0;
  /// Fraction of groups that carry licenses.
  double licensed_group_fraction = 0.2;
  /// Seats per SKU as a multiple of the users that could need it (below 1 forces CountViolation).
  double seat_ratio = 1.2;
  /// Fraction of users with a direct assignment.
  double direct_fraction = 0.05;
  /// Seed of the pseudo-random generator; the same seed gives the same document.
  uint64_t seed = 1;
  /// Users as a real beta `GET /users` returns them (~4.5 KB each: assignedPlans,
  /// provisionedPlans, identities, on-premises and contact properties), most of it bytes the
  /// loader skips; off: the lean users of the licensing model (~0.3 KB).
  bool real_shaped = false;
  /// With N > 0 (and lean users): every user has a department, N of them (spread evenly)
  /// "Sales", and one more group, dynamic ("DynamicMembership", membershipRule
  /// `user.department -eq "Sales"`, On) and licensed with the first product, lists those N.
  /// 0: none of it (the document byte for byte as without the option).
  size_t dynamic_members = 0;
};

/// Generates a synthetic tenant document (no computed states: every licensed group is queued).
std::string GenerateSyntheticTenant(const SyntheticOptions& options);

}  // namespace gbl
