// Reading a Graph-shaped tenant document into a Tenant.
#pragma once

#include <memory>
#include <string_view>

#include "gbl/result.h"
#include "tenant.h"

namespace gbl {

/// Parses a tenant document; errors name the byte offset (syntax) or the path (schema).
Result<std::unique_ptr<Tenant>> LoadTenant(std::string_view text);

/// A tenant document read in pieces of any size (a piece may end inside a token): the same
/// tenant and the same errors as LoadTenant on the whole text, holding only the model and the
/// value being read (an item of a section, also of a section given as a Graph list
/// `{"value": [...]}`; a whole section only when it comes before a section it needs).
class DocumentLoad {
 public:
  /// `size_hint`: the document's size when known (0 when not), to size the tables.
  explicit DocumentLoad(size_t size_hint = 0);
  ~DocumentLoad();
  DocumentLoad(const DocumentLoad&) = delete;
  DocumentLoad& operator=(const DocumentLoad&) = delete;

  /// Reads the next piece; after a failure every call returns it.
  Result<Unit> Feed(std::string_view bytes);
  /// Ends the document and returns the tenant (or the error).
  Result<std::unique_ptr<Tenant>> Finish();
  /// Bytes fed so far.
  size_t BytesRead() const;
  /// Bytes of text held until later pieces come (the unparsed rest, the sections set aside).
  size_t HeldBytes() const;

 private:
  friend Result<std::unique_ptr<Tenant>> LoadTenant(std::string_view text);
  struct State;
  std::unique_ptr<State> s_;
};

/// Recomputes consumed units and group error counts from the users' states.
void RecomputeCounters(Tenant* tenant);

}  // namespace gbl
