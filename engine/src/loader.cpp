// Tenant document reader: one pass to find the sections, then each section in dependency order.
#include "loader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <string>
#include <vector>

#include "dynamic.h"
#include "json_reader.h"
#include "licensing.h"
#include "plain_text.h"
#include "text_encoding.h"

namespace gbl {
// Not anonymous: Tenant names Loader as its friend.
namespace load_detail {

/// A syntax or schema failure under construction.
struct LoadError {
  bool set = false;
  Error error;
};

/// The member names of one object read so far, in any letter case (as NameIs matches them), so
/// a name given twice is refused instead of the second silently replacing the first.
class MemberNames {
 public:
  /// False when the name was seen before in this object.
  bool Add(std::string_view name) {
    const uint64_t h = HashLower(name);
    for (size_t i = 0; i < std::min(count_, fixed_.size()); ++i) {
      if (fixed_[i] == h) return false;
    }
    for (uint64_t m : more_) {
      if (m == h) return false;
    }
    if (count_ < fixed_.size()) {
      fixed_[count_] = h;
    } else {
      more_.push_back(h);
    }
    ++count_;
    return true;
  }

 private:
  std::array<uint64_t, 24> fixed_;  // the first count_ are set (no need to clear the rest)
  size_t count_ = 0;
  std::vector<uint64_t> more_;  // objects of more than 24 members (real exports' users)
};

class Loader {
 public:
  Loader() : tenant_(std::make_unique<Tenant>()) {}

  /// The document's size when known (sizes the id index); 0 when not.
  void SizeHint(size_t bytes) { size_hint_ = bytes; }

  /// Reads the next piece of UTF-8 text (any size; it may end inside a token). `last` says no more
  /// comes; `stable` that `piece` outlives the loader (then nothing of it is copied). Only
  /// complete values are parsed: the unparsed rest of a piece is kept for the next one, so the
  /// result and the errors do not depend on where the pieces end.
  bool Feed(std::string_view piece, bool last, bool stable) {
    if (failed_) return false;
    if (!buf_.empty()) {
      // A value cut off by the last piece's end: it is completed from the head of this piece, a
      // slice at a time (each twice the last), and once it is read the rest of the piece is read
      // where it lies. Pieces are not copied whole behind the held bytes.
      size_t take = std::min(piece.size(), std::max(buf_.size(), kCompletionSlice));
      for (;;) {
        const size_t held = buf_.size();
        const bool whole = take == piece.size();
        buf_.append(piece.data(), take);
        if (!Read(buf_, whole && last, false)) return false;
        if (pos_ >= held) {  // the held value is read: the rest lies in the piece
          piece.remove_prefix(pos_ - held);
          buf_.clear();
          view_ = {};
          break;
        }
        buf_.erase(0, pos_);
        view_ = {};
        if (whole) return true;
        piece.remove_prefix(take);
        take = std::min(piece.size(), 2 * take);
      }
    }
    if (!Read(piece, last, stable)) return false;
    buf_.assign(view_.data() + pos_, view_.size() - pos_);
    view_ = {};
    return true;
  }

  /// The error of a failed Feed.
  const Error& GetError() const { return error_; }

  /// Text held between pieces: the unparsed rest of the last piece and the sections set aside.
  size_t HeldBytes() const {
    size_t n = buf_.size();
    for (const Section* s : {&org_, &skus_, &users_, &groups_, &rules_, &deleted_, &audits_}) {
      n += s->owned.size();
    }
    return n;
  }

  /// After the last piece: the sections set aside, then the tenant's derived tables.
  Result<std::unique_ptr<Tenant>> Finish() {
    if (failed_) return error_;
    if (!users_.present && !groups_.present && !skus_.present) {
      const std::string seen = JoinWords(ignored_);
      return Error{"SchemaError", "$: the document has no users, groups or subscribedSkus" +
                                      (seen.empty() ? std::string(" (it is empty)")
                                                    : " (it has only: " + seen + ")")};
    }
    if (!ignored_.empty()) {
      tenant_->load_warnings.push_back("ignored: " + JoinWords(ignored_));
    }
    if (!Deferred(org_, &Loader::LoadOrganization) || !Deferred(skus_, &Loader::LoadSkus) ||
        !Deferred(rules_, &Loader::LoadRules) || !Deferred(users_, &Loader::LoadUsers) ||
        !Deferred(groups_, &Loader::LoadGroups) || !ResolvePending() ||
        !Deferred(deleted_, &Loader::LoadDeletedUsers) || !Deferred(audits_, &Loader::LoadAudits) ||
        !FlushUserIds()) {
      PreferEarlierDuplicate();
      return error_;
    }
    // The proxy addresses' holders, counted in one pass (see UserItem).
    tenant_->shared_proxies_ += tenant_->proxy_count_.AddOneEach(proxy_keys_);
    proxy_keys_ = {};
    tenant_->ApplyCatalogue();
    std::vector<Id> scratch;
    for (auto& g : tenant_->groups_) {
      // A rule run now compares the listed members with its own: those are put in order first.
      // Every other group's members are put in order below, through its members' group lists.
      if (!g.deleted && IsDynamicGroup(g)) SortUniqueIds(&g.members, &scratch);
      ApplyRule(&g);
      std::sort(g.member_groups.begin(), g.member_groups.end());
      g.member_groups.erase(std::unique(g.member_groups.begin(), g.member_groups.end()),
                            g.member_groups.end());
    }
    // Each user's groups, in group order: counted in a dense array first, so that the users
    // (large records) are visited once each in order, not once per membership at random.
    std::vector<uint32_t> start(tenant_->users_.size() + 1, 0);
    for (const auto& g : tenant_->groups_) {
      for (Id u : g.members) ++start[u + 1];
    }
    for (size_t u = 0; u + 1 < start.size(); ++u) start[u + 1] += start[u];
    std::vector<Id> flat(start.back());
    {
      std::vector<uint32_t> next(start.begin(), start.end() - 1);
      for (Id gi = 0; gi < tenant_->groups_.size(); ++gi) {
        for (Id u : tenant_->groups_[gi].members) flat[next[u]++] = gi;
      }
    }
    // Then each group's members, sorted and distinct without a sort: the users in order join the
    // lists of their groups (a member listed twice in a group has the group twice, side by side,
    // in its list: kept once). The members' own lists are written over, being in `flat` now.
    std::vector<Id*> joined(tenant_->groups_.size());
    for (Id gi = 0; gi < tenant_->groups_.size(); ++gi) {
      joined[gi] = tenant_->groups_[gi].members.data();
    }
    for (Id u = 0; u < tenant_->users_.size(); ++u) {
      Id* const first = flat.data() + start[u];
      Id* const last = std::unique(first, flat.data() + start[u + 1]);
      for (const Id* at = first; at != last; ++at) *joined[*at]++ = u;
      tenant_->users_[u].groups.assign(first, last);
    }
    for (Id gi = 0; gi < tenant_->groups_.size(); ++gi) {
      auto& members = tenant_->groups_[gi].members;
      members.resize(static_cast<size_t>(joined[gi] - members.data()));
    }
    for (auto& u : tenant_->users_) {
      if (u.deleted) continue;
      std::sort(u.states.begin(), u.states.end(),
                [](const AssignmentState& a, const AssignmentState& b) {
                  return a.source != b.source ? a.source < b.source : a.sku < b.sku;
                });
    }
    // Room made for many more users than came (large users: few per byte) is given back.
    auto& users = tenant_->users_;
    if (users.capacity() > 2 * users.size() + 4096) users.shrink_to_fit();
    RecomputeCounters(tenant_.get());
    QueueGroups();
    DropLeaversStates();
    return std::move(tenant_);
  }

 private:
  /// The first slice of a piece that completes a held value (it doubles until the value ends).
  static constexpr size_t kCompletionSlice = 64 << 10;

  /// Parses what `text` completes (`stable`: it outlives the loader); pos_ is then how far.
  bool Read(std::string_view text, bool last, bool stable) {
    view_ = text;
    stable_ = stable;
    pos_ = 0;
    const bool ok = Drive(last);
    consumed_ += pos_;
    if (!ok) {
      PreferEarlierDuplicate();
      failed_ = true;
      view_ = {};
      buf_.clear();
      buf_.shrink_to_fit();
    }
    return ok;
  }

  // ---- errors ----
  bool Syntax(const JsonReader& r, size_t base) {
    error_ = Error{"ParseError", "invalid JSON at byte " + std::to_string(base + r.Offset()) +
                                     ": " + r.Message()};
    return false;
  }
  bool Schema(const std::string& path, const std::string& message) {
    error_ = Error{"SchemaError", path + ": " + message};
    return false;
  }
  // A type error from the reader inside a section: name the path and the byte.
  bool Typed(const JsonReader& r, size_t base, const std::string& path) {
    error_ = Error{"SchemaError",
                   path + ": " + r.Message() + " (byte " + std::to_string(base + r.Offset()) + ")"};
    return false;
  }

  // ---- sections ----
  struct Section {
    std::string_view text;  ///< the captured value, when set aside
    std::string owned;      ///< its copy, when the piece it came in does not last
    size_t base = 0;        ///< its byte offset in the document
    bool present = false;
    bool done = false;
  };

  /// The reader a set-aside section is parsed with, and the offset to add to its positions.
  struct Cursor {
    JsonReader own;
    JsonReader* r;
    size_t base;
    explicit Cursor(const Section& s) : own(s.text), r(&own), base(s.base) {}
  };

  using ItemFn = bool (Loader::*)(JsonReader&, size_t, const std::string&, size_t);

  bool Ready(const Section* s) const {
    if (s == &org_ || s == &skus_) return true;
    if (s == &rules_ || s == &users_) return skus_.done;
    // Groups need the products; members the users section has not brought yet wait, compactly
    // (PendingMember), until the end.
    if (s == &groups_) return skus_.done;
    // deletedItems: after every member list is resolved, so always set aside (it is small).
    if (s == &deleted_) return false;
    return users_.done && groups_.done;  // directoryAudits
  }

  bool Deferred(Section& s, bool (Loader::*load)()) {
    if (!FlushUserIds()) return false;
    if (!s.present || s.done) return true;
    if (!(this->*load)()) return false;
    s.done = true;
    s.owned = std::string();
    s.text = {};
    return true;
  }

  // ---- the document, piece by piece ----
  // Top level: `{ "section": value, ... }`. A section that is an array and whose dependencies are
  // read is parsed item by item as the items arrive (the usual order organization,
  // subscribedSkus, licensingRules, users, groups needs nothing else); any other value is
  // captured whole and parsed when its dependencies are read (a section sent before the ones it
  // needs is held as text until then).
  enum class Step { kStart, kMembers, kPage, kItems, kAfter };

  static bool IsWs(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
  static size_t SkipWsAt(std::string_view t, size_t i) {
    while (i < t.size() && IsWs(t[i])) ++i;
    return i;
  }
  /// The end of the string whose opening quote is at t[i], or npos when it does not end in t.
  static size_t StringEnd(std::string_view t, size_t i) {
    for (++i; i < t.size(); ++i) {
      const char* q = static_cast<const char*>(std::memchr(t.data() + i, '"', t.size() - i));
      if (q == nullptr) return std::string_view::npos;
      size_t at = static_cast<size_t>(q - t.data());
      size_t slashes = 0;
      while (at - slashes > i && t[at - slashes - 1] == '\\') ++slashes;
      if (slashes % 2 == 0) return at + 1;
      i = at;
    }
    return std::string_view::npos;
  }
  /// Where the completeness scan of the value at one document offset stands (a value may take
  /// many pieces to arrive: each byte is scanned once).
  struct Scan {
    size_t origin = std::string_view::npos;  ///< document offset of the text scanned
    size_t at = 0;                           ///< next byte to scan, from origin
    size_t depth = 0;
    bool in_string = false;
    bool escape = false;
    bool started = false;  ///< the value's first character was seen
    bool ended = false;    ///< the value closed at `at`
  };

  /// True when the value starting at or after t[i] ends inside t with a character after it
  /// (`origin`: t's document offset): nesting and strings are followed, nothing else is checked
  /// (the reader does that).
  bool ValueComplete(std::string_view t, size_t i, size_t origin) {
    Scan& s = scan_;
    if (s.origin != origin) {
      s = Scan();
      s.origin = origin;
      s.at = i;
    }
    const size_t n = t.size();
    if (s.ended) return s.at < n;
    while (s.at < n) {
      if (s.in_string) {
        while (s.at < n) {
          if (s.escape) {
            s.escape = false;
            ++s.at;
            continue;
          }
          s.at += PlainBytes(t.data() + s.at, n - s.at, false);
          if (s.at >= n) break;
          char c = t[s.at++];
          if (c == '\\') {
            s.escape = true;
          } else if (c == '"') {
            s.in_string = false;
            break;
          }  // a control character: the reader will name it
        }
        if (s.in_string) return false;
        if (s.depth == 0) {
          s.ended = true;
          return s.at < n;
        }
        continue;
      }
      char c = t[s.at];
      if (!s.started) {
        if (IsWs(c)) {  // whitespace before the value (it may come in pieces of its own)
          ++s.at;
          continue;
        }
        s.started = true;
      }
      if (c == '"') {
        s.in_string = true;
      } else if (c == '{' || c == '[') {
        ++s.depth;
      } else if (c == '}' || c == ']') {
        if (s.depth == 0) return true;  // the container around a number or literal closes
        if (--s.depth == 0) {
          ++s.at;
          s.ended = true;
          return s.at < n;
        }
      } else if (s.depth == 0 && (c == ',' || IsWs(c))) {
        return true;  // a number or literal followed by its delimiter
      }
      ++s.at;
    }
    return false;
  }
  /// True when the next member header (`, "key" : <first character of the value>`, or `}`) is
  /// all in t from i.
  bool HeaderComplete(std::string_view t, size_t i) const {
    i = SkipWsAt(t, i);
    if (i >= t.size()) return false;
    if (t[i] == '}') return true;
    if (!first_) {
      if (t[i] != ',') return true;  // a syntax error the reader will name
      i = SkipWsAt(t, i + 1);
      if (i >= t.size()) return false;
    }
    if (t[i] != '"') return true;
    i = StringEnd(t, i);
    if (i == std::string_view::npos) return false;
    i = SkipWsAt(t, i);
    if (i >= t.size()) return false;
    if (t[i] != ':') return true;
    i = SkipWsAt(t, i + 1);
    return i < t.size();
  }
  /// True when the next element (`, value`, or `]`) is all in t from i.
  bool ElementComplete(std::string_view t, size_t i, size_t origin) {
    i = SkipWsAt(t, i);
    if (i >= t.size()) return false;
    if (t[i] == ']') return true;
    if (!first_) {
      if (t[i] != ',') return true;
      ++i;
    }
    return ValueComplete(t, i, origin);
  }

  /// A section's name in paths (as Graph spells it, whatever the document's letter case).
  const char* SectionName(const Section* s) const {
    if (s == &skus_) return "subscribedSkus";
    if (s == &users_) return "users";
    if (s == &groups_) return "groups";
    if (s == &audits_) return "directoryAudits";
    return "";
  }

  /// The array sections read item by item.
  ItemFn ItemsOf(const Section* s) const {
    if (s == &skus_) return &Loader::SkuItem;
    if (s == &users_) return &Loader::UserItem;
    if (s == &groups_) return &Loader::GroupItem;
    if (s == &audits_) return &Loader::AuditItem;
    return nullptr;  // organization, licensingRules (objects), deletedItems (after the groups)
  }

  /// Sizes what a section fills from the bytes it may take (the users read before it are all in
  /// the id index first).
  bool BeginSection(const Section* s, size_t bytes) {
    if (!FlushUserIds()) return false;
    // A Graph user is at least a few hundred bytes: size the id index from the text left, and
    // the users too, up to kUsersReserved (Finish gives back what a document of large users
    // left unused).
    if (s == &users_) {
      tenant_->user_index_.Reserve(bytes / 400);
      tenant_->proxy_count_.Reserve(bytes / 400);
      tenant_->users_.reserve(std::min(bytes / 400, kUsersReserved));
    }
    return true;
  }

  /// The most users room is made for before any is read (about 200 MiB in WebAssembly).
  static constexpr size_t kUsersReserved = 2 << 20;

  bool Drive(bool last) {
    for (;;) {
      std::string_view rest = view_.substr(pos_);
      const size_t base = consumed_ + pos_;
      switch (step_) {
        case Step::kStart: {
          size_t i = SkipWsAt(rest, 0);
          if (i >= rest.size() && !last) return true;
          JsonReader r(rest);
          if (r.Peek() != JsonType::kObject) {
            if (r.Failed() || r.Peek() == JsonType::kInvalid) {
              if (!r.Failed()) r.Fail(i >= rest.size() ? "empty document" : "unexpected character");
              return Syntax(r, base);
            }
            return Schema("$", "a tenant document must be a JSON object");
          }
          r.BeginObject();
          pos_ += r.Position();
          step_ = Step::kMembers;
          first_ = true;
          break;
        }
        case Step::kMembers: {
          if (!last && !HeaderComplete(rest, 0)) return true;
          JsonReader r(rest);
          r.Resume(first_);
          std::string key;
          if (!r.NextKey(&key)) {
            if (r.Failed()) return Syntax(r, base);
            pos_ += r.Position();
            step_ = Step::kAfter;
            break;
          }
          Section* s = nullptr;
          bool (Loader::*load)() = nullptr;
          // Graph's camelCase, or the PascalCase of PowerShell's objects (case-insensitive).
          if (NameIs(key, "organization"))
            s = &org_, load = &Loader::LoadOrganization;
          else if (NameIs(key, "subscribedSkus"))
            s = &skus_, load = &Loader::LoadSkus;
          else if (NameIs(key, "users"))
            s = &users_, load = &Loader::LoadUsers;
          else if (NameIs(key, "groups"))
            s = &groups_, load = &Loader::LoadGroups;
          else if (NameIs(key, "licensingRules"))
            s = &rules_, load = &Loader::LoadRules;
          else if (NameIs(key, "deletedItems"))
            s = &deleted_, load = &Loader::LoadDeletedUsers;
          else if (NameIs(key, "directoryAudits"))
            s = &audits_, load = &Loader::LoadAudits;
          if (s && s->present) return Schema(key, "appears twice in the document");
          ItemFn items = s ? ItemsOf(s) : nullptr;
          const bool page = r.Peek() == JsonType::kObject;
          if (items && Ready(s) && (r.Peek() == JsonType::kArray || page)) {
            // An array, or a Graph list response (`{"@odata.context": ..., "value": [...]}`, one
            // page as Graph returns it) whose "value" is read item by item the same way.
            if (page) {
              r.BeginObject();
            } else {
              r.BeginArray();
            }
            s->present = true;
            if (!BeginSection(s, size_hint_ > base ? size_hint_ - base : rest.size())) return false;
            pos_ += r.Position();
            first_ = true;
            step_ = page ? Step::kPage : Step::kItems;
            section_ = s;
            section_name_ = SectionName(s);
            items_ = items;
            index_ = 0;
            in_page_ = page;
            page_value_ = false;
            break;
          }
          size_t value_at = r.Position();
          if (!last && !ValueComplete(rest, value_at, base)) return true;
          std::string_view captured;
          if (!r.Capture(&captured)) return Syntax(r, base);
          if (!s && key.rfind("@odata.", 0) != 0) ignored_.push_back(key);
          first_ = false;
          if (s) {
            s->present = true;
            s->base = base + static_cast<size_t>(captured.data() - rest.data());
            if (stable_ || Ready(s)) {
              s->text = captured;  // read below, or lasting
            } else {
              s->owned.assign(captured.data(), captured.size());
              s->text = s->owned;
            }
            if (Ready(s)) {
              if (!BeginSection(s, captured.size()) || !(this->*load)()) return false;
              s->done = true;
              s->text = {};
            }
          }
          pos_ += r.Position();
          break;
        }
        case Step::kPage: {
          // The members of a section's Graph list: "value" (the first of that name) is read as
          // the section's items; any other member (@odata.context, @odata.nextLink) is skipped.
          if (!last && !HeaderComplete(rest, 0)) return true;
          JsonReader r(rest);
          r.Resume(first_);
          std::string& key = item_path_;
          if (!r.NextKey(&key)) {
            if (r.Failed()) return Syntax(r, base);
            if (!page_value_) {
              return Schema(section_name_, "expected an array (or a Graph list with \"value\")");
            }
            pos_ += r.Position();
            section_->done = true;
            in_page_ = false;
            step_ = Step::kMembers;
            first_ = false;
            break;
          }
          if (NameIs(key, "value") && !page_value_) {
            page_value_ = true;
            if (r.Peek() != JsonType::kArray) {
              if (r.Failed()) return Syntax(r, base);
              return Schema(section_name_, "expected an array");
            }
            r.BeginArray();
            pos_ += r.Position();
            first_ = true;
            step_ = Step::kItems;
            break;
          }
          size_t value_at = r.Position();
          if (!last && !ValueComplete(rest, value_at, base)) return true;  // read again then
          if (!r.Skip()) return Syntax(r, base);
          first_ = false;
          pos_ += r.Position();
          break;
        }
        case Step::kItems: {
          // Users and groups (nearly all of a document) are parsed at once, without the
          // completeness scan: an item that fails is scanned then, and if it is only cut off by
          // the end of the piece, what it added is taken back and it waits for the next piece
          // (scanned from then on). The others, and anything in the last piece, as before.
          const bool optimistic =
              !last && !scan_item_ && (section_ == &users_ || section_ == &groups_);
          if (!last && !optimistic && !ElementComplete(rest, 0, base)) return true;
          const size_t pending_mark = pending_.size(), members_mark = pending_members_.size(),
                       others_mark = other_ids_.size();
          const bool first_mark = first_;
          auto cut_off = [&] {
            if (!optimistic) return false;
            first_ = first_mark;
            if (ElementComplete(rest, 0, base)) return false;
            pending_.resize(pending_mark);
            pending_members_.resize(members_mark);
            other_ids_.resize(others_mark);
            scan_item_ = true;
            return true;
          };
          JsonReader r(rest);
          r.Resume(first_);
          scan_item_ = false;
          if (!r.NextElement()) {
            if (r.Failed()) return cut_off() || Syntax(r, base);
            pos_ += r.Position();
            // In a Graph list the items are all read; its other members are only skipped.
            section_->done = true;
            step_ = in_page_ ? Step::kPage : Step::kMembers;
            first_ = false;
            break;
          }
          first_ = false;
          // One buffer for every item's path (no allocation per item).
          std::string& path = item_path_;
          path.assign(section_name_);
          path += '[';
          char digits[24];
          auto [end, ec] = std::to_chars(digits, digits + sizeof digits, index_);
          (void)ec;
          path.append(digits, end);
          path += ']';
          if (r.Peek() != JsonType::kObject) return cut_off() || Schema(path, "expected an object");
          if (!(this->*items_)(r, base, path, index_)) return cut_off();
          ++index_;
          pos_ += r.Position();
          break;
        }
        case Step::kAfter: {
          size_t i = SkipWsAt(rest, 0);
          if (i < rest.size()) {
            JsonReader r(rest);
            r.End();
            return Syntax(r, base);
          }
          pos_ = view_.size();
          return true;
        }
      }
    }
  }

  // Iterates a section that is an array (or a Graph list `{"value":[...]}`), calling f(reader, i).
  bool ForEachItem(const Section& s, const char* name, ItemFn item) {
    auto f = [&](JsonReader& r, size_t base, const std::string& path, size_t i) {
      return (this->*item)(r, base, path, i);
    };
    if (!s.present) return true;
    Cursor c(s);
    JsonReader& r = *c.r;
    if (r.Peek() == JsonType::kObject) {
      // Graph list response: take its "value".
      r.BeginObject();
      std::string key;
      bool found = false;
      while (r.NextKey(&key)) {
        if (NameIs(key, "value") && !found) {
          found = true;
          if (!IterateArray(r, c.base, name, f)) return false;
        } else if (!r.Skip()) {
          return Syntax(r, c.base);
        }
      }
      if (r.Failed()) return Syntax(r, c.base);
      if (!found) return Schema(name, "expected an array (or a Graph list with \"value\")");
      return true;
    }
    if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, c.base);
    return IterateArray(r, c.base, name, f);
  }

  template <typename F>
  bool IterateArray(JsonReader& r, size_t base, const std::string& name, F f) {
    if (r.Peek() != JsonType::kArray) return Schema(name, "expected an array");
    r.BeginArray();
    size_t i = 0;
    while (r.NextElement()) {
      std::string path = std::string(name) + "[" + std::to_string(i) + "]";
      if (r.Peek() != JsonType::kObject) return Schema(path, "expected an object");
      if (!f(r, base, path, i)) return false;
      ++i;
    }
    if (r.Failed()) return Syntax(r, base);
    return true;
  }

  // Member readers: the path is only built when something is wrong (no allocation per field).
  bool Str(JsonReader& r, size_t base, const std::string& path, std::string_view field,
           std::string* out) {
    return r.ReadString(out) || Typed(r, base, path + "." + std::string(field));
  }
  bool StrOrNull(JsonReader& r, size_t base, const std::string& path, std::string_view field,
                 std::string* out) {
    bool was_null;
    return r.ReadStringOrNull(out, &was_null) || Typed(r, base, path + "." + std::string(field));
  }
  /// A boolean member; null keeps the default.
  bool Bool(JsonReader& r, size_t base, const std::string& path, std::string_view field,
            bool* out) {
    if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, base);
    return r.ReadBool(out) || Typed(r, base, path + "." + std::string(field));
  }
  bool StrArray(JsonReader& r, size_t base, const std::string& path, std::string_view field,
                std::vector<std::string>* out) {
    out->clear();
    if (r.Peek() == JsonType::kNull) {
      return r.ReadNull() || Typed(r, base, path + "." + std::string(field));
    }
    if (r.Peek() != JsonType::kArray) {
      r.Fail("expected an array of strings");
      return Typed(r, base, path + "." + std::string(field));
    }
    r.BeginArray();
    size_t i = 0;
    while (r.NextElement()) {
      out->emplace_back();
      if (!r.ReadString(&out->back())) {
        return Typed(r, base, path + "." + std::string(field) + "[" + std::to_string(i) + "]");
      }
      ++i;
    }
    if (r.Failed()) return Syntax(r, base);
    return true;
  }
  bool Skip(JsonReader& r, size_t base) { return r.Skip() || Syntax(r, base); }

  /// A member the loader reads as text: a string (null reads as ""), a required string, or an
  /// array of strings.
  struct Field {
    std::string_view name;  ///< from a literal: its length is known without strlen
    std::string* text;
    std::vector<std::string>* list;
    bool required;
    bool custom = false;  ///< read by `other`, but counted here (no hash to find it twice)
  };
  template <size_t N>
  static Field Text(const char (&name)[N], std::string* out) {
    return {std::string_view(name, N - 1), out, nullptr, false};
  }
  template <size_t N>
  static Field Required(const char (&name)[N], std::string* out) {
    return {std::string_view(name, N - 1), out, nullptr, true};
  }
  template <size_t N>
  static Field List(const char (&name)[N], std::vector<std::string>* out) {
    return {std::string_view(name, N - 1), nullptr, out, false};
  }
  /// A member `other` reads, named here so that a second one is found by a bit.
  template <size_t N>
  static Field Custom(const char (&name)[N]) {
    return {std::string_view(name, N - 1), nullptr, nullptr, false, true};
  }

  /// Reads the object at the reader: the named fields into their targets, every other member
  /// through `other(key)`, which consumes the value and returns false on failure.
  template <typename F>
  bool ReadObject(JsonReader& r, size_t base, const std::string& path,
                  std::initializer_list<Field> fields, F other) {
    r.BeginObject();
    std::string_view key;
    std::string scratch;  // a name with escapes, decoded
    MemberNames seen;     // the names passed to `other`
    uint64_t named = 0;   // the fields seen (a name matches one field in any letter case)
    static_assert(sizeof(named) * 8 >= 32, "fields fit the mask");
    const Field* const first = fields.begin();
    const size_t count = fields.size();
    size_t next = 0;  // the field after the last one found: documents list them in one order
    for (;;) {
      // A field named exactly as given is found without reading the name as text: the one
      // after the last found first, then the others; anything else is read and compared.
      const Field* field = nullptr;
      size_t index = 0;
      for (size_t k = 0; k < count && !r.AtObjectEnd(); ++k) {
        const size_t at = next + k < count ? next + k : next + k - count;
        if (r.TryKey(first[at].name)) {
          field = first + at;
          index = at;
          key = field->name;
          break;
        }
      }
      if (!field) {
        if (!r.NextKey(&key, &scratch)) break;
        for (const Field& f : fields) {
          if (NameIs(key, f.name)) {
            field = &f;
            break;
          }
          ++index;
        }
      }
      if (field) next = index + 1 < count ? index + 1 : 0;
      const bool again = field ? (named >> index) & 1 : !seen.Add(key);
      if (again) return Schema(path + "." + std::string(key), "appears twice in the object");
      if (field) named |= uint64_t{1} << index;
      if (!field && NameIs(key, "AdditionalProperties") && r.Peek() == JsonType::kObject) {
        // PowerShell's Graph objects keep what their class does not name here: read it as if
        // it stood in the object itself.
        if (!ReadObject(r, base, path, fields, other)) return false;
        continue;
      }
      bool ok = !field || field->custom ? other(key)
                : field->list           ? StrArray(r, base, path, field->name, field->list)
                : field->required       ? Str(r, base, path, field->name, field->text)
                                        : StrOrNull(r, base, path, field->name, field->text);
      if (!ok) return false;
    }
    return !r.Failed() || Syntax(r, base);
  }
  /// Same, skipping members not named in `fields`.
  bool ReadObject(JsonReader& r, size_t base, const std::string& path,
                  std::initializer_list<Field> fields) {
    return ReadObject(r, base, path, fields, [&](std::string_view) { return Skip(r, base); });
  }

  bool LoadOrganization() {
    if (!org_.present) return true;
    Cursor c(org_);
    JsonReader& r = *c.r;
    auto read_org = [&](JsonReader& rr, size_t base, const std::string& path, size_t) {
      return ReadObject(rr, base, path,
                        {Text("id", &tenant_->org_id), Text("displayName", &tenant_->org_name),
                         Text("countryLetterCode", &tenant_->country)});
    };
    if (r.Peek() == JsonType::kObject) return read_org(r, c.base, "organization", 0);
    return IterateArray(r, c.base, "organization",
                        [&](JsonReader& rr, size_t base, const std::string& path, size_t i) {
                          if (i == 0) return read_org(rr, base, path, i);
                          return Skip(rr, base);
                        });
  }

  bool LoadSkus() { return ForEachItem(skus_, "subscribedSkus", &Loader::SkuItem); }

  bool SkuItem(JsonReader& r, size_t base, const std::string& path, size_t) {
    Sku sku;
    bool plans_given = false;
    std::vector<std::pair<std::string, std::string>> plan_rows;  // (id, name)
    std::vector<std::string> plan_status, plan_applies;
    auto other = [&](std::string_view key) {
      if (NameIs(key, "prepaidUnits")) {
        if (r.Peek() != JsonType::kObject)
          return Schema(path + ".prepaidUnits", "expected an object");
        r.BeginObject();
        std::string k2;
        MemberNames seen;
        while (r.NextKey(&k2)) {
          if (!seen.Add(k2)) {
            return Schema(path + ".prepaidUnits." + k2, "appears twice in the object");
          }
          int64_t* target = NameIs(k2, "enabled")     ? &sku.prepaid.enabled
                            : NameIs(k2, "warning")   ? &sku.prepaid.warning
                            : NameIs(k2, "suspended") ? &sku.prepaid.suspended
                            : NameIs(k2, "lockedOut") ? &sku.prepaid.locked_out
                                                      : nullptr;
          if (target) {
            if (!r.ReadInt(target)) return Typed(r, base, path + ".prepaidUnits." + k2);
            if (*target < 0) return Schema(path + ".prepaidUnits." + k2, "must not be negative");
            // Graph's licenseUnitsDetail counts are Int32: larger is not a real count (and the
            // assignable sum of two such counts must not overflow).
            if (*target > kMaxUnits) {
              return Schema(path + ".prepaidUnits." + k2,
                            "more than " + std::to_string(kMaxUnits) + " units (Graph's Int32)");
            }
          } else if (!Skip(r, base)) {
            return false;
          }
        }
        return !r.Failed() || Syntax(r, base);
      }
      if (NameIs(key, "servicePlans")) {
        plans_given = true;
        return IterateArray(
            r, base, path + ".servicePlans",
            [&](JsonReader&, size_t, const std::string& ppath, size_t) {
              std::string pid, pname, papplies = "User", pstatus = "Success";
              if (!ReadObject(
                      r, base, ppath,
                      {Required("servicePlanId", &pid), Text("servicePlanName", &pname),
                       Text("appliesTo", &papplies), Text("provisioningStatus", &pstatus)})) {
                return false;
              }
              if (pid.empty()) return Schema(ppath + ".servicePlanId", "missing");
              std::string plan_key = Lower(pid);
              for (const auto& row : plan_rows) {
                if (row.first == plan_key)
                  return Schema(ppath + ".servicePlanId",
                                "service plan \"" + pid + "\" is listed twice in this SKU");
              }
              plan_rows.emplace_back(std::move(plan_key), pname);
              plan_status.push_back(pstatus);
              plan_applies.push_back(papplies);
              return true;
            });
      }
      return Skip(r, base);
    };
    if (!ReadObject(
            r, base, path,
            {Required("skuId", &sku.id), Text("skuPartNumber", &sku.part_number),
             Text("id", &sku.object_id), Text("appliesTo", &sku.applies_to),
             Text("capabilityStatus", &sku.capability_status),
             Text("displayName", &sku.display_name), Text("productDisplayName", &sku.display_name)},
            other)) {
      return false;
    }
    if (sku.id.empty()) return Schema(path + ".skuId", "missing");
    std::string key_id = Lower(sku.id);
    if (tenant_->sku_index_.count(key_id)) {
      return Schema(path + ".skuId", "duplicate skuId \"" + sku.id + "\"");
    }
    if (!plans_given || plan_rows.empty()) {
      if (const CatalogProduct* p = FindCatalogProduct(sku.id)) {
        for (const auto& [pid, pname] : p->plans) {
          plan_rows.emplace_back(pid, pname);
          plan_status.push_back("Success");
          plan_applies.push_back("User");
        }
      }
    }
    for (size_t j = 0; j < plan_rows.size(); ++j) {
      auto [it, inserted] =
          tenant_->plan_index_.emplace(plan_rows[j].first, static_cast<Id>(tenant_->plans_.size()));
      if (inserted) {
        Plan plan;
        plan.id = plan_rows[j].first;
        plan.name = plan_rows[j].second;
        plan.applies_to = plan_applies[j];
        tenant_->plans_.push_back(std::move(plan));
      } else if (tenant_->plans_[it->second].name.empty()) {
        tenant_->plans_[it->second].name = plan_rows[j].second;
      }
      if (std::find(sku.plans.begin(), sku.plans.end(), it->second) != sku.plans.end()) continue;
      sku.plans.push_back(it->second);
      sku.plan_provisioning.push_back(plan_status[j]);
    }
    tenant_->sku_index_.emplace(key_id, static_cast<Id>(tenant_->skus_.size()));
    tenant_->skus_.push_back(std::move(sku));
    return true;
  }

  bool LoadRules() {
    if (!rules_.present) return true;
    Cursor c(rules_);
    JsonReader& r = *c.r;
    size_t base = c.base;
    if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, base);
    if (r.Peek() != JsonType::kObject) return Schema("licensingRules", "expected an object");
    r.BeginObject();
    std::string key;
    while (r.NextKey(&key)) {
      if (NameIs(key, "profile")) {
        std::string profile;
        if (r.Peek() != JsonType::kString || !r.ReadString(&profile)) {
          return r.Failed() ? Syntax(r, base)
                            : Schema("licensingRules.profile", "expected a string");
        }
        if (!IsRulesProfile(profile)) {
          return Schema("licensingRules.profile",
                        "unknown rule profile \"" + profile +
                            "\" (known: " + JoinWords(RulesProfileNames()) + ")");
        }
        tenant_->rules_profile = profile;
        continue;
      }
      if (NameIs(key, "mutuallyExclusive")) tenant_->rules_from_document = true;
      if (NameIs(key, "dependencies")) tenant_->dependencies_from_document = true;
      if (NameIs(key, "mutuallyExclusive") || NameIs(key, "dependencies") ||
          NameIs(key, "usageLocationRestrictions")) {
        std::string name = "licensingRules." + key;
        if (!IterateArray(
                r, base, name.c_str(),
                [&](JsonReader& rr, size_t b, const std::string& path, size_t) {
                  std::string family, plan;
                  std::vector<std::string> list;
                  if (!ReadObject(rr, b, path,
                                  {Text("name", &family), Required("servicePlanId", &plan),
                                   List("servicePlanIds", &list), List("requiresAnyOf", &list),
                                   List("prohibitedCountries", &list)})) {
                    return false;
                  }
                  if (NameIs(key, "mutuallyExclusive")) {
                    int32_t f = static_cast<int32_t>(tenant_->family_names_.size());
                    tenant_->family_names_.push_back(family.empty() ? "family" + std::to_string(f)
                                                                    : family);
                    for (const auto& id : list) {
                      Id p = tenant_->FindPlan(id);
                      if (p != kNoId) tenant_->plans_[p].family = f;
                    }
                    return true;
                  }
                  if (plan.empty()) return Schema(path + ".servicePlanId", "missing");
                  Id p = tenant_->FindPlan(plan);
                  if (p == kNoId) return true;  // a rule about a plan this tenant does not have
                  if (NameIs(key, "dependencies")) {
                    for (const auto& id : list) {
                      Id q = tenant_->FindPlan(id);
                      if (q != kNoId) {
                        tenant_->plans_[p].requires_any_of.push_back(q);
                      } else {
                        // A prerequisite no product of the tenant carries (kept for the export).
                        tenant_->plans_[p].requires_unowned.push_back(Lower(id));
                      }
                    }
                  } else {
                    for (auto& country : list) tenant_->plans_[p].prohibited_in.push_back(country);
                  }
                  return true;
                })) {
          return false;
        }
      } else if (!Skip(r, base)) {
        return false;
      }
    }
    if (r.Failed()) return Syntax(r, base);
    return true;
  }

  /// Reads an assignedLicenses array into (sku, interned assignment) pairs; `unique`: a skuId
  /// listed twice is a SchemaError.
  /// The assignedLicenses member of the object at `parent` (its path is built only when the
  /// list is not empty).
  bool ReadLicenses(JsonReader& r, size_t base, const std::string& parent, bool unique,
                    std::vector<std::pair<Id, Id>>* out) {
    if (r.ReadEmptyArray()) return true;
    const std::string path = parent + ".assignedLicenses";
    return IterateArray(r, base, path, [&](JsonReader&, size_t, const std::string& lpath, size_t) {
      Id sku;
      std::vector<Id> disabled;
      if (!ReadLicense(r, base, lpath, &sku, &disabled)) return false;
      if (unique) {
        for (const auto& l : *out) {
          if (l.first == sku) return Schema(lpath + ".skuId", "the same skuId appears twice");
        }
      }
      out->emplace_back(sku, tenant_->InternAssignment(sku, std::move(disabled)));
      return true;
    });
  }

  // Reads one assignedLicense object; fills sku and sorted disabled plan ids.
  bool ReadLicense(JsonReader& r, size_t base, const std::string& path, Id* sku,
                   std::vector<Id>* disabled) {
    if (r.Peek() != JsonType::kObject) return Schema(path, "expected an object");
    std::string sku_id;
    std::vector<std::string> disabled_ids;
    if (!ReadObject(r, base, path,
                    {Required("skuId", &sku_id), List("disabledPlans", &disabled_ids)})) {
      return false;
    }
    return ResolveLicense(path, sku_id, disabled_ids, sku, disabled);
  }

  bool ResolveLicense(const std::string& path, const std::string& sku_id,
                      const std::vector<std::string>& disabled_ids, Id* sku,
                      std::vector<Id>* disabled) {
    if (sku_id.empty()) return Schema(path + ".skuId", "missing");
    auto it = tenant_->sku_index_.find(Lower(sku_id));
    if (it == tenant_->sku_index_.end()) {
      return Schema(path + ".skuId", "unknown skuId \"" + sku_id + "\" (not in subscribedSkus)");
    }
    *sku = it->second;
    disabled->clear();
    const Sku& s = tenant_->skus_[*sku];
    for (size_t i = 0; i < disabled_ids.size(); ++i) {
      Id p = tenant_->FindPlan(disabled_ids[i]);
      if (p == kNoId || std::find(s.plans.begin(), s.plans.end(), p) == s.plans.end()) {
        return Schema(path + ".disabledPlans[" + std::to_string(i) + "]",
                      "service plan \"" + disabled_ids[i] + "\" is not part of " +
                          (s.part_number.empty() ? s.id : s.part_number));
      }
      disabled->push_back(p);
    }
    std::sort(disabled->begin(), disabled->end());
    disabled->erase(std::unique(disabled->begin(), disabled->end()), disabled->end());
    return true;
  }

  struct PendingState {
    Id user;
    size_t state_index;
    std::string group_id;
    size_t json_index;  ///< position in the user's licenseAssignmentStates (for the error path)

    std::string Path() const {
      return "users[" + std::to_string(user) + "].licenseAssignmentStates[" +
             std::to_string(json_index) + "].assignedByGroup";
    }
  };

  /// usageLocation: a two-letter ISO 3166 code (upper-cased, as Graph stores it) or absent.
  bool UsageLocationOk(const std::string& path, std::string* location) {
    if (NormalizeUsageLocation(location)) return true;
    return Schema(path + ".usageLocation",
                  "expected a two-letter ISO 3166 country code, got \"" + *location + "\"");
  }

  bool LoadUsers() { return ForEachItem(users_, "users", &Loader::UserItem); }

  /// A user is read in its place at the end of the users (no move, no temporary): taken off
  /// again when it cannot be read.
  bool UserItem(JsonReader& r, size_t base, const std::string& path, size_t index) {
    tenant_->users_.emplace_back();
    if (ReadUser(r, base, path, index, &tenant_->users_.back())) return true;
    tenant_->users_.pop_back();
    return false;
  }

  bool ReadUser(JsonReader& r, size_t base, const std::string& path, size_t index, User* user) {
    User& u = *user;
    std::vector<std::pair<Id, Id>> assigned;  // (sku, assignment) from assignedLicenses
    std::vector<RawField> attrs;              // what membership rules read
    bool have_states = false;
    const Id uid = static_cast<Id>(tenant_->users_.size() - 1);
    auto other = [&](std::string_view key) {
      if (NameIs(key, "accountEnabled"))
        return Bool(r, base, path, "accountEnabled", &u.account_enabled);
      if (NameIs(key, "assignedLicenses")) return ReadLicenses(r, base, path, false, &assigned);
      if (NameIs(key, "licenseAssignmentStates")) {
        have_states = true;
        return IterateArray(
            r, base, path + ".licenseAssignmentStates",
            [&](JsonReader&, size_t, const std::string& spath, size_t j) {
              std::string sku_id, group_id, state = "Active", err = "None", when;
              std::vector<std::string> disabled_ids;
              if (!ReadObject(
                      r, base, spath,
                      {Required("skuId", &sku_id), Text("assignedByGroup", &group_id),
                       Text("state", &state), Text("error", &err),
                       Text("lastUpdatedDateTime", &when), List("disabledPlans", &disabled_ids)})) {
                return false;
              }
              AssignmentState st;
              std::vector<Id> disabled;
              if (!ResolveLicense(spath, sku_id, disabled_ids, &st.sku, &disabled)) return false;
              st.assignment = tenant_->InternAssignment(st.sku, std::move(disabled));
              if (!ParseStateName(state, &st.state)) {
                return Schema(spath + ".state", "unknown state \"" + state + "\"");
              }
              if (!ParseErrorName(err, &st.error)) {
                return Schema(spath + ".error", "unknown error \"" + err + "\"");
              }
              if (!when.empty() && !Tenant::ParseTime(when, &st.updated_ms)) {
                return Schema(spath + ".lastUpdatedDateTime",
                              "not an ISO 8601 time: \"" + when + "\"");
              }
              if (!group_id.empty()) {
                pending_.push_back({uid, u.states.size(), group_id, j});
                st.source = kNoId;  // resolved after groups are read
              } else {
                for (const auto& existing : u.states) {
                  if (existing.source == kDirect && existing.sku == st.sku) {
                    return Schema(spath, "second direct assignment of the same skuId");
                  }
                }
                st.source = kDirect;
              }
              u.states.push_back(st);
              return true;
            });
      }
      return RuleAttribute(r, base, path, key, &attrs);
    };
    if (!ReadObject(r, base, path,
                    {Required("id", &u.id), Text("displayName", &u.display_name),
                     Text("userPrincipalName", &u.upn), Text("mail", &u.mail),
                     Text("usageLocation", &u.usage_location), Custom("accountEnabled"),
                     List("proxyAddresses", &u.proxy_addresses), Custom("assignedLicenses"),
                     Custom("licenseAssignmentStates")},
                    other)) {
      return false;
    }
    if (u.id.empty()) return Schema(path + ".id", "missing");
    if (!UsageLocationOk(path, &u.usage_location)) return false;
    if (!have_states) {
      // A hand-written document: its assignedLicenses are direct assignments in force.
      for (auto& [sku, assignment] : assigned) {
        bool dup = false;
        for (const auto& s : u.states) dup = dup || s.sku == sku;
        if (dup) return Schema(path + ".assignedLicenses", "the same skuId appears twice");
        AssignmentState st;
        st.sku = sku;
        st.assignment = assignment;
        st.source = kDirect;
        u.states.push_back(st);
      }
    }
    // (Groups read before the users: an id may already be a group's.) A GUID goes into the
    // index with the next 15 (FlushUserIds); any other id at once.
    uint64_t id_hi = 0, id_lo = 0;
    const bool guid = IdIndex::ParseGuid(u.id, &id_hi, &id_lo);
    if ((groups_.present && tenant_->group_index_.Contains(u.id)) ||
        (!guid && !tenant_->user_index_.Insert(u.id, uid))) {
      return Schema(path + ".id", "duplicate id \"" + u.id + "\"");
    }
    if (!attrs.empty()) {
      std::vector<UserField> fields;
      fields.reserve(attrs.size());
      for (const auto& a : attrs) {
        fields.push_back(
            {a.property, tenant_->InternAttribute(a.name), tenant_->InternAttribute(a.value)});
      }
      u.details = tenant_->StoreUserFields(std::move(fields));
    }
    // Hashed while the addresses are at hand (in Finish they would be read from memory again),
    // counted in Finish all at once; a user listing an address twice (SMTP: and smtp:) holds it
    // once.
    const size_t first_key = proxy_keys_.size();
    for (const auto& address : u.proxy_addresses) {
      const uint64_t key = HashLower(address);
      if (std::find(proxy_keys_.begin() + static_cast<std::ptrdiff_t>(first_key), proxy_keys_.end(),
                    key) == proxy_keys_.end()) {
        proxy_keys_.push_back(key);
      }
    }
    if (guid) {
      pending_user_ids_.push_back({id_hi, id_lo, uid, index});
      if (pending_user_ids_.size() == kUserIdBatch) return FlushUserIds();
    }
    return true;
  }

  /// Users' GUID ids read but not in the id index yet: they go in kUserIdBatch at a time, their
  /// slots read together (IdIndex::InsertParsed), so that the cache misses overlap. Every read of
  /// the index comes after a flush: at a section's start (BeginSection, Deferred), before the
  /// pending members are resolved, and at the end; a load that fails reports a duplicate among
  /// them first (it comes earlier in the document: PreferEarlierDuplicate).
  struct PendingUserId {
    uint64_t hi, lo;
    Id uid;
    size_t index;  ///< position in the users section (for the error's path)
  };
  static constexpr size_t kUserIdBatch = 16;
  std::vector<PendingUserId> pending_user_ids_;

  /// Puts the pending users' ids into the index; a duplicate is a SchemaError naming it.
  bool FlushUserIds() {
    const size_t n = pending_user_ids_.size();
    for (size_t first = 0; first < n; first += kUserIdBatch) {
      const size_t count = std::min(kUserIdBatch, n - first);
      uint64_t hi[kUserIdBatch], lo[kUserIdBatch];
      Id values[kUserIdBatch];
      for (size_t k = 0; k < count; ++k) {
        const PendingUserId& p = pending_user_ids_[first + k];
        hi[k] = p.hi, lo[k] = p.lo, values[k] = p.uid;
      }
      const size_t done = tenant_->user_index_.InsertParsed(hi, lo, values, count);
      if (done < count) {
        const PendingUserId p = pending_user_ids_[first + done];
        pending_user_ids_.clear();
        return Schema("users[" + std::to_string(p.index) + "].id",
                      "duplicate id \"" + tenant_->users_[p.uid].id + "\"");
      }
    }
    pending_user_ids_.clear();
    return true;
  }

  /// On a failed load: a duplicate among the pending users' ids comes earlier in the document than
  /// the failure, so it is the error to report (as when each id went in as read).
  void PreferEarlierDuplicate() {
    if (pending_user_ids_.empty()) return;
    const Error failure = error_;
    if (FlushUserIds()) error_ = failure;
  }

  /// A rule attribute as read, before it is interned (after the user is read whole).
  struct RawField {
    uint8_t property;
    std::string name;  ///< a directory extension's name, as given
    std::string value;
  };

  /// A user member that membership rules read (dynamic.h): a string attribute (department ...),
  /// onPremisesExtensionAttributes, otherMails, onPremisesSyncEnabled, manager (an object with
  /// its id, as $expand=manager gives it), a directory extension extension_<appId>_<name>;
  /// anything else is skipped. Null and "" are not kept (rules read them as null).
  bool RuleAttribute(JsonReader& r, size_t base, const std::string& path, std::string_view key,
                     std::vector<RawField>* out) {
    auto text = [&](uint8_t property, std::string name, std::string_view at) {
      std::string value;
      if (!StrOrNull(r, base, path, at, &value)) return false;
      if (!value.empty()) out->push_back({property, std::move(name), std::move(value)});
      return true;
    };
    if (const UserStringField* f = FindUserStringField(key)) {
      return text(static_cast<uint8_t>(f->property), "", f->graph_name);
    }
    if (IsDirectoryExtensionName(key)) {
      // Only string values are kept (rules compare extension properties as text).
      if (r.Peek() != JsonType::kString && r.Peek() != JsonType::kNull) return Skip(r, base);
      return text(static_cast<uint8_t>(UserProperty::kDirectoryExtension), std::string(key), key);
    }
    if (NameIs(key, "otherMails")) {
      std::vector<std::string> items;
      if (!StrArray(r, base, path, "otherMails", &items)) return false;
      for (auto& item : items) {
        out->push_back({static_cast<uint8_t>(UserProperty::kOtherMails), "", std::move(item)});
      }
      return true;
    }
    if (NameIs(key, "onPremisesSyncEnabled")) {
      if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, base);
      bool on = false;
      if (!Bool(r, base, path, "onPremisesSyncEnabled", &on)) return false;
      out->push_back(
          {static_cast<uint8_t>(UserProperty::kDirSyncEnabled), "", on ? "true" : "false"});
      return true;
    }
    if (NameIs(key, "onPremisesExtensionAttributes")) {
      if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, base);
      if (r.Peek() != JsonType::kObject) {
        return Schema(path + ".onPremisesExtensionAttributes", "expected an object");
      }
      r.BeginObject();
      std::string k2;
      MemberNames seen;
      auto at = [&] { return path + ".onPremisesExtensionAttributes." + k2; };
      while (r.NextKey(&k2)) {
        if (!seen.Add(k2)) return Schema(at(), "appears twice in the object");
        const int n = ExtensionAttributeNumber(k2);
        if (n == 0) {
          if (!Skip(r, base)) return false;
          continue;
        }
        const auto p =
            static_cast<UserProperty>(static_cast<int>(UserProperty::kExtensionAttribute1) + n - 1);
        std::string value;
        bool was_null;
        if (!r.ReadStringOrNull(&value, &was_null)) return Typed(r, base, at());
        if (!value.empty()) out->push_back({static_cast<uint8_t>(p), "", std::move(value)});
      }
      return !r.Failed() || Syntax(r, base);
    }
    if (NameIs(key, "manager")) {
      if (r.Peek() == JsonType::kNull) return r.ReadNull() || Syntax(r, base);
      if (r.Peek() != JsonType::kObject) return Schema(path + ".manager", "expected an object");
      std::string id;
      if (!ReadObject(r, base, path + ".manager", {Text("id", &id)})) return false;
      if (!id.empty()) out->push_back({kManagerField, "", std::move(id)});
      return true;
    }
    return Skip(r, base);
  }

  // deletedItems: users in the recycle bin (GET /directory/deletedItems/microsoft.graph.user),
  // with our extension memberOf (group ids) and assignedLicenses (their direct licenses); other
  // kinds of deleted object are skipped.
  bool LoadDeletedUsers() {
    return ForEachItem(deleted_, "deletedItems", &Loader::DeletedUserItem);
  }

  bool DeletedUserItem(JsonReader& r, size_t base, const std::string& path, size_t) {
    User u;
    u.deleted = true;
    DeletedUser d;
    std::string type, when;
    std::vector<std::string> member_of;
    auto other = [&](std::string_view key) {
      if (NameIs(key, "accountEnabled"))
        return Bool(r, base, path, "accountEnabled", &u.account_enabled);
      if (NameIs(key, "assignedLicenses")) return ReadLicenses(r, base, path, true, &d.direct);
      return Skip(r, base);
    };
    if (!ReadObject(r, base, path,
                    {Required("id", &u.id), Text("@odata.type", &type),
                     Text("displayName", &u.display_name), Text("userPrincipalName", &u.upn),
                     Text("mail", &u.mail), Text("usageLocation", &u.usage_location),
                     Text("deletedDateTime", &when), List("proxyAddresses", &u.proxy_addresses),
                     List("memberOf", &member_of)},
                    other)) {
      return false;
    }
    if (!type.empty() && type != "#microsoft.graph.user") return true;
    if (u.id.empty()) return Schema(path + ".id", "missing");
    if (!UsageLocationOk(path, &u.usage_location)) return false;
    if (when.empty()) return Schema(path + ".deletedDateTime", "missing");
    if (!Tenant::ParseTime(when, &d.deleted_ms)) {
      return Schema(path + ".deletedDateTime", "not an ISO 8601 time: \"" + when + "\"");
    }
    for (const auto& gid : member_of) {
      Id g = tenant_->group_index_.Find(gid);
      if (g != kNoId) d.groups.push_back(g);  // a group gone since cannot take it back
    }
    std::sort(d.groups.begin(), d.groups.end());
    d.groups.erase(std::unique(d.groups.begin(), d.groups.end()), d.groups.end());
    Id uid = static_cast<Id>(tenant_->users_.size());
    if (!tenant_->user_index_.Insert(u.id, uid)) {
      return Schema(path + ".id", "duplicate id \"" + u.id + "\" (also a user)");
    }
    tenant_->users_.push_back(std::move(u));
    tenant_->deleted_users_[uid] = std::move(d);
    return true;
  }

  /// A member to resolve at the end (a nested group, or an object of a section not read yet):
  /// 32 bytes, the id as 128 bits (a GUID) or an index into other_ids_ (any other text).
  struct PendingMember {
    enum Kind : uint8_t { kAny, kUser };  ///< kUser: typed #microsoft.graph.user
    Id group;
    uint32_t index;  ///< position in the group's members (for the error path)
    uint64_t hi = 0, lo = 0;
    uint32_t other = kNoId;  ///< other_ids_ index when the id is not a GUID
    Kind kind = kAny;
    bool group_only = false;  ///< typed #microsoft.graph.group
  };

  void AddPending(Id gid, size_t j, std::string_view id, std::string_view type) {
    PendingMember m{gid, static_cast<uint32_t>(j)};
    if (!IdIndex::ParseGuid(id, &m.hi, &m.lo)) {
      m.other = static_cast<uint32_t>(other_ids_.size());
      other_ids_.emplace_back(id);
    }
    m.kind = NameIs(type, "#microsoft.graph.user") ? PendingMember::kUser : PendingMember::kAny;
    m.group_only = NameIs(type, "#microsoft.graph.group");
    pending_members_.push_back(m);
  }
  Id FindPending(const IdIndex& index, const PendingMember& m) const {
    return m.other == kNoId ? index.FindGuid(m.hi, m.lo) : index.Find(other_ids_[m.other]);
  }
  std::string PendingId(const PendingMember& m) const {
    return m.other == kNoId ? IdIndex::FormatGuid(m.hi, m.lo) : other_ids_[m.other];
  }

  /// Directory objects that can be members of a group but never hold licenses.
  static bool UnlicensedMemberType(std::string_view type) {
    static constexpr std::string_view kTypes[] = {
        "#microsoft.graph.device", "#microsoft.graph.orgContact",
        "#microsoft.graph.servicePrincipal", "#microsoft.graph.application",
        "#microsoft.graph.contact"};
    if (type.empty()) return false;  // a bare id (most members): no type to compare
    for (std::string_view t : kTypes) {
      if (NameIs(type, t)) return true;
    }
    return false;
  }

  /// Reads a members array at the reader into g (users, nested groups, other objects).
  bool ReadMembers(JsonReader& r, size_t base, const std::string& path, Id gid, Group* g) {
    // Members are read sixteen at a time, then looked up together (their index reads overlap);
    // any error of an earlier member still comes before a later member's.
    struct Member {
      std::string_view id, type;             // into the text, or into the scratch strings below
      std::string id_scratch, type_scratch;  // reused: one allocation per slot at most
      size_t j = 0;
    };
    constexpr size_t kBatch = 16;
    static constexpr std::string_view kGroupType = "#microsoft.graph.group";
    std::array<Member, kBatch> batch;
    size_t count = 0;
    auto mpath_of = [&](size_t j) { return path + ".members[" + std::to_string(j) + "]"; };
    // Each member's GUID, parsed as it is read (a bare GUID string is taken without a scan).
    std::string_view ids[kBatch];
    uint64_t hi[kBatch], lo[kBatch];
    bool guid[kBatch];
    auto resolve = [&] {
      Id found[kBatch];
      for (size_t k = 0; k < count; ++k) {
        ids[k] = batch[k].id;
        if (!guid[k]) guid[k] = IdIndex::ParseGuid(ids[k], &hi[k], &lo[k]);
      }
      tenant_->user_index_.FindParsed(ids, hi, lo, guid, count, found);
      const size_t n = count;
      count = 0;
      for (size_t k = 0; k < n; ++k) {
        const Member& m = batch[k];
        if (UnlicensedMemberType(m.type)) {
          // Kept as a member (and in the export), never licensed.
          g->other_members.emplace_back(std::string(m.id), std::string(m.type));
        } else if (found[k] != kNoId && (m.type.empty() || !NameIs(m.type, kGroupType))) {
          g->members.push_back(found[k]);
        } else if (NameIs(m.type, "#microsoft.graph.user") && users_.done) {
          return Schema(mpath_of(m.j), "unknown user \"" + std::string(m.id) + "\"");
        } else {
          AddPending(gid, m.j, m.id, m.type);
        }
      }
      return true;
    };
    // A member that cannot be read: the members before it are resolved first (their error wins).
    auto fail = [&] {
      resolve();
      return false;
    };
    r.BeginArray();
    size_t j = 0;
    while (r.NextElement()) {
      Member& m = batch[count];
      m.id = m.type = {};
      m.j = j;
      guid[count] = false;
      std::string_view bare;
      if (r.PeekQuoted(36, &bare) && IdIndex::ParseGuid(bare, &hi[count], &lo[count])) {
        // Hex digits and hyphens only: no quote, backslash or control character to look for.
        r.SkipQuoted(36);
        m.id = bare;
        guid[count] = true;
      } else if (r.Peek() == JsonType::kString) {
        if (!r.ReadStringView(&m.id, &m.id_scratch)) return Typed(r, base, mpath_of(j)) || fail();
      } else if (r.Peek() == JsonType::kObject) {
        r.BeginObject();
        std::string k2;
        while (r.NextKey(&k2)) {
          bool ok2 = true;
          if (NameIs(k2, "id")) {
            ok2 = r.ReadStringView(&m.id, &m.id_scratch) || Typed(r, base, mpath_of(j) + ".id");
          } else if (NameIs(k2, "@odata.type")) {
            ok2 = r.Peek() == JsonType::kNull ? r.ReadNull()
                                              : r.ReadStringView(&m.type, &m.type_scratch);
            ok2 = ok2 || Typed(r, base, mpath_of(j) + ".@odata.type");
          } else {
            ok2 = Skip(r, base);
          }
          if (!ok2) return fail();
        }
        if (r.Failed()) return Syntax(r, base) || fail();
        if (m.id.empty()) return Schema(mpath_of(j) + ".id", "missing") || fail();
      } else {
        return Schema(mpath_of(j), "expected an id or a directory object") || fail();
      }
      ++j;
      if (++count == kBatch && !resolve()) return false;
    }
    if (!resolve()) return false;
    return !r.Failed() || Syntax(r, base);
  }

  bool LoadGroups() { return ForEachItem(groups_, "groups", &Loader::GroupItem); }

  bool GroupItem(JsonReader& r, size_t base, const std::string& path, size_t) {
    Group g;
    Id gid = static_cast<Id>(tenant_->groups_.size());
    std::vector<std::pair<Id, Id>> licenses;
    bool state_given = false;
    std::string state_text, rule_state;
    auto other = [&](std::string_view key) {
      if (NameIs(key, "securityEnabled")) return Bool(r, base, path, key, &g.security_enabled);
      if (NameIs(key, "mailEnabled")) return Bool(r, base, path, key, &g.mail_enabled);
      if (NameIs(key, "licenseProcessingState")) {
        // A string in older pages, {"state": ...} in newer ones.
        state_given = true;
        if (r.Peek() == JsonType::kObject) {
          return ReadObject(r, base, path + ".licenseProcessingState",
                            {Text("state", &state_text)});
        }
        return StrOrNull(r, base, path, key, &state_text);
      }
      if (NameIs(key, "assignedLicenses")) return ReadLicenses(r, base, path, true, &licenses);
      if (NameIs(key, "members")) {
        // An array, or a Graph page as GET /groups/{id}/members returns it.
        bool page = r.Peek() == JsonType::kObject;
        std::string next_link;
        if (page) {
          r.BeginObject();
          std::string k2;
          bool found = false;
          while (r.NextKey(&k2)) {
            if (NameIs(k2, "value") && !found) {
              found = true;
              if (!ReadMembers(r, base, path, gid, &g)) return false;
            } else if (NameIs(k2, "@odata.nextLink")) {
              bool was_null;
              if (!r.ReadStringOrNull(&next_link, &was_null))
                return Typed(r, base, path + ".members.@odata.nextLink");
            } else if (!Skip(r, base)) {
              return false;
            }
          }
          if (r.Failed()) return Syntax(r, base);
          if (!found) return Schema(path + ".members", "a page without \"value\"");
          if (!next_link.empty()) {
            return Schema(path + ".members",
                          "the list of members is incomplete: this page has "
                          "@odata.nextLink. Fetch every page (Get-MgGroupMember -All, or "
                          "follow @odata.nextLink until there is none) and list them all");
          }
          return true;
        }
        if (r.Peek() != JsonType::kArray)
          return Schema(path + ".members", "expected an array or a Graph page");
        return ReadMembers(r, base, path, gid, &g);
      }
      return Skip(r, base);
    };
    if (!ReadObject(
            r, base, path,
            {Required("id", &g.id), Text("displayName", &g.display_name),
             Text("description", &g.description), Text("membershipRule", &g.membership_rule),
             Text("membershipRuleProcessingState", &rule_state), List("groupTypes", &g.group_types),
             Custom("securityEnabled"), Custom("mailEnabled"), Custom("assignedLicenses"),
             Custom("members"), Custom("licenseProcessingState")},
            other)) {
      return false;
    }
    if (g.id.empty()) return Schema(path + ".id", "missing");
    if (NameIs(rule_state, "Paused")) {
      g.rule_paused = true;
    } else if (!rule_state.empty() && !NameIs(rule_state, "On")) {
      return Schema(path + ".membershipRuleProcessingState",
                    "expected \"On\" or \"Paused\", got \"" + rule_state + "\"");
    }
    SetGroupRule(&g, std::move(g.membership_rule));
    if (state_given && !state_text.empty() && state_text != "ProcessingComplete") {
      g.processing = ProcessingState::kQueued;  // the service had not finished: queue it again
    }
    std::sort(licenses.begin(), licenses.end());
    for (auto& l : licenses) g.licenses.push_back(l.second);
    if (tenant_->user_index_.Contains(g.id) || !tenant_->group_index_.Insert(g.id, gid)) {
      return Schema(path + ".id", "duplicate id \"" + g.id + "\"");
    }
    tenant_->groups_.push_back(std::move(g));
    return true;
  }

  /// A dynamic group whose rule is in force gets its members from the rule (every user is read
  /// by now); listed members that differ are counted (a stale export) and the group queued, so
  /// that processing brings its licenses in line. A rule that does not parse keeps the listed
  /// members, with a load warning (README "Dynamic groups": why).
  void ApplyRule(Group* g) {
    if (g->deleted || !IsDynamicGroup(*g)) return;
    if (!g->rule_error.empty()) {
      tenant_->load_warnings.push_back(
          "group \"" + g->display_name + "\" (" + g->id +
          "): membershipRule not evaluated, listed members kept: " + g->rule_error);
      return;
    }
    if (!RuleRunsAtLoad(*g)) return;
    std::vector<Id> members = RuleMembers(*tenant_, *g->rule);
    std::vector<Id> listed_only, rule_only;
    std::set_difference(g->members.begin(), g->members.end(), members.begin(), members.end(),
                        std::back_inserter(listed_only));
    std::set_difference(members.begin(), members.end(), g->members.begin(), g->members.end(),
                        std::back_inserter(rule_only));
    g->stale_listed_only = static_cast<uint32_t>(listed_only.size());
    g->stale_rule_only = static_cast<uint32_t>(rule_only.size());
    if (listed_only.empty() && rule_only.empty()) return;
    g->members = std::move(members);
    if (!g->licenses.empty()) g->processing = ProcessingState::kQueued;
  }
  static bool RuleRunsAtLoad(const Group& g) { return RuleInForce(g); }

  /// A stale export: a user holds a state from a group the document lists that does not have the
  /// user as a member (the user left it, or a dynamic group's rule no longer gives it). What the
  /// group gave goes, as the service's processing of the leave does: a group's run covers only
  /// its members, so nothing else would ever take it away. A dependency can keep it, in error
  /// (TryRemoveState). States of a group the document does not list stand (a partial export), and
  /// so do removals the export shows pending (DependencyViolation).
  void DropLeaversStates() {
    Tenant& t = *tenant_;
    std::vector<Id> left;
    size_t removed = 0, kept = 0;
    Id first_user = kNoId, first_group = kNoId;
    for (Id ui = 0; ui < t.users_.size(); ++ui) {
      const User& u = t.users_[ui];
      if (u.deleted) continue;
      left.clear();
      for (const auto& s : u.states) {
        // A removal already pending (a dependency keeps the state, in error) stands as exported.
        if (s.source == kDirect || t.groups_[s.source].external ||
            s.error == ErrorKind::kDependencyViolation) {
          continue;
        }
        if (!std::binary_search(u.groups.begin(), u.groups.end(), s.source)) {
          left.push_back(s.source);
        }
      }
      const size_t stale = left.size();  // one state per group and product
      left.erase(std::unique(left.begin(), left.end()), left.end());  // states sorted by source
      if (left.empty()) continue;
      const size_t before = u.states.size();
      for (Id g : left) EvaluateGroupOnly(&t, ui, g, false);
      const size_t gone = before - t.users_[ui].states.size();
      if (removed == 0 && kept == 0) first_user = ui, first_group = left.front();
      removed += gone;
      kept += stale > gone ? stale - gone : 0;  // a pending removal of the group may go too
    }
    if (removed == 0 && kept == 0) return;
    // Said at load: an admin planning on this export sees why a license of theirs is gone.
    const Group& g = t.groups_[first_group];
    std::string warning =
        "stale export: " + std::to_string(removed + kept) +
        " license state(s) from groups that no longer have the user as a member; " +
        std::to_string(removed) + " removed at load, as the service's processing does";
    if (kept > 0) {
      warning += ", " + std::to_string(kept) +
                 " kept in error (DependencyViolation: another license depends on it)";
    }
    warning += " (first: user " + t.users_[first_user].id + ", group \"" + g.display_name + "\" (" +
               g.id + "))";
    t.load_warnings.push_back(std::move(warning));
  }

  bool ResolvePending() {
    if (!FlushUserIds()) return false;
    for (auto& m : pending_members_) {
      auto path = [&] {
        return "groups[" + std::to_string(m.group) + "].members[" + std::to_string(m.index) + "]";
      };
      // A user, when the users section came after the groups.
      if (!m.group_only) {
        Id user = FindPending(tenant_->user_index_, m);
        if (user != kNoId) {
          tenant_->groups_[m.group].members.push_back(user);
          continue;
        }
        if (m.kind == PendingMember::kUser) {
          return Schema(path(), "unknown user \"" + PendingId(m) + "\"");
        }
      }
      Id child = FindPending(tenant_->group_index_, m);
      if (child == kNoId) {
        return Schema(path(), "unknown directory object \"" + PendingId(m) + "\"");
      }
      if (child == m.group) return Schema(path(), "a group cannot be a member of itself");
      tenant_->groups_[m.group].member_groups.push_back(child);
    }
    pending_members_ = {};
    other_ids_ = {};
    std::unordered_map<std::string, Id> external;
    for (auto& p : pending_) {
      Id group = tenant_->group_index_.Find(p.group_id);
      if (group == kNoId) {
        // A group the document does not list: its states are kept as they stand.
        auto [it, added] = external.emplace(Lower(p.group_id), kNoId);
        if (added) {
          Group g;
          g.id = p.group_id;
          g.deleted = true;
          g.external = true;
          it->second = static_cast<Id>(tenant_->groups_.size());
          tenant_->groups_.push_back(std::move(g));
        }
        group = it->second;
      }
      User& u = tenant_->users_[p.user];
      AssignmentState& st = u.states[p.state_index];
      for (const auto& other : u.states) {
        if (&other != &st && other.source == group && other.sku == st.sku) {
          return Schema(p.Path(), "second state for the same skuId and group");
        }
      }
      st.source = group;
    }
    return true;
  }

  bool LoadAudits() { return ForEachItem(audits_, "directoryAudits", &Loader::AuditItem); }

  bool AuditItem(JsonReader& r, size_t base, const std::string& path, size_t) {
    std::string_view raw;
    if (!r.Capture(&raw)) return Syntax(r, base);
    AuditEvent e;
    e.activity = Activity::kImported;
    e.text = tenant_->AuditText(std::string(raw));
    // Pull out what the queries filter on: time, activity name, first target.
    JsonReader inner(raw);
    inner.BeginObject();
    std::string key;
    while (inner.NextKey(&key)) {
      std::string value;
      if (NameIs(key, "activityDateTime") && inner.Peek() == JsonType::kString) {
        inner.ReadString(&value);
        if (!Tenant::ParseTime(value, &e.time_ms)) {
          return Schema(path + ".activityDateTime", "not an ISO 8601 time: \"" + value + "\"");
        }
      } else if (NameIs(key, "activityDisplayName") && inner.Peek() == JsonType::kString) {
        inner.ReadString(&value);
        e.actor = tenant_->AuditText(value);  // imported events keep their name here
      } else if (NameIs(key, "targetResources") && inner.Peek() == JsonType::kArray) {
        inner.BeginArray();
        while (inner.NextElement()) {
          if (inner.Peek() != JsonType::kObject) {
            inner.Skip();
            continue;
          }
          inner.BeginObject();
          std::string k2;
          while (inner.NextKey(&k2)) {
            if (k2 == "id" && inner.Peek() == JsonType::kString) {
              inner.ReadString(&value);
              Id u = tenant_->user_index_.Find(value);
              Id g = tenant_->group_index_.Find(value);
              if (u != kNoId && e.user == kNoId) e.user = u;
              if (g != kNoId && e.group == kNoId) e.group = g;
            } else {
              inner.Skip();
            }
          }
        }
      } else {
        inner.Skip();
      }
    }
    if (inner.Failed()) return Syntax(inner, base);
    tenant_->audit_.push_back(e);
    return true;
  }

  void QueueGroups() {
    Tenant& t = *tenant_;
    for (Id gi = 0; gi < t.groups_.size(); ++gi) {
      Group& g = t.groups_[gi];
      if (g.licenses.empty() || !g.security_enabled) {
        g.processing = ProcessingState::kComplete;
        continue;
      }
      bool needed = g.processing != ProcessingState::kComplete;
      for (size_t i = 0; !needed && i < g.members.size(); ++i) {
        const User& u = t.users_[g.members[i]];
        for (Id a : g.licenses) {
          Id sku = t.assignments_[a].sku;
          bool found = false;
          for (const auto& s : u.states) found = found || (s.source == gi && s.sku == sku);
          if (!found) {
            needed = true;
            break;
          }
        }
      }
      if (needed) {
        g.processing = ProcessingState::kQueued;
        t.queue_.push_back(gi);
      }
    }
  }

  std::unique_ptr<Tenant> tenant_;
  /// HashLower of each user's distinct proxy addresses, counted in Finish (CountTable::AddOneEach).
  std::vector<uint64_t> proxy_keys_;
  size_t size_hint_ = 0;
  bool failed_ = false;
  std::string buf_;        ///< text not parsed yet (an incomplete value), copied from its piece
  std::string_view view_;  ///< the text being read: a piece, or buf_
  bool stable_ = false;    ///< view_ outlives the loader
  size_t pos_ = 0;         ///< parsed so far in view_
  size_t consumed_ = 0;    ///< document offset of view_[0]
  Step step_ = Step::kStart;
  bool first_ = true;  ///< the next member / element is the first of its container
  Section* section_ = nullptr;
  const char* section_name_ = "";
  ItemFn items_ = nullptr;
  size_t index_ = 0;
  Scan scan_;
  Error error_;
  Section org_, skus_, users_, groups_, rules_, deleted_, audits_;
  std::vector<std::string> ignored_;  ///< top-level members that are not tenant sections
  std::vector<PendingState> pending_;
  bool scan_item_ = false;  // the item at pos_ was cut off by a piece's end: scan it first
  std::vector<PendingMember> pending_members_;
  std::vector<std::string> other_ids_;  ///< pending members' ids that are not GUIDs
  std::string item_path_;               ///< the path of the item being read ("users[12]")
  bool in_page_ = false;     ///< the section being read is a Graph list (`{"value": [...]}`)
  bool page_value_ = false;  ///< its "value" was read (or is being read)
};

}  // namespace load_detail

namespace {

/// Byte offsets of a syntax error count in the UTF-8 text: say so when the document was not that.
Error WithEncoding(Error e, const std::string& encoding) {
  if (e.code != "ParseError" || encoding == "UTF-8" || encoding.empty()) return e;
  e.message += encoding == "UTF-8 with BOM"
                   ? " (bytes counted after the byte-order mark)"
                   : " (bytes counted in the document converted from " + encoding + ")";
  return e;
}

}  // namespace

struct DocumentLoad::State {
  load_detail::Loader loader;
  DocumentDecoder decoder;
  size_t bytes = 0;
  bool failed = false;
  Error error;

  bool Take(std::string_view piece, bool last, bool stable) {
    std::string_view text;
    if (!decoder.Feed(piece, last, &text)) {
      failed = true;
      // The first error in the document's order, wherever the pieces end: the text before the
      // bad bytes may hold a syntax error of its own.
      if (!text.empty() && !loader.Feed(text, false, false)) {
        error = WithEncoding(loader.GetError(), decoder.Encoding());
      } else {
        error = Error{"ParseError", decoder.Error()};
      }
      return false;
    }
    // Converted text (UTF-16) lasts only until the next piece.
    bool lasting =
        stable && text.data() >= piece.data() && text.data() <= piece.data() + piece.size();
    if (!loader.Feed(text, last, lasting)) {
      failed = true;
      error = WithEncoding(loader.GetError(), decoder.Encoding());
      return false;
    }
    return true;
  }
};

DocumentLoad::DocumentLoad(size_t size_hint) : s_(std::make_unique<State>()) {
  s_->loader.SizeHint(size_hint);
}
DocumentLoad::~DocumentLoad() = default;

Result<Unit> DocumentLoad::Feed(std::string_view bytes) {
  if (!s_->failed) {
    s_->bytes += bytes.size();
    s_->Take(bytes, false, false);
  }
  if (s_->failed) return s_->error;
  return Unit{};
}

size_t DocumentLoad::BytesRead() const { return s_->bytes; }

size_t DocumentLoad::HeldBytes() const { return s_->loader.HeldBytes(); }

Result<std::unique_ptr<Tenant>> DocumentLoad::Finish() {
  if (!s_->failed && !s_->Take({}, true, false)) return s_->error;
  if (s_->failed) return s_->error;
  auto loaded = s_->loader.Finish();
  if (!loaded.Ok()) return WithEncoding(loaded.GetError(), s_->decoder.Encoding());
  return loaded;
}

Result<std::unique_ptr<Tenant>> LoadTenant(std::string_view bytes) {
  DocumentLoad load(bytes.size());
  // One piece that lasts: nothing of it is copied.
  if (!load.s_->Take(bytes, true, true)) return load.s_->error;
  auto loaded = load.s_->loader.Finish();
  if (!loaded.Ok()) return WithEncoding(loaded.GetError(), load.s_->decoder.Encoding());
  return loaded;
}

void RecomputeCounters(Tenant* t) {
  for (auto& s : t->skus_) s.consumed = 0;
  for (auto& g : t->groups_) g.error_users = 0;
  std::vector<Id> held, err_groups;
  for (const auto& u : t->users_) {
    held.clear();
    err_groups.clear();
    for (const auto& s : u.states) {
      if (s.Holds()) held.push_back(s.sku);
      if (s.source != kDirect && s.error != ErrorKind::kNone) err_groups.push_back(s.source);
    }
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    for (Id sku : held) ++t->skus_[sku].consumed;
    std::sort(err_groups.begin(), err_groups.end());
    err_groups.erase(std::unique(err_groups.begin(), err_groups.end()), err_groups.end());
    for (Id g : err_groups) ++t->groups_[g].error_users;
  }
}

}  // namespace gbl
