// One JSON policy for the entry points that take small JSON texts (change batches, queries), the
// same as the document loader's: RFC 8259 syntax, well-formed UTF-8, no lone surrogate escapes,
// nesting at most kMaxJsonDepth, a member name at most once per object; errors name the byte.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "gbl/result.h"

namespace gbl {

/// Parses `text` into a JSON value under the policy above. `what` names the text in errors
/// ("the change batch"); a failure is a ParseError "…: invalid JSON at byte N: reason".
Result<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what);

}  // namespace gbl
