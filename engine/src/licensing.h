// Internal licensing operations shared by the engine's entry points.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gbl/engine.h"
#include "gbl/result.h"
#include "json_writer.h"
#include "tenant.h"

namespace gbl {

/// Why a user is evaluated: what the service does differs (licensing-groups-resolve-problems.md).
enum class Evaluation {
  kUserChange,  ///< a change to the user: a removal a dependency blocked is not retried
  kReprocess,   ///< reprocessLicenseAssignment: everything is tried again
  kFromScratch  ///< a rules change: as kReprocess, each group against direct licenses and the
                ///< groups before it only
};

/// Re-evaluates a user's group-based assignments: drops states of groups the user no longer gets
/// (unless a dependency blocks it; a blocked removal is retried only on kReprocess/kFromScratch),
/// then tries every licensed group (only `only_group` when given) all-or-nothing. Returns true
/// when the user's effective licenses changed.
bool EvaluateUser(Tenant* t, Id user, Id only_group, Evaluation how = Evaluation::kUserChange);
/// Evaluates one user against one group only (background processing); `member` says whether
/// the user is a member of the group. Returns true when the user's held licenses changed.
bool EvaluateGroupOnly(Tenant* t, Id user, Id group, bool member);
/// Inserts a state keeping the user's (source, sku) order; returns its index.
size_t InsertState(User* u, const AssignmentState& st);
/// The groups whose states of this user are in error (sorted, once each).
void ErrorGroups(const User& u, std::vector<Id>* out);
/// True when the user holds the product through any source other than `except_source`.
bool HoldsSku(const User& u, Id sku, Id except_source);
/// The user's effective licenses: (sku, assignment of the merged disabled plans), sorted.
std::vector<std::pair<Id, std::vector<Id>>> EffectiveLicenses(const Tenant& t, const User& u);
/// True when the group carries licenses that the service applies (security-enabled, not deleted).
bool Licensable(const Group& g);
/// Queues a group for background processing (once).
void QueueGroup(Tenant* t, Id group);
/// Runs background processing for at most max_users user evaluations.
ProcessProgress RunChunk(Tenant* t, size_t max_users);
/// Describes the current processing position.
ProcessProgress CurrentProgress(const Tenant& t);
/// Applies a Graph batch; returns the response document as JSON text.
Result<std::string> ApplyBatchText(Tenant* t, std::string_view batch_json);
/// The effect of the changes made since the open journal began (the planner's preview), as the
/// JSON object `cli.mjs plan` prints; `responses` are the batch responses of the changes; the
/// changed users (by id) from `user_offset` are listed, at most `user_limit`; the summary counts
/// them all.
std::string PlanEffectJson(const Tenant& t, const std::vector<std::string>& responses,
                           size_t user_limit, size_t user_offset = 0);
/// Graph's assignedPlan.service for a plan: the workload it belongs to, by plan-name prefix (as
/// Graph reports them in users' assignedPlans); a plan not in the table keeps its own name.
std::string ServiceOfPlan(const std::string& plan);
/// Answers a console query.
Result<std::string> RunQuery(const Tenant& t, std::string_view query_json);
/// The plans' ids as a JSON array of strings (`["<servicePlanId>", ...]`).
std::string PlanIdsJson(const Tenant& t, const std::vector<Id>& plans);
/// Writes the tenant document part by part (the export can stop between objects and go on).
class DocumentWriter {
 public:
  /// Writes `t` (which must not change until the document is done).
  DocumentWriter(const Tenant& t, const ExportOptions& options);
  ~DocumentWriter();
  DocumentWriter(const DocumentWriter&) = delete;
  DocumentWriter& operator=(const DocumentWriter&) = delete;
  /// Writes on, in pieces of about 1 MiB (or min_bytes when smaller) to `sink`, until at least
  /// `min_bytes` went out or the document ends; false when the sink stopped it.
  bool Write(size_t min_bytes, const std::function<bool(std::string_view)>& sink);
  /// True when the whole document was written.
  bool Done() const;

 private:
  enum class Phase { kHead, kUsers, kDeleted, kGroupsHead, kGroups, kAudits, kTail, kDone };
  const Tenant& t_;
  ExportOptions options_;
  std::string out_;  // the piece being written (with the writer's room after it)
  JsonWriter w_;
  Phase phase_ = Phase::kHead;
  size_t index_ = 0;  // the next user, group or audit event of the phase

 public:
  /// What a document repeats for every user, written once: each assignment's disabledPlans
  /// array, each product's and group's id as a JSON string, and the last time written.
  struct Repeats {
    std::vector<std::string> disabled, sku_ids, group_ids;  ///< "" until first written
    int64_t time_ms = 0;
    std::string time_text;  ///< time_ms as a JSON string ("" when none yet)
    /// `["<plan id>", ...]` of assignment a.
    std::string_view Disabled(const Tenant& t, Id a);
    /// `"<id>"` of product s, of group g.
    std::string_view SkuId(const Tenant& t, Id s);
    std::string_view GroupId(const Tenant& t, Id g);
    /// The time as FormatTimeTo writes it, quoted.
    std::string_view QuotedTime(int64_t ms);
  };

 private:
  Repeats repeats_;
};

/// Writes the tenant document.
std::string WriteTenant(const Tenant& t, const ExportOptions& options);
/// Writes the tenant document in pieces to `sink`; false when the sink stopped it.
bool WriteTenant(const Tenant& t, const ExportOptions& options,
                 const std::function<bool(std::string_view)>& sink);
/// One audit event as a Graph directoryAudit JSON object.
std::string AuditEventJson(const Tenant& t, size_t index);
/// The activityDisplayName of an audit event.
std::string AuditActivityName(const Tenant& t, const AuditEvent& e);

}  // namespace gbl
