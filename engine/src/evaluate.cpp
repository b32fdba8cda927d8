// Evaluation of one user's group-based assignments: the licensing rules of spec §2.
#include <algorithm>

#include "licensing.h"
#include "rules.h"

namespace gbl {

namespace {

bool StateLess(const AssignmentState& a, Id source, Id sku) {
  return a.source != source ? a.source < source : a.sku < sku;
}

/// Index of the state (source, sku) or -1.
long FindState(const User& u, Id source, Id sku) {
  auto it = std::lower_bound(u.states.begin(), u.states.end(), std::make_pair(source, sku),
                             [](const AssignmentState& s, const std::pair<Id, Id>& key) {
                               return StateLess(s, key.first, key.second);
                             });
  if (it == u.states.end() || it->source != source || it->sku != sku) return -1;
  return static_cast<long>(it - u.states.begin());
}

}  // namespace

size_t InsertState(User* u, const AssignmentState& st) {
  auto it = std::lower_bound(u->states.begin(), u->states.end(), std::make_pair(st.source, st.sku),
                             [](const AssignmentState& s, const std::pair<Id, Id>& key) {
                               return StateLess(s, key.first, key.second);
                             });
  it = u->states.insert(it, st);
  return static_cast<size_t>(it - u->states.begin());
}

namespace {

/// Enabled plans of every holding state, except those of `except_source` and of index `skip`.
void CollectEnabled(const Tenant& t, const User& u, Id except_source, long skip,
                    std::vector<Id>* out) {
  out->clear();
  for (size_t i = 0; i < u.states.size(); ++i) {
    const AssignmentState& s = u.states[i];
    if (static_cast<long>(i) == skip || s.source == except_source || !s.Holds()) continue;
    const auto& en = t.assignments()[s.assignment].enabled;
    out->insert(out->end(), en.begin(), en.end());
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

/// Removes the state at idx unless another enabled plan depends on one it provides.
/// Returns true when the state was removed; *changed is set when a held license went away.
bool TryRemoveState(Tenant* t, User* u, size_t idx, bool* changed) {
  AssignmentState& s = u->states[idx];
  const Id user = static_cast<Id>(u - t->users().data());
  if (!s.Holds()) {
    if (s.evidence == kEvidenceOverflow) t->EraseEvidence(StateKey{user, s.source, s.sku});
    u->states.erase(u->states.begin() + static_cast<long>(idx));
    return true;
  }
  static thread_local std::vector<Id> remaining;
  CollectEnabled(*t, *u, kNoId, static_cast<long>(idx), &remaining);
  const auto& mine = t->assignments()[s.assignment].enabled;
  for (Id r : remaining) {
    const auto& req = t->plans()[r].requires_any_of;
    if (req.empty()) continue;
    bool satisfied_after = false, provided_here = false;
    for (Id q : req) {
      satisfied_after =
          satisfied_after || std::binary_search(remaining.begin(), remaining.end(), q);
      provided_here = provided_here || std::binary_search(mine.begin(), mine.end(), q);
    }
    if (!satisfied_after && provided_here) {
      if (s.state != StateKind::kActiveWithError || s.error != ErrorKind::kDependencyViolation) {
        s.state = StateKind::kActiveWithError;
        s.error = ErrorKind::kDependencyViolation;
        s.updated_ms = t->now_ms;
      }
      // Evidence: the plan that still needs this state, and the prerequisite it provides.
      Violation v;
      v.kind = ErrorKind::kDependencyViolation;
      v.sku = s.sku;
      v.plan = r;
      for (Id q : req) {
        if (std::binary_search(mine.begin(), mine.end(), q)) {
          v.other_plan = q;
          break;
        }
      }
      s.evidence = t->InternViolation(v);
      if (s.evidence == kEvidenceOverflow) t->SetEvidence(StateKey{user, s.source, s.sku}, v);
      return false;
    }
  }
  Id sku = s.sku;
  Id source = s.source;
  const bool overflow = s.evidence == kEvidenceOverflow;
  u->states.erase(u->states.begin() + static_cast<long>(idx));
  if (overflow) t->EraseEvidence(StateKey{user, source, sku});
  if (!HoldsSku(*u, sku, kNoId)) --t->MutableSku(sku).consumed;
  *changed = true;
  return true;
}

/// Applies group g to the user all-or-nothing; returns true when a held license changed.
bool AssignGroup(Tenant* t, User* u, Id g, bool from_scratch = false) {
  bool changed = false;
  const Group& grp = t->groups()[g];
  std::optional<Violation> violation =
      CheckAssignment(*t, *u, g, grp.licenses, nullptr, from_scratch);
  const Id user = static_cast<Id>(u - t->users().data());
  for (Id a : grp.licenses) {
    Id sku = t->assignments()[a].sku;
    // All or nothing: the product at fault carries the reason; the group's other products,
    // not assigned because of it, carry Other ("the result of an error with another license
    // assigned by the same group", licensing-groups-resolve-problems.md).
    ErrorKind err = ErrorKind::kNone;
    Violation why;
    if (violation) {
      why = *violation;
      if (sku != violation->sku) {
        why = Violation{};
        why.kind = ErrorKind::kOther;
        why.sku = sku;
        why.other_sku = violation->sku;
        why.other_source = g;
      }
      err = why.kind;
    }
    const uint16_t evidence = violation ? t->InternViolation(why) : 0;
    if (evidence == kEvidenceOverflow) t->SetEvidence(StateKey{user, g, sku}, why);
    long idx = FindState(*u, g, sku);
    StateKind want = err == ErrorKind::kNone ? StateKind::kActive : StateKind::kError;
    if (idx < 0) {
      AssignmentState st;
      st.sku = sku;
      st.source = g;
      st.assignment = a;
      st.state = want;
      st.error = err;
      st.evidence = evidence;
      st.updated_ms = t->now_ms;
      bool held_before = HoldsSku(*u, sku, kNoId);
      InsertState(u, st);
      if (want == StateKind::kActive && !held_before) ++t->MutableSku(sku).consumed;
      changed = changed || want == StateKind::kActive;
      continue;
    }
    AssignmentState& st = u->states[static_cast<size_t>(idx)];
    if (st.evidence == kEvidenceOverflow && evidence != kEvidenceOverflow) {
      t->EraseEvidence(StateKey{user, g, sku});
    }
    bool held_before = HoldsSku(*u, sku, kNoId);
    bool state_held = st.Holds();
    Id state_assignment = st.assignment;
    if (st.state != want || st.error != err || st.assignment != a) st.updated_ms = t->now_ms;
    st.state = want;
    st.error = err;
    st.evidence = evidence;
    st.assignment = a;
    bool held_after = HoldsSku(*u, sku, kNoId);
    if (held_after && !held_before) ++t->MutableSku(sku).consumed;
    if (!held_after && held_before) --t->MutableSku(sku).consumed;
    changed = changed || state_held != st.Holds() || (st.Holds() && state_assignment != a);
  }
  return changed;
}

bool GroupHasError(const User& u, Id g) {
  for (const auto& s : u.states) {
    if (s.source == g && s.error != ErrorKind::kNone) return true;
  }
  return false;
}

/// True when the state's group no longer gives the user its product. `member` says whether
/// the user is known to be in the group (kNoId: look it up).
bool Stale(const Tenant& t, const User& u, const AssignmentState& s, bool known_member = false) {
  const Group& g = t.groups()[s.source];
  // A group outside the document: what it gives stands, unless its removal was already pending.
  if (g.external) return s.error == ErrorKind::kDependencyViolation;
  if (!Licensable(g)) return true;
  if (!known_member && !std::binary_search(u.groups.begin(), u.groups.end(), s.source)) return true;
  for (Id a : g.licenses) {
    if (t.assignments()[a].sku == s.sku) return false;
  }
  return true;
}

}  // namespace

void ErrorGroups(const User& u, std::vector<Id>* out) {
  out->clear();
  for (const auto& s : u.states) {
    if (s.source != kDirect && s.error != ErrorKind::kNone) out->push_back(s.source);
  }
  out->erase(std::unique(out->begin(), out->end()), out->end());  // states sorted by source
}

bool Licensable(const Group& g) { return !g.deleted && g.security_enabled; }

bool HoldsSku(const User& u, Id sku, Id except_source) {
  for (const auto& s : u.states) {
    if (s.sku == sku && s.source != except_source && s.Holds()) return true;
  }
  return false;
}

std::vector<std::pair<Id, std::vector<Id>>> EffectiveLicenses(const Tenant& t, const User& u) {
  std::vector<std::pair<Id, std::vector<Id>>> out;
  for (const auto& s : u.states) {
    if (!s.Holds()) continue;
    const auto& dis = t.assignments()[s.assignment].disabled;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == s.sku; });
    if (it == out.end()) {
      out.emplace_back(s.sku, dis);
    } else {
      // A plan stays disabled only when every source disables it.
      std::vector<Id> both;
      std::set_intersection(it->second.begin(), it->second.end(), dis.begin(), dis.end(),
                            std::back_inserter(both));
      it->second = std::move(both);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool EvaluateGroupOnly(Tenant* t, Id user, Id group, bool member) {
  // Background processing of one group: only that group's states move.
  User& u = t->MutableUserStates(user);
  const Group& g = t->groups()[group];
  bool changed = false;
  bool err_before = GroupHasError(u, group);
  for (size_t i = 0; i < u.states.size();) {
    const AssignmentState& s = u.states[i];
    if (s.source == group && (!member || Stale(*t, u, s, true)) &&
        TryRemoveState(t, &u, i, &changed)) {
      continue;
    }
    ++i;
  }
  if (member && Licensable(g) && !g.licenses.empty())
    changed = AssignGroup(t, &u, group) || changed;
  bool err_after = GroupHasError(u, group);
  if (err_before != err_after) {
    if (err_after)
      ++t->MutableGroup(group).error_users;
    else
      --t->MutableGroup(group).error_users;
  }
  return changed;
}

bool EvaluateUser(Tenant* t, Id user, Id only_group, Evaluation how) {
  const bool from_scratch = how == Evaluation::kFromScratch;
  User& u = t->MutableUserStates(user);
  bool changed = false;
  if (only_group != kNoId) {
    bool member = std::binary_search(u.groups.begin(), u.groups.end(), only_group);
    return EvaluateGroupOnly(t, user, only_group, member);
  }

  // A change to the user: every source is evaluated again.
  static thread_local std::vector<Id> err_before, err_after;
  ErrorGroups(u, &err_before);
  // 1. Drop states of sources that no longer apply (a dependency can keep one, in error). A
  //    removal a dependency already blocked waits for a reprocess: "After you resolve the
  //    dependency, you need to trigger the reprocessing of the user" (licensing-groups-resolve-
  //    problems.md, 2025).
  for (size_t i = 0; i < u.states.size();) {
    const AssignmentState& s = u.states[i];
    const bool blocked =
        s.state == StateKind::kActiveWithError && s.error == ErrorKind::kDependencyViolation;
    if (s.source != kDirect && (how != Evaluation::kUserChange || !blocked) && Stale(*t, u, s) &&
        TryRemoveState(t, &u, i, &changed)) {
      continue;
    }
    ++i;
  }
  // 2. Try every licensed group of the user, in group order.
  for (Id g : u.groups) {
    if (Licensable(t->groups()[g]) && !t->groups()[g].licenses.empty()) {
      changed = AssignGroup(t, &u, g, from_scratch) || changed;
    }
  }
  ErrorGroups(u, &err_after);
  for (Id g : err_before) {
    if (!std::binary_search(err_after.begin(), err_after.end(), g))
      --t->MutableGroup(g).error_users;
  }
  for (Id g : err_after) {
    if (!std::binary_search(err_before.begin(), err_before.end(), g))
      ++t->MutableGroup(g).error_users;
  }
  return changed;
}

}  // namespace gbl
