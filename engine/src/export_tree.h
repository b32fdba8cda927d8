// An export given as several files: EntraExporter's folder tree (one JSON file per object, a
// group's members in its Members sub-folder), or loose section files (users.json, groups.json,
// subscribedSkus.json, organization.json). They are assembled into one tenant document.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gbl/engine.h"
#include "gbl/result.h"
#include "tenant.h"

namespace gbl {

/// Where an item of the assembled document came from.
struct AssembledOrigin {
  std::string section;  ///< "users", "groups", "subscribedSkus", "organization"
  size_t index = 0;     ///< position in its section; npos for a section file (the whole section)
  size_t file = 0;      ///< the file's index in the paths
  size_t begin = 0;     ///< its byte range in the document
  size_t end = 0;
  std::vector<size_t> member_files;  ///< a group's members, in document order
  bool members_inferred = false;     ///< a dynamic group's members read from users' states
};

/// Reads an export given as many files, one file at a time, into a streamed document load: the
/// paths first (they tell what each file is and the order to read them in), then each file's
/// bytes in that order. Only one file and the loader's bounded buffer are held (and the groups'
/// own files, until the users are read). Errors name the file.
class ExportAssembler {
 public:
  ExportAssembler();
  ~ExportAssembler();
  ExportAssembler(const ExportAssembler&) = delete;
  ExportAssembler& operator=(const ExportAssembler&) = delete;

  /// Decides from the paths what each file is; returns the indices of the files to read, in the
  /// order to feed them (the others are reported as ignored, or are not licensing data).
  Result<std::vector<size_t>> Plan(std::vector<std::string> paths);
  /// Reads the next file of that order.
  Result<Unit> Feed(std::string_view bytes);
  /// After the last file: the tenant, its warnings first in load_warnings.
  Result<std::unique_ptr<Tenant>> Finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace gbl
