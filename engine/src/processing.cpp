// Background processing of queued groups, in chunks, with the service's audit events.
#include <algorithm>

#include "licensing.h"
#include "read_ahead.h"

namespace gbl {

void QueueGroup(Tenant* t, Id group) {
  if (std::find(t->queue().begin(), t->queue().end(), group) == t->queue().end()) {
    t->MutableQueue().push_back(group);
  }
  if (t->run().group != group && t->groups()[group].processing != ProcessingState::kQueued) {
    t->MutableGroup(group).processing = ProcessingState::kQueued;
  }
}

namespace {

bool UserFailedGroup(const User& u, Id g) {
  for (const auto& s : u.states) {
    if (s.source == g && s.state == StateKind::kError) return true;
  }
  return false;
}

void StartRun(Tenant* t, Id g) {
  Group& grp = t->MutableGroup(g);
  GroupRun& run = t->MutableRun();
  run = GroupRun{};
  run.group = g;
  run.members = grp.members;
  grp.processing = ProcessingState::kInProgress;
  // The change being applied: the group's license template at pick-up.
  std::string detail = "[";
  for (size_t i = 0; i < grp.licenses.size(); ++i) {
    const Assignment& a = t->assignments()[grp.licenses[i]];
    if (i) detail += ",";
    detail += "{\"SkuId\":\"" + t->skus()[a.sku].id + "\",\"DisabledPlans\":[";
    for (size_t j = 0; j < a.disabled.size(); ++j) {
      if (j) detail += ",";
      detail += "\"" + t->plans()[a.disabled[j]].id + "\"";
    }
    detail += "]}";
  }
  detail += "]";
  t->Audit(Activity::kStartApplying, true, kNoId, g, t->AuditText(std::move(detail)));
}

void FinishRun(Tenant* t, ProcessProgress* progress) {
  Id g = t->run().group;
  AuditEvent e;
  e.time_ms = t->now_ms;
  e.activity = Activity::kFinishApplying;
  e.by_system = true;
  e.group = g;
  e.succeeded = t->run().succeeded;
  e.failed = t->run().failed;
  t->AppendAudit(e);
  bool again = std::find(t->queue().begin(), t->queue().end(), g) != t->queue().end();
  t->MutableGroup(g).processing = again ? ProcessingState::kQueued : ProcessingState::kComplete;
  t->MutableRun() = GroupRun{};
  ++progress->groups_completed;
}

}  // namespace

ProcessProgress CurrentProgress(const Tenant& t) {
  ProcessProgress p;
  p.queued_groups = t.queue().size();
  if (t.run().group != kNoId) {
    const Group& g = t.groups()[t.run().group];
    p.group_id = g.id;
    p.group_name = g.display_name;
    p.processed = t.run().next;
    p.total = t.run().members.size();
  }
  p.done = t.run().group == kNoId && t.queue().empty();
  return p;
}

ProcessProgress RunChunk(Tenant* t, size_t max_users) {
  ProcessProgress progress;
  size_t budget = max_users == 0 ? 1 : max_users;
  while (budget > 0) {
    if (t->run().group == kNoId) {
      if (t->queue().empty()) break;
      Id g = t->queue().front();
      t->MutableQueue().pop_front();
      if (t->groups()[g].deleted) continue;
      StartRun(t, g);
    }
    GroupRun& run = t->MutableRun();
    const Group& grp = t->groups()[run.group];
    // The members now, walked beside the snapshot (both sorted; evaluation does not change them).
    const std::vector<Id>& now = grp.members;
    auto at = run.next < run.members.size()
                  ? std::lower_bound(now.begin(), now.end(), run.members[run.next])
                  : now.end();
    ReadAhead ahead;
    while (run.next < run.members.size() && budget > 0) {
      // The members' records are scattered in memory: ask for their states and records ahead.
      const std::vector<User>& users = t->users();
      ahead.Batch(
          run.next, run.members.size(),
          [&](size_t k) { ahead.Touch(users[run.members[k]].states.data()); },
          [&](size_t k) { ahead.TouchRecord(&users[run.members[k]], sizeof(User)); });
      Id u = run.members[run.next++];
      --budget;
      // A member removed since pick-up was already re-evaluated by the removal.
      while (at != now.end() && *at < u) ++at;
      if (at == now.end() || *at != u) continue;
      if (EvaluateGroupOnly(t, u, run.group, true)) {
        t->Audit(Activity::kChangeUserLicense, true, u, run.group);
      }
      if (grp.licenses.empty() || !Licensable(grp)) {
        ++run.succeeded;
      } else if (UserFailedGroup(t->users()[u], run.group)) {
        ++run.failed;
        // The service's failed "Change user license", naming the reason of the product at fault.
        for (const auto& s : t->users()[u].states) {
          if (s.source != run.group || s.error == ErrorKind::kNone) continue;
          if (s.error == ErrorKind::kOther && grp.licenses.size() > 1) continue;
          if (const Violation* why = t->EvidenceOf(u, s)) {
            t->AuditLicenseFailure(u, run.group, s.evidence, *why);
            break;
          }
        }
      } else {
        ++run.succeeded;
      }
    }
    if (run.next >= run.members.size()) FinishRun(t, &progress);
  }
  ProcessProgress now = CurrentProgress(*t);
  now.groups_completed = progress.groups_completed;
  return now;
}

}  // namespace gbl
