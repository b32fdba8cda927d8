// Many files to one tenant document. EntraExporter (Export-Entra) writes one JSON file per object:
//   Organization/Organization.json
//   SubscribedSkus/<id>/<id>.json
//   Users/<id>/<id>.json                      (only with -All or -Type Users)
//   Groups/<id>/<id>.json                     (-Type Config: dynamic groups only; -Type Groups:
//   all) Groups/<id>/Members/<id>/<id>.json        (static groups only; dynamic groups' members
//   never)
// and many folders this project has no use for (Policies, Domains, Applications, ...).
#include "export_tree.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "json_reader.h"
#include "loader.h"
#include "tenant.h"
#include "text_encoding.h"

namespace gbl {
namespace {

constexpr const char* kExportCommand =
    "Export-Entra -Path <folder> -Type Organization,SKUs,Users,Groups (or -All)";

/// The decimal number at `text` (0 when none).
size_t ParseCount(const char* text) {
  size_t n = 0;
  while (*text >= '0' && *text <= '9') n = n * 10 + static_cast<size_t>(*text++ - '0');
  return n;
}

/// What a file is to the tenant document.
enum class Role { kNone, kOrganization, kSku, kUser, kGroup, kMember, kSectionFile };

struct Classified {
  size_t file = 0;  ///< its index in the paths
  const std::string* path = nullptr;
  std::vector<std::string> parts;  ///< path components
  Role role = Role::kNone;
  size_t root = 0;      ///< components before the export's top folder (tree roles)
  std::string group;    ///< kGroup / kMember: the group's folder name (its id)
  std::string section;  ///< kSectionFile: the section it gives
};

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : path) {
    if (c == '/' || c == '\\') {
      if (!part.empty()) parts.push_back(std::move(part));
      part.clear();
    } else {
      part.push_back(c);
    }
  }
  if (!part.empty()) parts.push_back(std::move(part));
  return parts;
}

bool EndsWithJson(std::string_view name) {
  return name.size() > 5 && NameIs(name.substr(name.size() - 5), ".json");
}

/// "<id>.json" inside the folder "<id>", EntraExporter's file for one object.
bool ObjectFile(const std::string& folder, const std::string& file) {
  return EndsWithJson(file) && file.size() == folder.size() + 5 &&
         NameIs(std::string_view(file).substr(0, folder.size()), folder);
}

/// The tree role of the components from `k` on, or kNone.
Role TreeRole(const std::vector<std::string>& p, size_t k) {
  const size_t n = p.size() - k;
  if (n == 2 && NameIs(p[k], "Organization") && NameIs(p[k + 1], "Organization.json"))
    return Role::kOrganization;
  if (n == 3 && ObjectFile(p[k + 1], p[k + 2])) {
    if (NameIs(p[k], "Users")) return Role::kUser;
    if (NameIs(p[k], "SubscribedSkus")) return Role::kSku;
    if (NameIs(p[k], "Groups")) return Role::kGroup;
  }
  if (n == 5 && NameIs(p[k], "Groups") && NameIs(p[k + 2], "Members") &&
      ObjectFile(p[k + 3], p[k + 4]))
    return Role::kMember;
  return Role::kNone;
}

/// The section a loose file gives by its name ("users.json" -> "users"), or empty.
std::string SectionOfFileName(const std::string& name) {
  for (const char* section : {"organization", "subscribedSkus", "users", "groups"}) {
    std::string file = std::string(section) + ".json";
    if (NameIs(name, file)) return section;
  }
  return {};
}

/// A file's text, decoded and checked as one JSON value; errors name the file.
struct FileText {
  DecodedText decoded;
  std::string_view Text() const { return decoded.text; }
};

Result<Unit> ReadFileText(const std::string& path, std::string_view bytes, FileText* out) {
  out->decoded = DecodeDocument(bytes);
  if (!out->decoded.error.empty()) return Error{"ParseError", path + ": " + out->decoded.error};
  // DecodeDocument's view may point into `owned`, which the move above kept in place only when
  // the string was long; point it again.
  if (!out->decoded.owned.empty()) out->decoded.text = out->decoded.owned;
  JsonReader r(out->decoded.text);
  if (!r.Skip() || !r.End()) {
    std::string what = r.Message();
    if (out->decoded.text.find_first_not_of(" \t\r\n") == std::string_view::npos)
      what = "empty file";
    return Error{"ParseError",
                 path + ": invalid JSON at byte " + std::to_string(r.Offset()) + ": " + what};
  }
  return Unit{};
}

/// Reads the object's `id` and calls `on_key` for every other member (AdditionalProperties, as
/// Graph PowerShell writes it, read as if its members stood in the object). The text is valid.
template <typename OnKey>
void ScanObject(JsonReader& r, std::string* id, OnKey&& on_key) {
  if (r.Peek() != JsonType::kObject) {
    r.Skip();
    return;
  }
  r.BeginObject();
  std::string key;
  while (r.NextKey(&key)) {
    if (NameIs(key, "id") && r.Peek() == JsonType::kString) {
      r.ReadString(id);
    } else if (NameIs(key, "AdditionalProperties")) {
      ScanObject(r, id, on_key);
    } else if (!on_key(key)) {
      r.Skip();
    }
  }
}

/// A directory object's id and @odata.type.
void ScanIdAndType(std::string_view text, std::string* id, std::string* type) {
  JsonReader r(text);
  ScanObject(r, id, [&](const std::string& key) {
    if (!NameIs(key, "@odata.type") || r.Peek() != JsonType::kString) return false;
    return r.ReadString(type);
  });
}

/// A group's id and whether its membership is dynamic (groupTypes has "DynamicMembership").
void ScanGroup(std::string_view text, std::string* id, bool* dynamic) {
  JsonReader r(text);
  ScanObject(r, id, [&](const std::string& key) {
    if (!NameIs(key, "groupTypes") || r.Peek() != JsonType::kArray) return false;
    r.BeginArray();
    std::string type;
    while (r.NextElement()) {
      if (r.Peek() == JsonType::kString && r.ReadString(&type)) {
        if (NameIs(type, "DynamicMembership")) *dynamic = true;
      } else {
        r.Skip();
      }
    }
    return true;
  });
}

/// A user's id and the groups its licenseAssignmentStates name (assignedByGroup).
void ScanUserGroups(std::string_view text, std::string* id, std::vector<std::string>* groups) {
  JsonReader r(text);
  ScanObject(r, id, [&](const std::string& key) {
    if (groups == nullptr || !NameIs(key, "licenseAssignmentStates") ||
        r.Peek() != JsonType::kArray)
      return false;
    r.BeginArray();
    while (r.NextElement()) {
      std::string ignored_id;
      ScanObject(r, &ignored_id, [&](const std::string& k2) {
        if (!NameIs(k2, "assignedByGroup") || r.Peek() != JsonType::kString) return false;
        std::string group;
        r.ReadString(&group);
        groups->push_back(std::move(group));
        return true;
      });
    }
    return true;
  });
}

/// A group of the tree: its file (held until the users are read), its members' files.
struct GroupEntry {
  size_t file = 0;
  std::string folder;
  std::string text;  ///< the group's JSON, decoded
  std::string id;
  bool dynamic = false;
  std::vector<size_t> members;        ///< member files, in path order
  std::vector<std::string> inferred;  ///< a dynamic group's users, from their states
};

/// One step of the reading order: a file to read, or a group to open (its text is held).
struct Step {
  Role role = Role::kNone;
  size_t file = std::string::npos;   ///< npos: no file (a group opens)
  size_t group = std::string::npos;  ///< the group a member or an opening belongs to
  std::string section;               ///< kSectionFile: the section it gives
};

}  // namespace

struct ExportAssembler::State {
  std::vector<std::string> paths;
  std::vector<Step> steps;
  size_t next = 0;  ///< next step
  std::vector<GroupEntry> groups;
  std::unordered_map<std::string, size_t> group_by_id;  ///< lower-case id -> group
  size_t inferred_groups = 0;
  std::unordered_set<std::string> user_ids;  ///< lower case, for the member check
  bool users_unchecked = false;              ///< users from a section file: not checked
  std::vector<std::string> warnings;
  std::string tree_name;

  DocumentLoad load;
  size_t emitted = 0;
  std::vector<AssembledOrigin> origins;
  std::string open_section;  ///< the section being written
  bool array_section = false;
  size_t items = 0;                       ///< items written in the open section
  size_t open_group = std::string::npos;  ///< the group whose members are being written
  size_t members = 0;                     ///< members written in the open group
  bool first_section = true;
  bool failed = false;
  Error error;

  bool Fail(Error e) {
    failed = true;
    error = std::move(e);
    return false;
  }
  /// Feeds document text to the loader; a failure is named by file.
  bool Emit(std::string_view text) {
    emitted += text.size();
    auto fed = load.Feed(text);
    if (!fed.Ok()) return Fail(Locate(fed.GetError()));
    return true;
  }
  bool OpenSection(const std::string& name, bool array) {
    if (open_section == name) return true;
    if (!CloseSection()) return false;
    std::string head = first_section ? "{\"" : ",\"";
    head += name;
    head += array ? "\":[" : "\":";
    first_section = false;
    open_section = name;
    array_section = array;
    items = 0;
    return Emit(head);
  }
  bool CloseSection() {
    if (open_section.empty()) return true;
    if (!CloseGroup()) return false;
    open_section.clear();
    return !array_section || Emit("]");
  }
  /// Starts an item of the open section: its separator and where it came from.
  bool Item(const std::string& section, size_t index, size_t file) {
    if (items++ > 0 && !Emit(",")) return false;
    AssembledOrigin o;
    o.section = section;
    o.index = index;
    o.file = file;
    o.begin = emitted;
    origins.push_back(std::move(o));
    return true;
  }
  bool OpenGroup(size_t g) {
    if (!CloseGroup() || !OpenSection("groups", true)) return false;
    GroupEntry& entry = groups[g];
    std::string_view text = entry.text;
    size_t open = text.find_first_not_of(" \t\r\n");
    size_t close = text.find_last_not_of(" \t\r\n");
    if (open == std::string_view::npos || text[open] != '{') {
      return Fail(Error{"SchemaError", paths[entry.file] + ": expected a group object"});
    }
    if (!Item("groups", g, entry.file)) return false;
    bool empty_object = text.find_first_not_of(" \t\r\n", open + 1) == close;
    std::string head(text.substr(0, close));
    head += empty_object ? "\"members\":[" : ",\"members\":[";
    origins.back().members_inferred = entry.dynamic && entry.members.empty();
    entry.text = std::string();  // written: no longer held
    open_group = g;
    members = 0;
    return Emit(head);
  }
  bool CloseGroup() {
    if (open_group == std::string::npos) return true;
    GroupEntry& g = groups[open_group];
    std::string tail;
    for (const std::string& id : g.inferred) {
      if (members++ > 0) tail += ",";
      tail += "\"" + id + "\"";  // a GUID read from a string: no characters to escape
    }
    tail += "]}";
    open_group = std::string::npos;
    if (!Emit(tail)) return false;
    origins.back().end = emitted;
    return true;
  }
  /// Runs the steps that read no file (groups opening) up to the next file.
  bool Advance() {
    while (next < steps.size() && steps[next].file == std::string::npos) {
      if (!OpenGroup(steps[next].group)) return false;
      ++next;
    }
    return true;
  }
  bool Read(const Step& step, std::string_view bytes);
  Error Locate(Error e) const;
};

ExportAssembler::ExportAssembler() : s_(std::make_unique<State>()) {}
ExportAssembler::~ExportAssembler() = default;

Result<std::vector<size_t>> ExportAssembler::Plan(std::vector<std::string> paths) {
  State& st = *s_;
  st.paths = std::move(paths);
  // 1. What each file is. The export's root is the shortest prefix before a tree folder, so a
  //    deeper "PIM/Groups/<id>/<id>.json" is not taken for a group.
  std::vector<Classified> all;
  size_t root_len = std::string::npos;
  const Classified* root_file = nullptr;
  for (size_t i = 0; i < st.paths.size(); ++i) {
    Classified c;
    c.file = i;
    c.path = &st.paths[i];
    c.parts = SplitPath(st.paths[i]);
    bool hidden = std::any_of(c.parts.begin(), c.parts.end(),
                              [](const std::string& p) { return p[0] == '.'; });
    if (c.parts.empty() || hidden || !EndsWithJson(c.parts.back())) continue;  // .git, README.md
    for (size_t k = 0; k < c.parts.size(); ++k) {
      Role role = TreeRole(c.parts, k);
      if (role == Role::kNone) continue;
      c.role = role;
      c.root = k;
      break;
    }
    all.push_back(std::move(c));
  }
  for (const Classified& c : all) {
    if (c.role != Role::kNone && c.root < root_len) {
      root_len = c.root;
      root_file = &c;
    }
  }
  std::set<std::string> ignored;
  std::vector<const Classified*> organization, skus, users, section_files, members;
  for (Classified& c : all) {
    bool under_root =
        root_file != nullptr && c.parts.size() > root_len &&
        std::equal(root_file->parts.begin(), root_file->parts.begin() + root_len, c.parts.begin());
    if (c.role != Role::kNone && (!under_root || c.root != root_len)) c.role = Role::kNone;
    if (c.role == Role::kNone) {
      std::string section = SectionOfFileName(c.parts.back());
      if (!section.empty() && (!under_root || c.parts.size() == root_len + 1)) {
        c.role = Role::kSectionFile;
        c.section = section;
        section_files.push_back(&c);
      } else if (under_root) {
        const std::string& top = c.parts[root_len];
        bool known = NameIs(top, "Organization") || NameIs(top, "SubscribedSkus") ||
                     NameIs(top, "Users") || NameIs(top, "Groups");
        // Owners, Branding and the like under a known folder are not licensing data.
        if (!known) ignored.insert(c.parts.size() == root_len + 1 ? top : top + "/");
      } else {
        ignored.insert(*c.path);
      }
      continue;
    }
    if (c.role == Role::kGroup || c.role == Role::kMember) c.group = c.parts[root_len + 1];
    switch (c.role) {
      case Role::kOrganization:
        organization.push_back(&c);
        break;
      case Role::kSku:
        skus.push_back(&c);
        break;
      case Role::kUser:
        users.push_back(&c);
        break;
      case Role::kGroup: {
        GroupEntry g;
        g.file = c.file;
        g.folder = c.group;
        st.groups.push_back(std::move(g));
        break;
      }
      case Role::kMember:
        members.push_back(&c);
        break;
      default:
        break;
    }
  }
  const bool tree = root_file != nullptr;
  if (!tree && section_files.empty()) {
    return Error{"SchemaError",
                 "none of the " + std::to_string(st.paths.size()) +
                     " files is part of an EntraExporter export (its Users, Groups and "
                     "SubscribedSkus folders) or a section file (users.json, groups.json, "
                     "subscribedSkus.json, organization.json); choose the export's folder"};
  }
  // A section comes from the tree or from one section file, never from both.
  std::map<std::string, std::string> source;
  std::map<std::string, const Classified*> loose;
  auto claim = [&](const std::string& section, const std::string& from) -> Result<Unit> {
    auto [it, inserted] = source.emplace(section, from);
    if (!inserted) {
      return Error{"SchemaError", "both " + it->second + " and " + from + " give " + section +
                                      ": choose one of them"};
    }
    return Unit{};
  };
  st.tree_name = tree ? (root_len == 0 ? std::string("the export")
                                       : "the export in " + root_file->parts[root_len - 1])
                      : std::string();
  const std::pair<const char*, bool> tree_sections[] = {{"organization", !organization.empty()},
                                                        {"subscribedSkus", !skus.empty()},
                                                        {"users", !users.empty()},
                                                        {"groups", !st.groups.empty()}};
  const char* folders[] = {"Organization", "SubscribedSkus", "Users", "Groups"};
  for (size_t k = 0; k < 4; ++k) {
    if (!tree_sections[k].second) continue;
    auto r = claim(tree_sections[k].first, st.tree_name + "'s " + folders[k] + " folder");
    if (!r.Ok()) return r.GetError();
  }
  for (const Classified* c : section_files) {
    if (auto r = claim(c->section, *c->path); !r.Ok()) return r.GetError();
    loose[c->section] = c;
  }
  if (tree) {
    auto missing = [&](const char* folder, const char* type) {
      return Error{"SchemaError",
                   st.tree_name + " has no " + folder + " folder: EntraExporter writes " + folder +
                       " only with -All or -Type " + type + ". Run " + kExportCommand};
    };
    if (!source.count("users")) return missing("Users", "Users");
    if (!source.count("subscribedSkus")) return missing("SubscribedSkus", "SKUs");
    if (!source.count("groups")) {
      st.warnings.push_back(st.tree_name +
                            " has no Groups folder (EntraExporter writes groups with -Type "
                            "Config or Groups): the tenant has no groups");
    }
  }
  if (!ignored.empty()) {
    st.warnings.push_back("ignored: " + JoinWords({ignored.begin(), ignored.end()}));
  }

  // 2. The reading order: the groups first (held: their kinds decide whether the users' states
  //    are read for members), then the document's sections in the order the loader reads them,
  //    each group followed by its members.
  auto by_path = [](const Classified* a, const Classified* b) { return *a->path < *b->path; };
  std::sort(st.groups.begin(), st.groups.end(), [&](const GroupEntry& a, const GroupEntry& b) {
    return st.paths[a.file] < st.paths[b.file];
  });
  std::unordered_map<std::string, size_t> group_by_folder;
  for (size_t g = 0; g < st.groups.size(); ++g)
    group_by_folder.emplace(Lower(st.groups[g].folder), g);
  std::sort(members.begin(), members.end(), by_path);
  for (const Classified* m : members) {
    auto it = group_by_folder.find(Lower(m->group));
    if (it == group_by_folder.end()) {
      return Error{"SchemaError", *m->path + ": a member of group folder \"" + m->group +
                                      "\", which has no " + m->group + ".json"};
    }
    st.groups[it->second].members.push_back(m->file);
  }
  for (size_t g = 0; g < st.groups.size(); ++g) {
    st.steps.push_back({Role::kGroup, st.groups[g].file, g, {}});
  }
  auto add = [&](const char* section, Role role, std::vector<const Classified*>& list) {
    if (auto it = loose.find(section); it != loose.end()) {
      st.steps.push_back({Role::kSectionFile, it->second->file, std::string::npos, section});
      return;
    }
    std::sort(list.begin(), list.end(), by_path);
    for (const Classified* c : list) st.steps.push_back({role, c->file, std::string::npos, {}});
  };
  add("organization", Role::kOrganization, organization);
  add("subscribedSkus", Role::kSku, skus);
  add("users", Role::kUser, users);
  if (auto it = loose.find("groups"); it != loose.end()) {
    st.steps.push_back({Role::kSectionFile, it->second->file, std::string::npos, "groups"});
  }
  for (size_t g = 0; g < st.groups.size(); ++g) {
    st.steps.push_back({Role::kNone, std::string::npos, g, {}});  // the group opens
    for (size_t m : st.groups[g].members) st.steps.push_back({Role::kMember, m, g, {}});
  }
  std::vector<size_t> order;
  for (const Step& step : st.steps) {
    if (step.file != std::string::npos) order.push_back(step.file);
  }
  return order;
}

bool ExportAssembler::State::Read(const Step& step, std::string_view bytes) {
  const std::string& path = paths[step.file];
  FileText text;
  if (auto r = ReadFileText(path, bytes, &text); !r.Ok()) return Fail(r.GetError());
  switch (step.role) {
    case Role::kGroup: {  // held until the users are read
      GroupEntry& g = groups[step.group];
      ScanGroup(text.Text(), &g.id, &g.dynamic);
      if (g.id.empty()) g.id = g.folder;
      g.text.assign(text.Text().data(), text.Text().size());
      group_by_id.emplace(Lower(g.id), step.group);
      inferred_groups += g.dynamic && g.members.empty();
      return true;
    }
    case Role::kSectionFile: {
      if (!OpenSection(step.section, false)) return false;  // the file is the section's value
      if (step.section == "users") users_unchecked = true;
      if (!Item(step.section, std::string::npos, step.file) || !Emit(text.Text())) return false;
      origins.back().end = emitted;
      return true;
    }
    case Role::kOrganization: {
      if (!OpenSection("organization", false) || !Item("organization", 0, step.file) ||
          !Emit(text.Text()))
        return false;
      origins.back().end = emitted;
      return true;
    }
    case Role::kSku:
    case Role::kUser: {
      const std::string section = step.role == Role::kSku ? "subscribedSkus" : "users";
      if (!OpenSection(section, true)) return false;
      const size_t index = items;
      if (step.role == Role::kUser) {
        std::string id;
        std::vector<std::string> states;
        ScanUserGroups(text.Text(), &id, inferred_groups > 0 ? &states : nullptr);
        if (id.empty()) id = SplitPath(path).end()[-2];
        for (const std::string& gid : states) {
          auto g = group_by_id.find(Lower(gid));
          if (g == group_by_id.end()) continue;
          GroupEntry& entry = groups[g->second];
          if (entry.dynamic && entry.members.empty() &&
              (entry.inferred.empty() || entry.inferred.back() != id)) {
            entry.inferred.push_back(id);
          }
        }
        user_ids.insert(Lower(id));
      }
      if (!Item(section, index, step.file) || !Emit(text.Text())) return false;
      origins.back().end = emitted;
      return true;
    }
    case Role::kMember: {
      std::string id, type;
      ScanIdAndType(text.Text(), &id, &type);
      if ((type.empty() || NameIs(type, "#microsoft.graph.user")) && !users_unchecked &&
          !user_ids.count(Lower(id)) && !group_by_id.count(Lower(id))) {
        return Fail(
            Error{"SchemaError", path + ": user \"" + id +
                                     "\" is a member but is not in the Users folder. An export run "
                                     "with -CloudUsersAndGroupsOnly leaves synced users out while "
                                     "their cloud groups keep them; run " +
                                     std::string(kExportCommand) + " without it"});
      }
      if (members++ > 0 && !Emit(",")) return false;
      // The group's origin is the last one while its members are written.
      origins.back().member_files.push_back(step.file);
      return Emit(text.Text());
    }
    default:
      return true;
  }
}

Result<Unit> ExportAssembler::Feed(std::string_view bytes) {
  State& st = *s_;
  if (st.failed) return st.error;
  if (!st.Advance()) return st.error;
  if (st.next >= st.steps.size()) {
    return Error{"BadRequest", "feedExportFile: every file of the order was read already"};
  }
  if (!st.Read(st.steps[st.next++], bytes)) return st.error;
  return Unit{};
}

Result<std::unique_ptr<Tenant>> ExportAssembler::Finish() {
  State& st = *s_;
  if (st.failed) return st.error;
  if (!st.Advance()) return st.error;
  if (st.next < st.steps.size()) {
    return Error{"BadRequest", "finishExportFiles: " + std::to_string(st.steps.size() - st.next) +
                                   " files of the order were not read"};
  }
  if (!st.CloseSection() || !st.Emit(st.first_section ? "{}" : "}")) return st.error;
  auto done = st.load.Finish();
  if (!done.Ok()) return st.Locate(done.GetError());
  std::unique_ptr<Tenant> tenant = std::move(done.Value());
  if (st.inferred_groups > 0) {
    st.warnings.insert(
        st.warnings.begin(),
        std::to_string(st.inferred_groups) +
            (st.inferred_groups == 1 ? " dynamic group has" : " dynamic groups have") +
            " no Members folder (EntraExporter does not export dynamic groups' members): "
            "members read from the users' licenseAssignmentStates, so only members holding the "
            "group's licenses are known");
  }
  tenant->load_warnings.insert(tenant->load_warnings.begin(), st.warnings.begin(),
                               st.warnings.end());
  return tenant;
}

Error ExportAssembler::State::Locate(Error e) const {
  std::string& m = e.message;
  // Schema paths: "users[3].usageLocation: ..." -> "Users/<id>/<id>.json: usageLocation: ...".
  size_t bracket = m.find('[');
  size_t colon = m.find(": ");
  if (bracket != std::string::npos && colon != std::string::npos && bracket < colon) {
    std::string section = m.substr(0, bracket);
    size_t close = m.find(']', bracket);
    size_t index = std::string::npos;
    if (close != std::string::npos && close < colon) {
      index = ParseCount(m.c_str() + bracket + 1);
    }
    for (const AssembledOrigin& o : origins) {
      if (o.section != section) continue;
      if (o.index == std::string::npos) {  // a section file: its own paths stand
        return Error{e.code, paths[o.file] + ": " + m};
      }
      if (o.index != index) continue;
      std::string rest = m.substr(close + 1);
      std::string file = paths[o.file];
      const std::string members_at = ".members[";
      if (rest.compare(0, members_at.size(), members_at) == 0) {
        size_t j = ParseCount(rest.c_str() + members_at.size());
        size_t end = rest.find(']');
        if (j < o.member_files.size() && end != std::string::npos) {
          file = paths[o.member_files[j]];
          rest = rest.substr(end + 1);
        } else if (o.members_inferred) {
          rest = " (members read from users' licenseAssignmentStates)" + rest;
        }
      }
      if (!rest.empty() && rest[0] == '.') rest = rest.substr(1);
      if (rest.compare(0, 2, ": ") == 0) return Error{e.code, file + rest};
      return Error{e.code, file + ": " + rest};
    }
  }
  // Byte offsets: name the file the byte is in, and the byte within it.
  const std::string byte = "byte ";
  size_t at = m.find(byte);
  if (at != std::string::npos) {
    size_t n = ParseCount(m.c_str() + at + byte.size());
    for (const AssembledOrigin& o : origins) {
      if (n < o.begin || n >= o.end) continue;
      size_t digits = m.find_first_not_of("0123456789", at + byte.size());
      m = paths[o.file] + ": " + m.substr(0, at) + byte + std::to_string(n - o.begin) +
          (digits == std::string::npos ? std::string() : m.substr(digits));
      break;
    }
  }
  return e;
}

}  // namespace gbl
