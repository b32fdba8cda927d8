// The scans every string goes through: the run of plain bytes before a quote, backslash or control
// character (eight bytes at a time, then byte by byte), and UTF-8 validation (32, then eight bytes
// at a time). Each is checked against a byte-by-byte loop at every position, so the word-wide paths
// and their tails agree.
#include "plain_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "text_encoding.h"

namespace gbl::testing {
namespace {

size_t PlainBytesByteByByte(const std::string& s, bool stop_at_high) {
  size_t i = 0;
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\' || c < 0x20 || (stop_at_high && c >= 0x80)) break;
  }
  return i;
}

TEST(PlainText, TheFirstQuoteBackslashOrControlCharacterIsFoundAtEveryPosition) {
  std::mt19937 rng(7);
  // Plain bytes: printable ASCII but the quote and the backslash, and bytes of 0x80 and above.
  auto plain = [&](bool high) {
    for (;;) {
      const auto c = static_cast<unsigned char>(high ? 0x80 + rng() % 0x80 : 0x20 + rng() % 0x5F);
      if (c != '"' && c != '\\') return static_cast<char>(c);
    }
  };
  for (size_t length = 0; length <= 70; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      for (const char special : {'"', '\\', '\n', '\x01', '\x1F', '\xC3'}) {
        std::string s;
        for (size_t k = 0; k < length; ++k) s += plain(k % 5 == 3);
        if (at < length) s[at] = special;
        for (const bool stop_at_high : {false, true}) {
          ASSERT_EQ(PlainBytes(s.data(), s.size(), stop_at_high),
                    PlainBytesByteByByte(s, stop_at_high))
              << "length " << length << ", special byte " << static_cast<int>(special) << " at "
              << at << (stop_at_high ? ", stopping at high bytes" : "");
        }
      }
    }
  }
}

TEST(PlainText, TheFirstInvalidUtf8ByteIsNamedAtEveryPositionOfALongAsciiRun) {
  for (size_t at = 0; at < 200; ++at) {
    std::string s(200, 'a');
    s[at] = '\xFF';
    ASSERT_EQ(FindInvalidUtf8(s), at);
    // A valid sequence at the same place is no error; a cut-off one is, at its first byte.
    s.replace(at, 1, "\xC3\xA9");
    ASSERT_EQ(FindInvalidUtf8(s), std::string::npos) << at;
    ASSERT_EQ(FindInvalidUtf8(s.substr(0, at + 1)), at);
  }
}

}  // namespace
}  // namespace gbl::testing
