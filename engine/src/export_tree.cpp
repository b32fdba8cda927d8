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
  const ExportFile* file = nullptr;
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

Result<Unit> ReadFileText(const ExportFile& file, FileText* out) {
  out->decoded = DecodeDocument(file.bytes);
  if (!out->decoded.error.empty())
    return Error{"ParseError", file.path + ": " + out->decoded.error};
  // DecodeDocument's view may point into `owned`, which the move above kept in place only when
  // the string was long; point it again.
  if (!out->decoded.owned.empty()) out->decoded.text = out->decoded.owned;
  JsonReader r(out->decoded.text);
  if (!r.Skip() || !r.End()) {
    std::string what = r.Message();
    if (out->decoded.text.find_first_not_of(" \t\r\n") == std::string_view::npos)
      what = "empty file";
    return Error{"ParseError",
                 file.path + ": invalid JSON at byte " + std::to_string(r.Offset()) + ": " + what};
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

/// Where a group's members come from.
struct GroupEntry {
  const Classified* file = nullptr;
  FileText text;
  std::string id;
  bool dynamic = false;
  std::vector<const Classified*> members;
  std::vector<std::string> inferred;  ///< a dynamic group's users, from their states
};

}  // namespace

Result<AssembledExport> AssembleExport(const std::vector<ExportFile>& files) {
  // 1. What each file is. The export's root is the shortest prefix before a tree folder, so a
  //    deeper "PIM/Groups/<id>/<id>.json" is not taken for a group.
  std::vector<Classified> all;
  all.reserve(files.size());
  size_t root_len = std::string::npos;
  const Classified* root_file = nullptr;
  for (const ExportFile& f : files) {
    Classified c;
    c.file = &f;
    c.parts = SplitPath(f.path);
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
  AssembledExport out;
  std::vector<const Classified*> organization, skus, users, section_files;
  std::vector<GroupEntry> groups;
  std::vector<const Classified*> members;
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
        ignored.insert(c.file->path);
      }
      continue;
    }
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
        g.file = &c;
        groups.push_back(std::move(g));
        break;
      }
      case Role::kMember:
        members.push_back(&c);
        break;
      default:
        break;
    }
    if (c.role == Role::kGroup || c.role == Role::kMember) c.group = c.parts[root_len + 1];
  }
  const bool tree = root_file != nullptr;
  if (!tree && section_files.empty()) {
    return Error{"SchemaError",
                 "none of the " + std::to_string(files.size()) +
                     " files is part of an EntraExporter export (its Users, Groups and "
                     "SubscribedSkus folders) or a section file (users.json, groups.json, "
                     "subscribedSkus.json, organization.json); choose the export's folder"};
  }
  // A section comes from the tree or from one section file, never from both.
  std::map<std::string, std::string> section_source;
  auto claim = [&](const std::string& section, const std::string& source) -> Result<Unit> {
    auto [it, inserted] = section_source.emplace(section, source);
    if (!inserted) {
      return Error{"SchemaError", "both " + it->second + " and " + source + " give " + section +
                                      ": choose one of them"};
    }
    return Unit{};
  };
  const std::string tree_name =
      tree ? (root_len == 0 ? std::string("the export")
                            : "the export in " + root_file->parts[root_len - 1])
           : std::string();
  if (!organization.empty()) {
    if (auto r = claim("organization", tree_name + "'s Organization folder"); !r.Ok())
      return r.GetError();
  }
  if (!skus.empty()) {
    if (auto r = claim("subscribedSkus", tree_name + "'s SubscribedSkus folder"); !r.Ok())
      return r.GetError();
  }
  if (!users.empty()) {
    if (auto r = claim("users", tree_name + "'s Users folder"); !r.Ok()) return r.GetError();
  }
  if (!groups.empty()) {
    if (auto r = claim("groups", tree_name + "'s Groups folder"); !r.Ok()) return r.GetError();
  }
  for (const Classified* c : section_files) {
    if (auto r = claim(c->section, c->file->path); !r.Ok()) return r.GetError();
  }
  if (tree) {
    auto missing = [&](const char* folder, const char* type) {
      return Error{"SchemaError",
                   tree_name + " has no " + folder + " folder: EntraExporter writes " + folder +
                       " only with -All or -Type " + type + ". Run " + kExportCommand};
    };
    if (!section_source.count("users")) return missing("Users", "Users");
    if (!section_source.count("subscribedSkus")) return missing("SubscribedSkus", "SKUs");
    if (!section_source.count("groups")) {
      out.warnings.push_back(tree_name +
                             " has no Groups folder (EntraExporter writes groups with -Type "
                             "Config or Groups): the tenant has no groups");
    }
  }

  // 2. Groups first: their ids and kinds decide whether users' states are read for members.
  std::sort(groups.begin(), groups.end(), [](const GroupEntry& a, const GroupEntry& b) {
    return a.file->file->path < b.file->file->path;
  });
  std::unordered_map<std::string, size_t> group_by_folder, group_by_id;
  for (size_t i = 0; i < groups.size(); ++i) {
    GroupEntry& g = groups[i];
    if (auto r = ReadFileText(*g.file->file, &g.text); !r.Ok()) return r.GetError();
    ScanGroup(g.text.Text(), &g.id, &g.dynamic);
    if (g.id.empty()) g.id = g.file->group;
    group_by_folder.emplace(Lower(g.file->group), i);
    group_by_id.emplace(Lower(g.id), i);
  }
  std::sort(members.begin(), members.end(),
            [](const Classified* a, const Classified* b) { return a->file->path < b->file->path; });
  for (const Classified* m : members) {
    auto it = group_by_folder.find(Lower(m->group));
    if (it == group_by_folder.end()) {
      return Error{"SchemaError", m->file->path + ": a member of group folder \"" + m->group +
                                      "\", which has no " + m->group + ".json"};
    }
    groups[it->second].members.push_back(m);
  }
  size_t inferred_groups = 0;
  for (const GroupEntry& g : groups) inferred_groups += g.dynamic && g.members.empty();

  // 3. The document, section by section, each item remembered with its file and bytes.
  std::string& doc = out.document;
  doc = "{";
  bool first_section = true;
  auto open_section = [&](const char* name) {
    if (!first_section) doc += ",";
    first_section = false;
    doc += "\"";
    doc += name;
    doc += "\":";
  };
  auto append_item = [&](const std::string& section, size_t index, const std::string& path,
                         std::string_view text) {
    AssembledExport::Origin o;
    o.section = section;
    o.index = index;
    o.file = path;
    o.begin = doc.size();
    doc.append(text.data(), text.size());
    o.end = doc.size();
    out.origins.push_back(std::move(o));
  };
  auto by_path = [](const Classified* a, const Classified* b) {
    return a->file->path < b->file->path;
  };
  std::unordered_set<std::string> user_ids;  // lower case, for member checks
  for (const char* section : {"organization", "subscribedSkus", "users", "groups"}) {
    auto source = section_source.find(section);
    if (source == section_source.end()) continue;
    open_section(section);
    const Classified* loose = nullptr;
    for (const Classified* c : section_files) {
      if (c->section == section) loose = c;
    }
    if (loose != nullptr) {  // a section file is the section's value (an array or a Graph page)
      FileText text;
      if (auto r = ReadFileText(*loose->file, &text); !r.Ok()) return r.GetError();
      append_item(section, std::string::npos, loose->file->path, text.Text());
      if (std::string(section) == "users") user_ids.insert("*");  // not checked
      continue;
    }
    std::string_view name(section);
    if (name == "organization") {
      FileText text;
      if (auto r = ReadFileText(*organization.front()->file, &text); !r.Ok()) return r.GetError();
      append_item(section, 0, organization.front()->file->path, text.Text());
      continue;
    }
    doc += "[";
    if (name == "subscribedSkus" || name == "users") {
      std::vector<const Classified*>& list = name == "users" ? users : skus;
      std::sort(list.begin(), list.end(), by_path);
      for (size_t i = 0; i < list.size(); ++i) {
        if (i > 0) doc += ",";
        FileText text;
        if (auto r = ReadFileText(*list[i]->file, &text); !r.Ok()) return r.GetError();
        if (name == "users") {
          std::string id;
          std::vector<std::string> states;
          ScanUserGroups(text.Text(), &id, inferred_groups > 0 ? &states : nullptr);
          if (id.empty()) id = list[i]->parts[root_len + 1];
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
        append_item(section, i, list[i]->file->path, text.Text());
      }
    } else {  // groups, each with its members spliced in
      for (size_t i = 0; i < groups.size(); ++i) {
        GroupEntry& g = groups[i];
        if (i > 0) doc += ",";
        std::string_view text = g.text.Text();
        size_t open = text.find_first_not_of(" \t\r\n");
        size_t close = text.find_last_not_of(" \t\r\n");
        if (open == std::string_view::npos || text[open] != '{') {
          return Error{"SchemaError", g.file->file->path + ": expected a group object"};
        }
        append_item(section, i, g.file->file->path, text.substr(0, close));
        AssembledExport::Origin& origin = out.origins.back();
        bool empty_object = text.find_first_not_of(" \t\r\n", open + 1) == close;
        doc += empty_object ? "\"members\":[" : ",\"members\":[";
        for (size_t j = 0; j < g.members.size(); ++j) {
          FileText member;
          const ExportFile& file = *g.members[j]->file;
          if (auto r = ReadFileText(file, &member); !r.Ok()) return r.GetError();
          std::string id, type;
          ScanIdAndType(member.Text(), &id, &type);
          if ((type.empty() || NameIs(type, "#microsoft.graph.user")) && !user_ids.count("*") &&
              !user_ids.count(Lower(id)) && !group_by_id.count(Lower(id)) &&
              !NameIs(type, "#microsoft.graph.group")) {
            return Error{"SchemaError",
                         file.path + ": user \"" + id +
                             "\" is a member but is not in the Users folder. An export run with "
                             "-CloudUsersAndGroupsOnly leaves synced users out while their cloud "
                             "groups keep them; run " +
                             std::string(kExportCommand) + " without it"};
          }
          if (j > 0) doc += ",";
          doc.append(member.Text().data(), member.Text().size());
          origin.member_files.push_back(file.path);
        }
        for (size_t j = 0; j < g.inferred.size(); ++j) {
          if (j > 0) doc += ",";
          doc += "\"";
          doc += g.inferred[j];  // a GUID read from a string: no characters to escape
          doc += "\"";
        }
        origin.members_inferred = g.dynamic && g.members.empty();
        doc += "]}";
        origin.end = doc.size();
      }
    }
    doc += "]";
  }
  doc += "}";
  if (inferred_groups > 0) {
    out.warnings.push_back(
        std::to_string(inferred_groups) +
        (inferred_groups == 1 ? " dynamic group has" : " dynamic groups have") +
        " no Members folder (EntraExporter does not export dynamic groups' members): members "
        "read from the users' licenseAssignmentStates, so only members holding the group's "
        "licenses are known");
  }
  if (!ignored.empty()) {
    out.warnings.push_back("ignored: " + JoinWords({ignored.begin(), ignored.end()}));
  }
  return out;
}

Error AssembledExport::Locate(Error error) const {
  std::string& m = error.message;
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
    for (const Origin& o : origins) {
      if (o.section != section) continue;
      if (o.index == std::string::npos) {  // a section file: its own paths stand
        return Error{error.code, o.file + ": " + m};
      }
      if (o.index != index) continue;
      std::string rest = m.substr(close + 1);
      std::string file = o.file;
      const std::string members = ".members[";
      if (rest.compare(0, members.size(), members) == 0) {
        size_t j = ParseCount(rest.c_str() + members.size());
        size_t end = rest.find(']');
        if (j < o.member_files.size() && end != std::string::npos) {
          file = o.member_files[j];
          rest = rest.substr(end + 1);
        } else if (o.members_inferred) {
          rest = " (members read from users' licenseAssignmentStates)" + rest;
        }
      }
      if (!rest.empty() && rest[0] == '.') rest = rest.substr(1);
      if (rest.compare(0, 2, ": ") == 0) return Error{error.code, file + rest};
      return Error{error.code, file + ": " + rest};
    }
  }
  // Byte offsets: name the file the byte is in, and the byte within it.
  const std::string byte = "byte ";
  size_t at = m.find(byte);
  if (at != std::string::npos) {
    size_t n = ParseCount(m.c_str() + at + byte.size());
    for (const Origin& o : origins) {
      if (n < o.begin || n >= o.end) continue;
      size_t digits = m.find_first_not_of("0123456789", at + byte.size());
      m = o.file + ": " + m.substr(0, at) + byte + std::to_string(n - o.begin) +
          (digits == std::string::npos ? std::string() : m.substr(digits));
      break;
    }
  }
  return error;
}

}  // namespace gbl
