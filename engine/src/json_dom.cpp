// Strict JSON text to nlohmann::json, through the engine's own pull reader (json_reader.h).
#include "json_dom.h"

#include <charconv>
#include <cstdlib>
#include <string>

#include "json_reader.h"
#include "text_encoding.h"

namespace gbl {
namespace {

using nlohmann::json;

/// Reads one value into *out; false on a failure recorded in the reader.
bool ReadValue(JsonReader& r, int depth, json* out) {
  switch (r.Peek()) {
    case JsonType::kNull:
      *out = nullptr;
      return r.ReadNull();
    case JsonType::kBool: {
      bool b = false;
      if (!r.ReadBool(&b)) return false;
      *out = b;
      return true;
    }
    case JsonType::kString: {
      std::string s;
      if (!r.ReadString(&s)) return false;
      *out = std::move(s);
      return true;
    }
    case JsonType::kNumber: {
      std::string_view text;
      if (!r.ReadNumberText(&text)) return false;
      const char* b = text.data();
      const char* e = b + text.size();
      if (text.find_first_of(".eE") == std::string_view::npos) {
        int64_t i = 0;
        if (auto [p, ec] = std::from_chars(b, e, i); ec == std::errc() && p == e) {
          *out = i;
          return true;
        }
        uint64_t u = 0;
        if (auto [p, ec] = std::from_chars(b, e, u); ec == std::errc() && p == e) {
          *out = u;
          return true;
        }
      }
      // The reader checked the syntax, so strtod reads it all (the C locale's '.').
      *out = std::strtod(std::string(text).c_str(), nullptr);
      return true;
    }
    case JsonType::kArray: {
      if (depth >= kMaxJsonDepth) return r.Fail("nesting too deep");
      *out = json::array();
      if (!r.BeginArray()) return false;
      while (r.NextElement()) {
        json item;
        if (!ReadValue(r, depth + 1, &item)) return false;
        out->push_back(std::move(item));
      }
      return !r.Failed();
    }
    case JsonType::kObject: {
      if (depth >= kMaxJsonDepth) return r.Fail("nesting too deep");
      *out = json::object();
      if (!r.BeginObject()) return false;
      std::string key;
      while (r.NextKey(&key)) {
        // A second member of the same name would silently replace the first.
        if (out->contains(key)) return r.Fail("member \"" + key + "\" appears twice in an object");
        json value;
        if (!ReadValue(r, depth + 1, &value)) return false;
        (*out)[key] = std::move(value);
      }
      return !r.Failed();
    }
    default:
      return r.Fail("expected a JSON value");
  }
}

}  // namespace

Result<json> ParseJsonText(std::string_view text, std::string_view what) {
  auto fail = [&](size_t at, const std::string& why) {
    return Error{"ParseError",
                 std::string(what) + ": invalid JSON at byte " + std::to_string(at) + ": " + why};
  };
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    return fail(bad, "not UTF-8");
  }
  JsonReader r(text);
  json value;
  if (!ReadValue(r, 0, &value) || !r.End()) return fail(r.Offset(), r.Message());
  return value;
}

}  // namespace gbl
