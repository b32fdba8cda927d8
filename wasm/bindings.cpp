// embind over gbl::Engine. The only file of the project that includes Emscripten.
//
// Conventions (see wasm/engine-api.mjs for the JS side):
// - Every fallible entry point returns a plain object {ok: true, value} or
//   {ok: false, error: {code, message}}; nothing throws across the boundary (toolchain trap 4).
//   Each entry point still catches everything (bad_alloc included) and turns it into an
//   `Internal` error, so an unexpected throw cannot unwind through JS frames.
// - Large inputs arrive as bytes the JS side copied into the heap (pointer + length from _malloc);
//   the exported document streams out in ~1 MiB pieces through a JS callback (ptr, len) that copies
//   each piece out of HEAPU8; the synthetic tenant is held here and handed out as {ptr, len}: the
//   JS side slices HEAPU8 and then calls releaseOutput().
// - Pointers and lengths are unsigned (`uintptr_t`, `size_t`): embind converts them with `>>> 0`,
//   so heaps above 2 GiB work.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>
#include <emscripten/heap.h>
#include <emscripten/stack.h>
#include <emscripten/val.h>
#include <malloc.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "gbl/engine.h"
#include "small_blocks.h"

namespace {

using emscripten::val;

/// Bytes held for the JS side between a producing call and releaseOutput().
std::string& HeldOutput() {
  static std::string held;
  return held;
}

val Success(val value) {
  val result = val::object();
  result.set("ok", true);
  result.set("value", std::move(value));
  return result;
}

val Failure(const std::string& code, const std::string& message) {
  val error = val::object();
  error.set("code", code);
  error.set("message", message);
  val result = val::object();
  result.set("ok", false);
  result.set("error", std::move(error));
  return result;
}

val FromError(const gbl::Error& error) { return Failure(error.code, error.message); }

/// Runs `body` and turns anything thrown into an `Internal` failure.
template <typename Body>
val Guarded(const char* what, Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Failure("Internal",
                   std::string(what) + ": out of memory (the wasm heap is limited to 4 GiB)");
  } catch (const std::exception& e) {
    return Failure("Internal", std::string(what) + ": " + e.what());
  } catch (...) {
    return Failure("Internal", std::string(what) + ": unexpected failure");
  }
}

val SummaryValue(const gbl::LoadSummary& summary) {
  val value = val::object();
  value.set("users", static_cast<double>(summary.users));
  value.set("groups", static_cast<double>(summary.groups));
  value.set("skus", static_cast<double>(summary.skus));
  value.set("memberships", static_cast<double>(summary.memberships));
  value.set("queuedGroups", static_cast<double>(summary.queued_groups));
  value.set("otherMembers", static_cast<double>(summary.other_members));
  val warnings = val::array();
  for (size_t i = 0; i < summary.warnings.size(); ++i) warnings.set(i, summary.warnings[i]);
  value.set("warnings", warnings);
  return value;
}

val ProgressValue(const gbl::ProcessProgress& progress) {
  val value = val::object();
  value.set("groupId", progress.group_id);
  value.set("groupName", progress.group_name);
  value.set("processed", static_cast<double>(progress.processed));
  value.set("total", static_cast<double>(progress.total));
  value.set("queuedGroups", static_cast<double>(progress.queued_groups));
  value.set("groupsCompleted", static_cast<double>(progress.groups_completed));
  value.set("done", progress.done);
  value.set("cancelled", progress.cancelled);
  return value;
}

/// Frees the held output (its capacity too).
void ReleaseHeld() {
  std::string empty;
  HeldOutput().swap(empty);
}

/// Hands the held output to JS as {ptr, len}.
val HeldOutputValue() {
  const std::string& held = HeldOutput();
  val value = val::object();
  value.set("ptr", static_cast<double>(reinterpret_cast<uintptr_t>(held.data())));
  value.set("len", static_cast<double>(held.size()));
  return value;
}

/// A JS number as a non-negative count; NaN, negatives and infinities are rejected.
bool ToCount(double number, size_t* out) {
  if (!std::isfinite(number) || number < 0 || number > 4294967295.0) return false;
  *out = static_cast<size_t>(number);
  return true;
}

/// One engine instance, owned by the JS wrapper (which calls delete()).
class WasmEngine {
 public:
  val LoadDocument(uintptr_t ptr, size_t len) {
    return Guarded("loadDocument", [&] {
      if (ptr == 0 && len != 0) return Failure("BadRequest", "loadDocument: null input pointer");
      std::string_view text(reinterpret_cast<const char*>(ptr), len);
      auto result = engine_.LoadDocument(text);
      if (!result.Ok()) return FromError(result.GetError());
      return Success(SummaryValue(result.Value()));
    });
  }

  void BeginLoad(double size_hint) {
    size_t hint = 0;
    engine_.BeginLoad(ToCount(size_hint, &hint) ? hint : 0);
  }

  val FeedLoad(uintptr_t ptr, size_t len) {
    return Guarded("feedLoad", [&] {
      if (ptr == 0 && len != 0) return Failure("BadRequest", "feedLoad: null input pointer");
      auto fed = engine_.FeedLoad(std::string_view(reinterpret_cast<const char*>(ptr), len));
      if (!fed.Ok()) return FromError(fed.GetError());
      return Success(val(static_cast<double>(engine_.LoadedBytes())));
    });
  }

  val FinishLoad() {
    return Guarded("finishLoad", [&] {
      auto result = engine_.FinishLoad();
      if (!result.Ok()) return FromError(result.GetError());
      return Success(SummaryValue(result.Value()));
    });
  }

  void CancelLoad() { engine_.CancelLoad(); }

  val BeginExportFiles(val paths) {
    return Guarded("beginExportFiles", [&] {
      const size_t count = paths["length"].as<size_t>();
      std::vector<std::string> list(count);
      for (size_t i = 0; i < count; ++i) list[i] = paths[i].as<std::string>();
      auto order = engine_.BeginExportFiles(std::move(list));
      if (!order.Ok()) return FromError(order.GetError());
      val out = val::array();
      for (size_t i = 0; i < order.Value().size(); ++i) {
        out.set(i, static_cast<double>(order.Value()[i]));
      }
      return Success(out);
    });
  }

  val FeedExportFile(uintptr_t ptr, size_t len) {
    return Guarded("feedExportFile", [&] {
      if (ptr == 0 && len != 0) return Failure("BadRequest", "feedExportFile: null input pointer");
      auto fed = engine_.FeedExportFile(std::string_view(reinterpret_cast<const char*>(ptr), len));
      if (!fed.Ok()) return FromError(fed.GetError());
      return Success(val::null());
    });
  }

  val FinishExportFiles() {
    return Guarded("finishExportFiles", [&] {
      auto result = engine_.FinishExportFiles();
      if (!result.Ok()) return FromError(result.GetError());
      return Success(SummaryValue(result.Value()));
    });
  }

  val LoadSample() {
    return Guarded("loadSample", [&] {
      auto result = engine_.LoadSample();
      if (!result.Ok()) return FromError(result.GetError());
      return Success(SummaryValue(result.Value()));
    });
  }

  /// Starts the export in parts (drops one under way); exportNext writes them.
  val BeginExport(bool assigned_plans, bool audit) {
    return Guarded("beginExport", [&] {
      gbl::ExportOptions options;
      options.assigned_plans = assigned_plans;
      options.audit = audit;
      engine_.BeginExport(options);
      return Success(val::null());
    });
  }

  /// Writes the next part (at least `min_bytes`) to `sink(ptr, len)` (a JS function copying
  /// HEAPU8[ptr, ptr+len) and returning true to go on) in pieces of about 1 MiB: the whole text is
  /// never held in the heap. {done} says the document is complete. The JS side must not throw
  /// from `sink` (engine-api.mjs wraps it).
  val ExportNext(double min_bytes, val sink) {
    return Guarded("exportNext", [&] {
      size_t count = 0;
      if (!ToCount(min_bytes, &count)) {
        return Failure("BadRequest", "exportNext: minBytes must be a count of bytes");
      }
      auto next = engine_.ExportNext(count, [&](std::string_view piece) {
        val more = sink(static_cast<double>(reinterpret_cast<uintptr_t>(piece.data())),
                        static_cast<double>(piece.size()));
        return more.as<bool>();
      });
      if (!next.Ok()) return FromError(next.GetError());
      val value = val::object();
      value.set("done", next.Value());
      return Success(value);
    });
  }

  void CancelExport() { engine_.CancelExport(); }

  /// The planner's preview of batches (an array of JSON texts, applied in order): the effect
  /// as JSON text; the tenant is left as it was.
  val PlanChanges(val batches, double user_limit, double user_offset) {
    return Guarded("planChanges", [&] {
      const size_t count = batches["length"].as<size_t>();
      std::vector<std::string> list(count);
      for (size_t i = 0; i < count; ++i) list[i] = batches[i].as<std::string>();
      size_t limit = SIZE_MAX;
      if (user_limit >= 0 && !ToCount(user_limit, &limit)) {
        return Failure("BadRequest", "planChanges: userLimit must be a count of users");
      }
      size_t offset = 0;
      if (!ToCount(user_offset, &offset)) {
        return Failure("BadRequest", "planChanges: userOffset must be a count of users");
      }
      auto effect = engine_.PlanChanges(list, limit, offset);
      if (!effect.Ok()) return FromError(effect.GetError());
      return Success(val(effect.Value()));
    });
  }

  val ApplyBatch(const std::string& batch_json) {
    return Guarded("applyBatch", [&] {
      auto result = engine_.ApplyBatch(batch_json);
      if (!result.Ok()) return FromError(result.GetError());
      return Success(val(result.Value()));
    });
  }

  val ProcessChunk(double max_users) {
    return Guarded("processChunk", [&] {
      size_t count = 0;
      if (!ToCount(max_users, &count) || count == 0) {
        return Failure("BadRequest", "processChunk: maxUsers must be a positive integer");
      }
      return Success(ProgressValue(engine_.ProcessChunk(count)));
    });
  }

  bool HasPendingWork() const { return engine_.HasPendingWork(); }

  void BeginJournal() { engine_.BeginJournal(); }

  val RollBack() {
    return Guarded("rollBack", [&] {
      auto result = engine_.RollBack();
      if (!result.Ok()) return FromError(result.GetError());
      return Success(val::undefined());
    });
  }

  val Commit() {
    return Guarded("commit", [&] {
      auto result = engine_.Commit();
      if (!result.Ok()) return FromError(result.GetError());
      return Success(val::undefined());
    });
  }

  bool JournalOpen() const { return engine_.JournalOpen(); }

  val Query(const std::string& query_json) {
    return Guarded("query", [&] {
      auto result = engine_.Query(query_json);
      if (!result.Ok()) return FromError(result.GetError());
      return Success(val(result.Value()));
    });
  }

  val SetNow(double unix_ms) {
    return Guarded("setNow", [&] {
      if (!std::isfinite(unix_ms)) return Failure("BadRequest", "setNow: not a finite time");
      engine_.SetNow(static_cast<int64_t>(std::floor(unix_ms)));
      return Success(val::undefined());
    });
  }

  val SetActor(const std::string& user_principal_name) {
    return Guarded("setActor", [&] {
      engine_.SetActor(user_principal_name);
      return Success(val::undefined());
    });
  }

 private:
  gbl::Engine engine_;
};

/// Mirror of gbl::SyntheticOptions with JS numbers (engine-api.mjs fills every field).
struct SyntheticOptionsJs {
  double users = 1000;
  double groups = 10;
  double skus = 5;
  double memberships_per_user = 5.0;
  double licensed_group_fraction = 0.2;
  double seat_ratio = 1.2;
  double direct_fraction = 0.05;
  double seed = 1;
};

val GenerateSyntheticTenant(const SyntheticOptionsJs& js) {
  return Guarded("generateSyntheticTenant", [&] {
    gbl::SyntheticOptions options;
    size_t seed = 0;
    if (!ToCount(js.users, &options.users) || !ToCount(js.groups, &options.groups) ||
        !ToCount(js.skus, &options.skus) || !ToCount(js.seed, &seed)) {
      return Failure("BadRequest",
                     "generateSyntheticTenant: users, groups, skus and seed must be non-negative "
                     "integers below 2^32");
    }
    const double fractions[] = {js.memberships_per_user, js.licensed_group_fraction, js.seat_ratio,
                                js.direct_fraction};
    for (double number : fractions) {
      if (!std::isfinite(number) || number < 0) {
        return Failure("BadRequest",
                       "generateSyntheticTenant: membershipsPerUser, licensedGroupFraction, "
                       "seatRatio and directFraction must be non-negative numbers");
      }
    }
    options.seed = seed;
    options.memberships_per_user = js.memberships_per_user;
    options.licensed_group_fraction = js.licensed_group_fraction;
    options.seat_ratio = js.seat_ratio;
    options.direct_fraction = js.direct_fraction;
    ReleaseHeld();
    HeldOutput() = gbl::GenerateSyntheticTenant(options);
    return Success(HeldOutputValue());
  });
}

/// Frees the bytes handed out by generateSyntheticTenant.
void ReleaseOutput() { ReleaseHeld(); }

/// Heap and stack figures for leak checks: memory size, program break, bytes in use by malloc,
/// and the wasm stack pointer as seen inside a bound call (constant when nothing leaks).
val DebugMemory() {
  struct mallinfo info = mallinfo();
  val value = val::object();
  value.set("heapSize", static_cast<double>(emscripten_get_heap_size()));
  value.set("sbrk", static_cast<double>(reinterpret_cast<uintptr_t>(sbrk(0))));
  // malloc counts the small-block slabs as in use: count the blocks in them that are.
  const size_t allocated = static_cast<unsigned>(info.uordblks) - gbl_wasm::SmallBlockSlabBytes() +
                           gbl_wasm::SmallBlockBytesInUse();
  value.set("allocated", static_cast<double>(allocated));
  value.set("stackPointer", static_cast<double>(emscripten_stack_get_current()));
  return value;
}

}  // namespace

EMSCRIPTEN_BINDINGS(gbl_engine) {
  using emscripten::class_;
  using emscripten::function;
  using emscripten::value_object;

  class_<WasmEngine>("WasmEngine")
      .constructor<>()
      .function("loadDocument", &WasmEngine::LoadDocument)
      .function("loadSample", &WasmEngine::LoadSample)
      .function("beginLoad", &WasmEngine::BeginLoad)
      .function("feedLoad", &WasmEngine::FeedLoad)
      .function("finishLoad", &WasmEngine::FinishLoad)
      .function("cancelLoad", &WasmEngine::CancelLoad)
      .function("beginExportFiles", &WasmEngine::BeginExportFiles)
      .function("feedExportFile", &WasmEngine::FeedExportFile)
      .function("finishExportFiles", &WasmEngine::FinishExportFiles)
      .function("beginExport", &WasmEngine::BeginExport)
      .function("exportNext", &WasmEngine::ExportNext)
      .function("cancelExport", &WasmEngine::CancelExport)
      .function("planChanges", &WasmEngine::PlanChanges)
      .function("applyBatch", &WasmEngine::ApplyBatch)
      .function("processChunk", &WasmEngine::ProcessChunk)
      .function("hasPendingWork", &WasmEngine::HasPendingWork)
      .function("beginJournal", &WasmEngine::BeginJournal)
      .function("rollBack", &WasmEngine::RollBack)
      .function("commit", &WasmEngine::Commit)
      .function("journalOpen", &WasmEngine::JournalOpen)
      .function("query", &WasmEngine::Query)
      .function("setNow", &WasmEngine::SetNow)
      .function("setActor", &WasmEngine::SetActor);

  value_object<SyntheticOptionsJs>("SyntheticOptions")
      .field("users", &SyntheticOptionsJs::users)
      .field("groups", &SyntheticOptionsJs::groups)
      .field("skus", &SyntheticOptionsJs::skus)
      .field("membershipsPerUser", &SyntheticOptionsJs::memberships_per_user)
      .field("licensedGroupFraction", &SyntheticOptionsJs::licensed_group_fraction)
      .field("seatRatio", &SyntheticOptionsJs::seat_ratio)
      .field("directFraction", &SyntheticOptionsJs::direct_fraction)
      .field("seed", &SyntheticOptionsJs::seed);

  function("generateSyntheticTenant", &GenerateSyntheticTenant);
  function("releaseOutput", &ReleaseOutput);
  function("debugMemory", &DebugMemory);
}
