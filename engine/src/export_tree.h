// An export given as several files: EntraExporter's folder tree (one JSON file per object, a
// group's members in its Members sub-folder), or loose section files (users.json, groups.json,
// subscribedSkus.json, organization.json). They are assembled into one tenant document.
#pragma once

#include <string>
#include <vector>

#include "gbl/engine.h"
#include "gbl/result.h"

namespace gbl {

/// One tenant document made of many files, and where each of its items came from.
struct AssembledExport {
  /// The tenant document (UTF-8).
  std::string document;
  /// What the files did not give, or what was set aside, in words.
  std::vector<std::string> warnings;

  /// Where an item of the document came from.
  struct Origin {
    std::string section;  ///< "users", "groups", "subscribedSkus", "organization"
    size_t index = 0;     ///< position in its section (0 for organization)
    std::string file;     ///< the file's path as given
    size_t begin = 0;     ///< its byte range in `document`
    size_t end = 0;
    std::vector<std::string> member_files;  ///< a group's members, in document order
    bool members_inferred = false;          ///< a dynamic group's members read from users' states
  };
  /// Every item, in document order.
  std::vector<Origin> origins;

  /// Rewrites a load error on `document` to name the file (and the byte within it).
  Error Locate(Error error) const;
};

/// Assembles the files into one document; a file that cannot be read is an error naming it.
Result<AssembledExport> AssembleExport(const std::vector<ExportFile>& files);

}  // namespace gbl
