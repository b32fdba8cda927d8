// The invariants the README promises of every tenant, in words: property tests assert them after
// random changes, the batch fuzzer after every input (tests/fuzz).
#pragma once

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "licensing.h"
#include "tenant.h"

namespace gbl::testing {

/// Builds a message with <<.
class Words {
 public:
  template <typename T>
  Words& operator<<(const T& v) {
    s_ << v;
    return *this;
  }
  operator std::string() const { return s_.str(); }  // NOLINT(google-explicit-constructor)

 private:
  std::ostringstream s_;
};

/// The first invariant the tenant breaks, in words ("" when it keeps them all); `settled` adds the
/// ones that hold once processing is done. `loaded` holds each SKU's consumption as it stood
/// before (an export may be over-assigned; no change or processing may add to that).
inline std::string Violation(const Tenant& t, bool settled, const std::vector<int64_t>& loaded) {
  std::vector<int64_t> holders(t.skus().size(), 0);
  std::vector<uint32_t> error_users(t.groups().size(), 0);
  for (const auto& u : t.users()) {
    std::vector<Id> held, enabled, err_groups;
    std::map<Id, std::vector<const AssignmentState*>> by_group;
    for (const auto& s : u.states) {
      if (s.Holds()) {
        held.push_back(s.sku);
        const auto& en = t.assignments()[s.assignment].enabled;
        enabled.insert(enabled.end(), en.begin(), en.end());
      }
      if (s.source != kDirect) {
        by_group[s.source].push_back(&s);
        if (s.error != ErrorKind::kNone) err_groups.push_back(s.source);
        bool member = std::binary_search(u.groups.begin(), u.groups.end(), s.source);
        // A group the document does not list (a partial export): its states stand (README).
        const bool external = t.groups()[s.source].external;
        if (!(member || external || s.error == ErrorKind::kDependencyViolation)) {
          return Words() << u.id << " keeps a state of a group it left";
        }
      }
    }
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    for (Id s : held) ++holders[s];
    err_groups.erase(std::unique(err_groups.begin(), err_groups.end()), err_groups.end());
    for (Id g : err_groups) ++error_users[g];
    // No two different plans of one exclusion family are in force together.
    std::sort(enabled.begin(), enabled.end());
    enabled.erase(std::unique(enabled.begin(), enabled.end()), enabled.end());
    for (size_t i = 0; i < enabled.size(); ++i) {
      for (size_t j = i + 1; j < enabled.size(); ++j) {
        int32_t f = t.plans()[enabled[i]].family;
        if (f >= 0 && f == t.plans()[enabled[j]].family) {
          return Words() << u.id << " holds conflicting plans " << t.plans()[enabled[i]].name
                         << " and " << t.plans()[enabled[j]].name;
        }
      }
    }
    // All or nothing per (user, group).
    for (const auto& [g, states] : by_group) {
      bool any_held = false, any_error = false;
      for (const auto* s : states) {
        any_held = any_held || s->state == StateKind::kActive;
        any_error = any_error || s->state == StateKind::kError;
      }
      if (any_held && any_error) {
        return Words() << u.id << " has part of group " << t.groups()[g].display_name;
      }
      if (settled && std::binary_search(u.groups.begin(), u.groups.end(), g)) {
        if (states.size() != t.groups()[g].licenses.size()) {
          return Words() << u.id << " lacks a state for a product of "
                         << t.groups()[g].display_name;
        }
      }
    }
    if (settled) {
      for (Id g : u.groups) {
        if (Licensable(t.groups()[g]) && !t.groups()[g].licenses.empty()) {
          if (!(by_group.count(g))) {
            return Words() << "member " << u.id << " never processed";
          }
        }
      }
    }
  }
  for (Id s = 0; s < t.skus().size(); ++s) {
    if (t.skus()[s].consumed != holders[s]) {
      return Words() << "consumedUnits of " << t.skus()[s].part_number;
    }
    if (t.skus()[s].consumed > std::max(t.skus()[s].Assignable(), loaded[s])) {
      return Words() << "seats over-consumed";
    }
  }
  for (Id g = 0; g < t.groups().size(); ++g) {
    if (t.groups()[g].error_users != error_users[g]) {
      return Words() << "error count of group " << g;
    }
  }
  return "";
}

}  // namespace gbl::testing
